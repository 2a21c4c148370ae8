-- A township's units in $year against $year - 1, for the import's warnings (never errors):
--   gone     in the township last year, in no township this year (closed, moved away unreported, or left out);
--   changed  employees or members moved by more than $change of last year's figure (the unit wherever it was);
--   new_gap  not in the store last year, no union, $min_employees or more employees.
-- Only where the township reported unit rows in both years: a first year, or a switch to
-- township totals, would flag every unit.
WITH now AS (SELECT * FROM unit_year WHERE year = $year AND region_code = $region),
before AS (SELECT * FROM unit_year WHERE year = $year - 1 AND region_code = $region),
both_years AS (SELECT (SELECT count(*) FROM now) > 0 AND (SELECT count(*) FROM before) > 0 AS yes),
last_year AS (SELECT unit_id, employees, members FROM unit_year WHERE year = $year - 1),
findings AS (
    SELECT 'gone' AS kind, b.name, '' AS field, NULL::BIGINT AS before, NULL::BIGINT AS after
    FROM before AS b
    WHERE NOT EXISTS (SELECT 1 FROM unit_year AS n WHERE n.year = $year AND n.unit_id = b.unit_id)
    UNION ALL
    SELECT 'changed', n.name, 'employees', l.employees, n.employees
    FROM now AS n JOIN last_year AS l USING (unit_id)
    WHERE l.employees > 0 AND abs(n.employees - l.employees) > $change * l.employees
    UNION ALL
    SELECT 'changed', n.name, 'members', l.members, n.members
    FROM now AS n JOIN last_year AS l USING (unit_id)
    WHERE l.members > 0 AND abs(n.members - l.members) > $change * l.members
    UNION ALL
    SELECT 'new_gap', n.name, 'employees', NULL, n.employees
    FROM now AS n
    WHERE n.union_status = 'none' AND n.employees >= $min_employees
      AND NOT EXISTS (SELECT 1 FROM last_year AS l WHERE l.unit_id = n.unit_id)
)
SELECT f.* FROM findings AS f, both_years
WHERE both_years.yes
ORDER BY CASE f.kind WHEN 'gone' THEN 1 WHEN 'changed' THEN 2 ELSE 3 END, f.name, f.field;
