"""The view object (year, scope, language) and the rule that pages and exports use it instead of
passing `lang` along (CONTRIBUTING.md, "The view")."""
import ast

import pytest

from conftest import ROOT
from unionstats import catalog, i18n
from unionstats import format as fmt
from unionstats.indicators import Scope
from unionstats.view import View


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_view_speaks_its_language(lang):
    view = View(2024, lang=lang)
    assert view.t("page_overview") == i18n.t("page_overview", lang)
    assert view.t("trends", start=2015, end=2024) == i18n.t("trends", lang, start=2015, end=2024)
    assert view.name("unionization_rate") == catalog.get("unionization_rate").name(lang)
    assert view.definition("members") == catalog.get("members").definition(lang)
    assert view.number(0.4512, "rate") == fmt.fmt_number(0.4512, "rate", lang)
    assert view.bare(1046, "person") == fmt.fmt_bare(1046, "person", lang)
    assert view.delta(0.023, "rate") == fmt.fmt_delta(0.023, "rate", lang)
    assert view.parts(12, 40, "rate", "unit") == fmt.fmt_parts(12, 40, "rate", lang, "unit")
    assert view.unit_label("yuan") == fmt.unit_label("yuan", lang)


def test_the_two_languages_differ():
    zh, en = View(2024), View(2024, lang="en")
    assert zh.t("page_overview") != en.t("page_overview")
    assert zh.number(1046, "person") != en.number(1046, "person")
    assert zh.join(["甲", "乙"]) == "甲、乙" and en.join(["a", "b"]) == "a, b"
    assert not zh.en and en.en


def test_at_changes_one_thing_and_keys_differ():
    view = View(2024, Scope(), "en", (2023, 2024))
    town = view.at(scope=Scope(regions=("qingshi",)))
    assert (town.year, town.lang, town.years, town.scope.regions) == (2024, "en", (2023, 2024), ("qingshi",))
    assert view.scope.regions is None  # frozen: the original is untouched
    # a view keys caches (store.memo, figcache): views that differ in anything are different keys
    assert len({view, town, view.at(lang="zh"), view.at(year=2023), View(2024, Scope(), "en", (2023, 2024))}) == 4


def _lang_passed(path):
    """(line, callee) of every call in `path` that passes a language on positionally."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for arg in node.args:
                if (isinstance(arg, ast.Name) and arg.id == "lang") or (isinstance(arg, ast.Attribute) and arg.attr == "lang"):
                    found.append((node.lineno, ast.unparse(node.func)))
    return found


# Calls a page may still hand `view.lang` to (CONTRIBUTING.md): the language primitives, and
# tables kept per snapshot by their exact arguments (store.memo), whose key is what they depend on.
PRIMITIVES = ("names.", "attainment.", "references.", "comparison.beside_columns", "briefing.to_html",
              "gaps.uncovered_table", "comparison.shown", "league.")


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "pages").glob("*.py")))
def test_pages_use_the_view_for_words_and_numbers(page):
    path = ROOT / "pages" / page
    source = path.read_text(encoding="utf-8")
    assert "filters.current()" in source
    passed = [(line, callee) for line, callee in _lang_passed(path) if not callee.startswith(PRIMITIVES)]
    assert passed == [], f"{page}: use view.t / view.number / view.name instead of passing lang: {passed}"
