"""Display names of the codes in the store (townships, sections, ownership), and the scope in
words. No Streamlit here: the pages, the briefing and the CLI share them."""
from __future__ import annotations

from pathlib import Path

from . import i18n, store
from .i18n import t
from .indicators import Scope


def _names(query: str, lang: str, path: Path | None) -> dict[str, str]:
    frame = store.query(query, path=path)
    return dict(zip(frame["code"], frame["name_en" if lang == "en" else "name_zh"]))


def region_names(lang: str, path: Path | None = None) -> dict[str, str]:
    return _names("regions", lang, path)


def industry_names(lang: str, path: Path | None = None) -> dict[str, str]:
    return _names("industries", lang, path)


def ownership_names(lang: str, path: Path | None = None) -> dict[str, str]:
    return _names("ownership", lang, path)


def ownership_groups(path: Path | None = None) -> dict[str, str]:
    owners = store.query("ownership", path=path)
    return dict(zip(owners["code"], owners["grp"]))


def scope_label(scope: Scope, lang: str, path: Path | None = None) -> str:
    """Human words for the scope: '全县' or '城关镇、东城街道 · 制造业 · 非公有制'."""
    parts = []
    if scope.regions:
        names = region_names(lang, path)
        parts.append(i18n.join((names[c] for c in scope.regions), lang))
    if scope.industries:
        names = industry_names(lang, path)
        parts.append(i18n.join((names[c] for c in scope.industries), lang))
    if scope.ownership_group:
        parts.append(t(scope.ownership_group, lang))
    return " · ".join(parts) if parts else t("scope_all", lang)
