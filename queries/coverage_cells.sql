-- Township × industry section cells of unionization_rate for the heat map (cells with units only).
-- Totals not broken down by industry ('') have no cell.
SELECT
    c.region_code,
    c.industry_code,
    sum(c.units) AS units,
    sum(c.units_unionized) AS units_unionized,
    sum(c.unionization_rate_num)::DOUBLE / nullif(sum(c.unionization_rate_den), 0) AS unionization_rate
FROM cube AS c
LEFT JOIN ownership AS o ON o.code = c.ownership_code
JOIN regions AS r ON r.code = c.region_code
JOIN industries AS i ON i.code = c.industry_code
WHERE in_list($years, c.year)
  AND in_scope($regions, $industries, $ownership_group, c.region_code, c.industry_code, o.grp)
GROUP BY c.region_code, c.industry_code, r.sort_order, i.sort_order
HAVING sum(c.units) > 0
ORDER BY r.sort_order, i.sort_order;
