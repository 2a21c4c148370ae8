-- Every catalog indicator, one row per year × key, for the filtered scope.
-- $grain: 'county' (key ''), 'region', 'industry', 'ownership' (code) or 'ownership_group'.
-- $years, $regions, $industries: lists, NULL = all. $ownership_group: 'public', 'nonpublic' or NULL.
-- Aid and subsidies are recorded per township only: under an industry or ownership filter, or at
-- an industry/ownership grain, they are NULL ("not broken down"), never a wrong number.
WITH stock AS (
    SELECT
        c.year,
        CASE $grain
            WHEN 'county' THEN ''
            WHEN 'region' THEN c.region_code
            WHEN 'industry' THEN c.industry_code
            WHEN 'ownership' THEN c.ownership_code
            WHEN 'ownership_group' THEN o.grp
        END AS key,
        sum(c.units) AS units,
        sum(c.units_unionized) AS units_unionized,
        sum(c.unions_new) AS unions_new,
        sum(c.employees) AS employees,
        sum(c.female_employees) AS female_employees,
        sum(c.migrant_workers) AS migrant_workers,
        sum(c.members) AS members,
        sum(c.female_members) AS female_members,
        sum(c.migrant_members) AS migrant_members,
        sum(c.members_joined) AS members_new,
        sum(c.units_congress) AS units_congress,
        sum(c.units_openness) AS units_openness,
        sum(c.units_collective_contract) AS units_collective_contract,
        sum(c.units_wage_agreement) AS units_wage_agreement,
        sum(c.employees_contracted) AS employees_contracted
    FROM cube AS c
    JOIN ownership AS o ON o.code = c.ownership_code
    WHERE ($years IS NULL OR list_contains($years, c.year))
      AND ($regions IS NULL OR list_contains($regions, c.region_code))
      AND ($industries IS NULL OR list_contains($industries, c.industry_code))
      AND ($ownership_group IS NULL OR o.grp = $ownership_group)
    GROUP BY ALL
),
inspection AS (
    SELECT
        i.year,
        CASE $grain
            WHEN 'county' THEN ''
            WHEN 'region' THEN i.region_code
            WHEN 'industry' THEN i.industry_code
            WHEN 'ownership' THEN i.ownership_code
            WHEN 'ownership_group' THEN o.grp
        END AS key,
        sum(i.units_inspected) AS units_inspected,
        sum(i.units_compliant) AS units_compliant,
        sum(i.workers_helped_sign) AS workers_helped_sign
    FROM inspections AS i
    JOIN ownership AS o ON o.code = i.ownership_code
    WHERE ($years IS NULL OR list_contains($years, i.year))
      AND ($regions IS NULL OR list_contains($regions, i.region_code))
      AND ($industries IS NULL OR list_contains($industries, i.industry_code))
      AND ($ownership_group IS NULL OR o.grp = $ownership_group)
    GROUP BY ALL
),
arrear AS (
    SELECT
        a.year,
        CASE $grain
            WHEN 'county' THEN ''
            WHEN 'region' THEN a.region_code
            WHEN 'industry' THEN a.industry_code
            WHEN 'ownership' THEN a.ownership_code
            WHEN 'ownership_group' THEN o.grp
        END AS key,
        sum(a.cases) AS arrears_cases,
        sum(a.workers) AS arrears_workers,
        sum(a.migrant_workers) AS arrears_migrant_workers,
        sum(a.yuan_recovered) AS arrears_recovered_yuan
    FROM arrears AS a
    JOIN ownership AS o ON o.code = a.ownership_code
    WHERE ($years IS NULL OR list_contains($years, a.year))
      AND ($regions IS NULL OR list_contains($regions, a.region_code))
      AND ($industries IS NULL OR list_contains($industries, a.industry_code))
      AND ($ownership_group IS NULL OR o.grp = $ownership_group)
    GROUP BY ALL
),
region_only AS (   -- aid and subsidies can be shown only when no industry/ownership cut is asked for
    SELECT $industries IS NULL AND $ownership_group IS NULL AND $grain IN ('county', 'region') AS ok
),
aid_paid AS (
    SELECT
        a.year,
        CASE $grain WHEN 'county' THEN '' ELSE a.region_code END AS key,
        sum(a.households) FILTER (WHERE p.kind = 'hardship') AS aid_households,
        sum(a.yuan) FILTER (WHERE p.kind = 'hardship') AS aid_yuan,
        sum(a.persons) FILTER (WHERE p.kind = 'model_worker') AS model_workers_visited,
        sum(a.yuan) FILTER (WHERE p.kind = 'model_worker') AS model_worker_aid_yuan
    FROM aid AS a
    JOIN aid_programs AS p ON p.code = a.program_code
    WHERE (SELECT ok FROM region_only)
      AND ($years IS NULL OR list_contains($years, a.year))
      AND ($regions IS NULL OR list_contains($regions, a.region_code))
    GROUP BY ALL
),
subsidy AS (
    SELECT
        s.year,
        CASE $grain WHEN 'county' THEN '' ELSE s.region_code END AS key,
        sum(s.unions_supported) AS subsidy_unions,
        sum(s.yuan) AS subsidy_yuan
    FROM subsidies AS s
    WHERE (SELECT ok FROM region_only)
      AND ($years IS NULL OR list_contains($years, s.year))
      AND ($regions IS NULL OR list_contains($regions, s.region_code))
    GROUP BY ALL
),
keys AS (
    SELECT year, key FROM stock
    UNION SELECT year, key FROM inspection
    UNION SELECT year, key FROM arrear
    UNION SELECT year, key FROM aid_paid
    UNION SELECT year, key FROM subsidy
),
-- A year with no rows at all in a fact table is "not reported" (NULL); otherwise a missing key is 0.
reported AS (
    SELECT
        k.year,
        k.key,
        k.year IN (SELECT year FROM cube) AS has_stock,
        k.year IN (SELECT year FROM inspections) AS has_inspection,
        k.year IN (SELECT year FROM arrears) AS has_arrears,
        (SELECT ok FROM region_only) AND k.year IN (SELECT year FROM aid) AS has_aid,
        (SELECT ok FROM region_only) AND k.year IN (SELECT year FROM subsidies) AS has_subsidy
    FROM keys AS k
),
counts AS (
    SELECT
        r.year,
        r.key,
        CASE WHEN has_stock THEN coalesce(s.units, 0) END AS units,
        CASE WHEN has_stock THEN coalesce(s.units_unionized, 0) END AS units_unionized,
        CASE WHEN has_stock THEN coalesce(s.unions_new, 0) END AS unions_new,
        CASE WHEN has_stock THEN coalesce(s.employees, 0) END AS employees,
        CASE WHEN has_stock THEN coalesce(s.female_employees, 0) END AS female_employees,
        CASE WHEN has_stock THEN coalesce(s.migrant_workers, 0) END AS migrant_workers,
        CASE WHEN has_stock THEN coalesce(s.members, 0) END AS members,
        CASE WHEN has_stock THEN coalesce(s.female_members, 0) END AS female_members,
        CASE WHEN has_stock THEN coalesce(s.migrant_members, 0) END AS migrant_members,
        CASE WHEN has_stock THEN coalesce(s.members_new, 0) END AS members_new,
        CASE WHEN has_stock THEN coalesce(s.units_congress, 0) END AS units_congress,
        CASE WHEN has_stock THEN coalesce(s.units_openness, 0) END AS units_openness,
        CASE WHEN has_stock THEN coalesce(s.units_collective_contract, 0) END AS units_collective_contract,
        CASE WHEN has_stock THEN coalesce(s.units_wage_agreement, 0) END AS units_wage_agreement,
        CASE WHEN has_stock THEN coalesce(s.employees_contracted, 0) END AS employees_contracted,
        CASE WHEN has_inspection THEN coalesce(i.units_inspected, 0) END AS units_inspected,
        CASE WHEN has_inspection THEN coalesce(i.units_compliant, 0) END AS units_compliant,
        CASE WHEN has_inspection THEN coalesce(i.workers_helped_sign, 0) END AS workers_helped_sign,
        CASE WHEN has_arrears THEN coalesce(a.arrears_cases, 0) END AS arrears_cases,
        CASE WHEN has_arrears THEN coalesce(a.arrears_workers, 0) END AS arrears_workers,
        CASE WHEN has_arrears THEN coalesce(a.arrears_migrant_workers, 0) END AS arrears_migrant_workers,
        CASE WHEN has_arrears THEN coalesce(a.arrears_recovered_yuan, 0) END AS arrears_recovered_yuan,
        CASE WHEN has_aid THEN coalesce(p.aid_households, 0) END AS aid_households,
        CASE WHEN has_aid THEN coalesce(p.aid_yuan, 0) END AS aid_yuan,
        CASE WHEN has_aid THEN coalesce(p.model_workers_visited, 0) END AS model_workers_visited,
        CASE WHEN has_aid THEN coalesce(p.model_worker_aid_yuan, 0) END AS model_worker_aid_yuan,
        CASE WHEN has_subsidy THEN coalesce(b.subsidy_unions, 0) END AS subsidy_unions,
        CASE WHEN has_subsidy THEN coalesce(b.subsidy_yuan, 0) END AS subsidy_yuan
    FROM reported AS r
    LEFT JOIN stock AS s USING (year, key)
    LEFT JOIN inspection AS i USING (year, key)
    LEFT JOIN arrear AS a USING (year, key)
    LEFT JOIN aid_paid AS p USING (year, key)
    LEFT JOIN subsidy AS b USING (year, key)
)
SELECT
    *,
    units_unionized::DOUBLE / nullif(units, 0) AS unionization_rate,
    members::DOUBLE / nullif(employees, 0) AS membership_rate,
    female_members::DOUBLE / nullif(female_employees, 0) AS female_membership_rate,
    migrant_members::DOUBLE / nullif(migrant_workers, 0) AS migrant_membership_rate,
    units_congress::DOUBLE / nullif(units_unionized, 0) AS congress_rate,
    units_openness::DOUBLE / nullif(units_unionized, 0) AS openness_rate,
    units_collective_contract::DOUBLE / nullif(units_unionized, 0) AS collective_contract_rate,
    units_wage_agreement::DOUBLE / nullif(units_unionized, 0) AS wage_agreement_rate,
    employees_contracted::DOUBLE / nullif(employees, 0) AS labor_contract_rate,
    units_compliant::DOUBLE / nullif(units_inspected, 0) AS compliance_rate,
    aid_yuan::DOUBLE / nullif(aid_households, 0) AS aid_per_household
FROM counts
ORDER BY year, key;
