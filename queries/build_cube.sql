-- Base counts by year × township × industry × ownership code, rebuilt after every load.
-- Every chart reads this table; only unit lists read unit_year (DESIGN.md §3 "Cube").
-- Ownership is kept at code grain so that the 公有制/非公有制 mapping stays a join, not baked in.
-- Township, industry and ownership are each unit-year's own: a later move never rewrites a year.
CREATE OR REPLACE TABLE cube AS
WITH unit_level AS (
    SELECT
        uy.year,
        uy.region_code,
        uy.industry_code,
        uy.ownership_code,
        count(*)                                                                  AS units,
        count(*) FILTER (WHERE uy.union_status <> 'none')                         AS units_unionized,
        count(*) FILTER (WHERE uy.union_status = 'own'
                           AND uy.union_founded_year = uy.year)                   AS unions_new,
        sum(uy.employees)                                                         AS employees,
        sum(uy.female_employees)                                                  AS female_employees,
        sum(uy.migrant_workers)                                                   AS migrant_workers,
        sum(uy.members)                                                           AS members,
        sum(uy.female_members)                                                    AS female_members,
        sum(uy.migrant_members)                                                   AS migrant_members,
        sum(uy.members_joined)                                                    AS members_joined,
        count(*) FILTER (WHERE uy.union_status <> 'none' AND uy.has_congress)     AS units_congress,
        count(*) FILTER (WHERE uy.union_status <> 'none' AND uy.has_openness)     AS units_openness,
        count(*) FILTER (WHERE uy.union_status <> 'none'
                           AND uy.has_collective_contract)                        AS units_collective_contract,
        count(*) FILTER (WHERE uy.union_status <> 'none'
                           AND uy.has_wage_agreement)                             AS units_wage_agreement,
        sum(uy.employees_contracted)                                              AS employees_contracted
    FROM unit_year AS uy
    GROUP BY ALL
),
total_level AS (
    SELECT
        year, region_code, industry_code, ownership_code,
        units, units_unionized, unions_new, employees, female_employees, migrant_workers,
        members, female_members, migrant_members, members_joined, units_congress,
        units_openness, units_collective_contract, units_wage_agreement, employees_contracted
    FROM region_year
)
SELECT * FROM unit_level
UNION ALL BY NAME
SELECT * FROM total_level
ORDER BY year, region_code, industry_code, ownership_code;
