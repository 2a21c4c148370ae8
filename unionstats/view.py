"""What one reader is looking at: a year, a scope and a language. Pages get it from the sidebar
(filters.current()), exports and the CLI make one; it is passed along whole instead of year,
scope and lang one by one, and its methods put the language into every text and number.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import catalog, i18n
from . import format as fmt
from .indicators import Scope


@dataclass(frozen=True)
class View:
    year: int | None
    scope: Scope = Scope()
    lang: str = "zh"
    years: tuple[int, ...] = ()  # every year with data, oldest first (the sidebar's choices)

    @property
    def en(self) -> bool:
        return self.lang == "en"

    def at(self, **changes) -> View:
        """The same view with another year or scope: View(2024).at(scope=town)."""
        return replace(self, **changes)

    def t(self, key: str, **fields) -> str:
        return i18n.t(key, self.lang, **fields)

    def name(self, code: str) -> str:
        """An indicator's name: 工会组建率 / Unionization rate."""
        return catalog.get(code).name(self.lang)

    def definition(self, code: str) -> str:
        return catalog.get(code).definition(self.lang)

    def number(self, value, unit: str) -> str:
        return fmt.fmt_number(value, unit, self.lang)

    def bare(self, value, unit: str) -> str:
        return fmt.fmt_bare(value, unit, self.lang)

    def delta(self, change, unit: str) -> str:
        return fmt.fmt_delta(change, unit, self.lang)

    def parts(self, numerator, denominator, unit: str, numerator_unit: str | None = None) -> str:
        return fmt.fmt_parts(numerator, denominator, unit, self.lang, numerator_unit)

    def unit_label(self, unit: str) -> str:
        return fmt.unit_label(unit, self.lang)

    def join(self, words) -> str:
        """A list in running text: 甲、乙、丙 / a, b, c."""
        return i18n.join(words, self.lang)
