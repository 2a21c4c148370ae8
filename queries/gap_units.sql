-- 空白点: employers with at least $min_employees employees and no union of their own or joint union
-- at the end of each year of $years, largest first. Townships that report totals only have no unit list.
-- Name, township, industry and ownership are as reported each year.
-- $limit: the first rows only (the screen's list), NULL = every row (the downloads). unit_id and
-- year break the last ties, so that the first $limit rows are always the full list's first rows.
SELECT
    uy.unit_id,
    uy.name,
    uy.region_code,
    r.name_zh AS region_zh,
    r.name_en AS region_en,
    uy.industry_code,
    i.name_zh AS industry_zh,
    i.name_en AS industry_en,
    uy.ownership_code,
    o.name_zh AS ownership_zh,
    o.name_en AS ownership_en,
    o.grp AS ownership_group,
    uy.employees,
    uy.female_employees,
    uy.migrant_workers
FROM unit_year AS uy
JOIN regions AS r ON r.code = uy.region_code
JOIN industries AS i ON i.code = uy.industry_code
JOIN ownership AS o ON o.code = uy.ownership_code
WHERE in_list($years, uy.year)
  AND uy.union_status = 'none'
  AND uy.employees >= $min_employees
  AND in_scope($regions, $industries, $ownership_group, uy.region_code, uy.industry_code, o.grp)
ORDER BY uy.employees DESC, r.sort_order, uy.name, uy.unit_id, uy.year
LIMIT $limit;
