-- The units of townships $regions in $check_year against $check_year - 1, for the import's warnings (never errors):
--   gone     in the township last year, in no township this year (closed, moved away unreported, or left out);
--   changed  employees or members moved by more than $change of last year's figure (the unit wherever it was);
--   new_gap  not in the store last year, no union, $min_employees or more employees.
-- Only townships with unit rows in both years: a first year, or a switch to township totals,
-- would flag every unit.
WITH now AS (SELECT * FROM unit_year WHERE year = $check_year AND in_list($regions, region_code)),
before AS (SELECT * FROM unit_year WHERE year = $check_year - 1 AND in_list($regions, region_code)),
both_years AS (SELECT region_code FROM now INTERSECT SELECT region_code FROM before),
last_year AS (SELECT unit_id, employees, members FROM unit_year WHERE year = $check_year - 1),
findings AS (
    SELECT b.region_code, 'gone' AS kind, b.name, '' AS field, NULL::BIGINT AS before, NULL::BIGINT AS after
    FROM before AS b
    WHERE NOT EXISTS (SELECT 1 FROM unit_year AS n WHERE n.year = $check_year AND n.unit_id = b.unit_id)
    UNION ALL
    SELECT n.region_code, 'changed', n.name, 'employees', l.employees, n.employees
    FROM now AS n JOIN last_year AS l USING (unit_id)
    WHERE l.employees > 0 AND abs(n.employees - l.employees) > $change * l.employees
    UNION ALL
    SELECT n.region_code, 'changed', n.name, 'members', l.members, n.members
    FROM now AS n JOIN last_year AS l USING (unit_id)
    WHERE l.members > 0 AND abs(n.members - l.members) > $change * l.members
    UNION ALL
    SELECT n.region_code, 'new_gap', n.name, 'employees', NULL, n.employees
    FROM now AS n
    WHERE n.union_status = 'none' AND n.employees >= $min_employees
      AND NOT EXISTS (SELECT 1 FROM last_year AS l WHERE l.unit_id = n.unit_id)
)
SELECT f.* FROM findings AS f
SEMI JOIN both_years USING (region_code)
ORDER BY f.region_code, CASE f.kind WHEN 'gone' THEN 1 WHEN 'changed' THEN 2 ELSE 3 END, f.name, f.field;
