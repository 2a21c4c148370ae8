-- Township × industry section cells of unionization_rate for the heat map (cells with units only).
SELECT
    c.region_code,
    c.industry_code,
    sum(c.units) AS units,
    sum(c.units_unionized) AS units_unionized,
    sum(c.units_unionized)::DOUBLE / nullif(sum(c.units), 0) AS unionization_rate
FROM cube AS c
JOIN ownership AS o ON o.code = c.ownership_code
JOIN regions AS r ON r.code = c.region_code
JOIN industries AS i ON i.code = c.industry_code
WHERE c.year = $year
  AND ($regions IS NULL OR list_contains($regions, c.region_code))
  AND ($industries IS NULL OR list_contains($industries, c.industry_code))
  AND ($ownership_group IS NULL OR o.grp = $ownership_group)
GROUP BY c.region_code, c.industry_code, r.sort_order, i.sort_order
HAVING sum(c.units) > 0
ORDER BY r.sort_order, i.sort_order;
