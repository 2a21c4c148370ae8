-- Rates others published (全市, 全省, 全国, ILO) for the given indicators: drawn beside the county's
-- own figures, never added to them. Bodies in the order of $bodies (sheets.REFERENCE_BODIES).
SELECT year, body, indicator, value, source
FROM reference_figures
WHERE in_list($indicators, indicator)
ORDER BY indicator, list_position($bodies, body), year;
