-- Every township's sheet for one year ($years holds that year): submitted, returned for correction (退回修改) or missing;
-- its rows and totals (from its unit rows, or its township totals: never both in one year) and the
-- import that last brought them (NULL when the rows came without a recorded import, e.g. the demo).
WITH unit_rows AS (
    SELECT region_code, count(*) AS rows, count(*) AS units,
           count(*) FILTER (WHERE union_status <> 'none') AS units_unionized,
           sum(employees) AS employees, sum(members) AS members
    FROM unit_year WHERE in_list($years, year) GROUP BY region_code
), total_rows AS (
    SELECT region_code, count(*) AS rows, sum(units) AS units, sum(units_unionized) AS units_unionized,
           sum(employees) AS employees, sum(members) AS members
    FROM region_year WHERE in_list($years, year) GROUP BY region_code
)
SELECT r.code AS region_code, r.name_zh, r.name_en,
       CASE WHEN s.status = 'returned' THEN 'returned'
            WHEN coalesce(u.rows, t.rows, 0) > 0 THEN 'submitted'
            ELSE 'missing' END AS status,
       CASE WHEN u.rows IS NOT NULL THEN 'units' WHEN t.rows IS NOT NULL THEN 'totals' END AS kind,
       coalesce(u.rows, t.rows, 0) AS rows,
       coalesce(u.units, t.units) AS units,
       coalesce(u.units_unionized, t.units_unionized) AS units_unionized,
       coalesce(u.employees, t.employees) AS employees,
       coalesce(u.members, t.members) AS members,
       s.file_name, s.submitted_at, s.submitted_by, s.note, s.marked_at, s.marked_by
FROM regions AS r
LEFT JOIN unit_rows AS u ON u.region_code = r.code
LEFT JOIN total_rows AS t ON t.region_code = r.code
LEFT JOIN submissions AS s ON in_list($years, s.year) AND s.region_code = r.code
ORDER BY r.sort_order, r.code;
