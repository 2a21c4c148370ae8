-- Base counts by year × township × industry × ownership code, rebuilt after every load.
-- Every chart reads this table; only unit lists read unit_year (DESIGN.md §3 "Cube").
-- Ownership is kept at code grain so that the 公有制/非公有制 mapping stays a join, not baked in.
-- Township, industry and ownership are each unit-year's own: a later move never rewrites a year.
-- A blank count stays NULL: sum() of only NULLs is NULL, so "no one reported" is never 0.
-- <rate>_num/_den hold each rate's parts over the rows that report both (both_num/both_den).
CREATE OR REPLACE TABLE cube AS
WITH unit_rows AS (   -- one row per unit-year, in the shape of region_year (its counts pass through)
    SELECT
        * EXCLUDE (unit_id, name, union_status, union_founded_year, has_congress, has_openness,
                   has_collective_contract, has_wage_agreement),
        1 AS units,
        (union_status <> 'none')::INTEGER AS units_unionized,
        coalesce(union_status = 'own' AND union_founded_year = year, false)::INTEGER AS unions_new,
        (union_status <> 'none' AND has_congress)::INTEGER AS units_congress,
        (union_status <> 'none' AND has_openness)::INTEGER AS units_openness,
        (union_status <> 'none' AND has_collective_contract)::INTEGER AS units_collective_contract,
        (union_status <> 'none' AND has_wage_agreement)::INTEGER AS units_wage_agreement
    FROM unit_year
),
fact_rows AS (
    SELECT * FROM unit_rows
    UNION ALL BY NAME
    SELECT * FROM region_year
)
SELECT
    year, region_code, industry_code, ownership_code,
    count(*) AS rows,
    -- every count column of region_year (and unit_year) by its own name: a new one needs no edit here
    sum(COLUMNS(lambda c: c NOT IN ('year', 'region_code', 'industry_code', 'ownership_code'))),
    sum(both_num(units_unionized, units)) AS unionization_rate_num,
    sum(both_den(units_unionized, units)) AS unionization_rate_den,
    sum(both_num(members, employees)) AS membership_rate_num,
    sum(both_den(members, employees)) AS membership_rate_den,
    sum(both_num(female_members, female_employees)) AS female_membership_rate_num,
    sum(both_den(female_members, female_employees)) AS female_membership_rate_den,
    sum(both_num(migrant_members, migrant_workers)) AS migrant_membership_rate_num,
    sum(both_den(migrant_members, migrant_workers)) AS migrant_membership_rate_den,
    sum(both_num(units_congress, units_unionized)) AS congress_rate_num,
    sum(both_den(units_congress, units_unionized)) AS congress_rate_den,
    sum(both_num(units_openness, units_unionized)) AS openness_rate_num,
    sum(both_den(units_openness, units_unionized)) AS openness_rate_den,
    sum(both_num(units_collective_contract, units_unionized)) AS collective_contract_rate_num,
    sum(both_den(units_collective_contract, units_unionized)) AS collective_contract_rate_den,
    sum(both_num(units_wage_agreement, units_unionized)) AS wage_agreement_rate_num,
    sum(both_den(units_wage_agreement, units_unionized)) AS wage_agreement_rate_den,
    sum(both_num(employees_contracted, employees)) AS labor_contract_rate_num,
    sum(both_den(employees_contracted, employees)) AS labor_contract_rate_den
FROM fact_rows
GROUP BY ALL
ORDER BY year, region_code, industry_code, ownership_code;

-- The keyed facts: every fact table at one shape, columns named by catalog code, keyed by year,
-- township, industry, ownership code and group. `source` says which table a row came from.
-- Aid and subsidies are recorded per township only: their industry and ownership are '' (not
-- broken down), so grain_key and in_scope treat them like any other total without a breakdown.
CREATE OR REPLACE VIEW facts AS
SELECT 'stock' AS source, o.grp, c.* RENAME (members_joined AS members_new)
FROM cube AS c
LEFT JOIN ownership AS o ON o.code = c.ownership_code
UNION ALL BY NAME
SELECT
    'inspections' AS source, o.grp, i.year, i.region_code, i.industry_code, i.ownership_code,
    i.units_inspected, i.units_compliant, i.workers_helped_sign,
    both_num(i.units_compliant, i.units_inspected) AS compliance_rate_num,
    both_den(i.units_compliant, i.units_inspected) AS compliance_rate_den
FROM inspections AS i
LEFT JOIN ownership AS o ON o.code = i.ownership_code
UNION ALL BY NAME
SELECT
    'arrears' AS source, o.grp, a.year, a.region_code, a.industry_code, a.ownership_code,
    a.cases AS arrears_cases, a.workers AS arrears_workers, a.migrant_workers AS arrears_migrant_workers,
    a.yuan_recovered AS arrears_recovered_yuan
FROM arrears AS a
LEFT JOIN ownership AS o ON o.code = a.ownership_code
UNION ALL BY NAME
SELECT
    'hardship' AS source, NULL AS grp, a.year, a.region_code, '' AS industry_code, '' AS ownership_code,
    a.households AS aid_households, a.yuan AS aid_yuan,
    both_num(a.yuan, a.households) AS aid_per_household_num,
    both_den(a.yuan, a.households) AS aid_per_household_den
FROM aid AS a
JOIN aid_programs AS p ON p.code = a.program_code AND p.kind = 'hardship'
UNION ALL BY NAME
SELECT
    'model_worker' AS source, NULL AS grp, a.year, a.region_code, '' AS industry_code, '' AS ownership_code,
    a.persons AS model_workers_visited, a.yuan AS model_worker_aid_yuan
FROM aid AS a
JOIN aid_programs AS p ON p.code = a.program_code AND p.kind = 'model_worker'
UNION ALL BY NAME
SELECT
    'subsidies' AS source, NULL AS grp, s.year, s.region_code, '' AS industry_code, '' AS ownership_code,
    s.unions_supported AS subsidy_unions, s.yuan AS subsidy_yuan
FROM subsidies AS s;
