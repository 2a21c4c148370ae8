-- 空白点 in one line: how many units and employees are uncovered, and what unionization_rate and
-- membership_rate would become if they all joined ("若全部建会").
WITH gap AS (
    SELECT count(*) AS gap_units, coalesce(sum(uy.employees), 0) AS gap_employees
    FROM unit_year AS uy
    JOIN ownership AS o ON o.code = uy.ownership_code
    WHERE uy.year = $year
      AND uy.union_status = 'none'
      AND uy.employees >= $min_employees
      AND ($regions IS NULL OR list_contains($regions, uy.region_code))
      AND ($industries IS NULL OR list_contains($industries, uy.industry_code))
      AND ($ownership_group IS NULL OR o.grp = $ownership_group)
),
scope AS (
    SELECT sum(c.units) AS units, sum(c.units_unionized) AS units_unionized,
           sum(c.members) AS members, sum(c.employees) AS employees
    FROM cube AS c
    JOIN ownership AS o ON o.code = c.ownership_code
    WHERE c.year = $year
      AND ($regions IS NULL OR list_contains($regions, c.region_code))
      AND ($industries IS NULL OR list_contains($industries, c.industry_code))
      AND ($ownership_group IS NULL OR o.grp = $ownership_group)
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
