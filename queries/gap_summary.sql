-- 空白点 in one line: how many units and employees are uncovered, and what unionization_rate and
-- membership_rate would become if they all joined ("若全部建会").
WITH gap AS (
    SELECT count(*) AS gap_units, coalesce(sum(uy.employees), 0) AS gap_employees
    FROM unit_year AS uy
    JOIN ownership AS o ON o.code = uy.ownership_code
    WHERE in_list($years, uy.year)
      AND uy.union_status = 'none'
      AND uy.employees >= $min_employees
      AND in_scope($regions, $industries, $ownership_group, uy.region_code, uy.industry_code, o.grp)
),
scope AS (
    -- over the rows that report both parts of each rate (blank counts are not 0)
    SELECT sum(c.unionization_rate_den) AS units, sum(c.unionization_rate_num) AS units_unionized,
           sum(c.membership_rate_num) AS members, sum(c.membership_rate_den) AS employees
    FROM cube AS c
    LEFT JOIN ownership AS o ON o.code = c.ownership_code
    WHERE in_list($years, c.year)
      AND in_scope($regions, $industries, $ownership_group, c.region_code, c.industry_code, o.grp)
)
SELECT
    gap_units,
    gap_employees,
    units,
    units_unionized,
    members,
    employees,
    units_unionized::DOUBLE / nullif(units, 0) AS unionization_rate,
    (units_unionized + gap_units)::DOUBLE / nullif(units, 0) AS unionization_rate_if_joined,
    members::DOUBLE / nullif(employees, 0) AS membership_rate,
    (members + gap_employees)::DOUBLE / nullif(employees, 0) AS membership_rate_if_joined
FROM gap, scope;
