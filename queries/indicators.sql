-- Every catalog indicator, one row per year × key, for the filtered scope.
-- $grain: 'county' (key ''), 'region', 'industry', 'ownership' (code) or 'ownership_group'.
-- $years, $regions, $industries: lists, NULL = all. $ownership_group: 'public', 'nonpublic' or NULL.
-- Rows not broken down the way asked (a township's or the county's totals without industry or
-- ownership; aid and subsidies, recorded per township) count in the county total only: under an
-- industry or ownership filter or grain they are left out, and a table with no row left is NULL
-- ("not broken down"), never a wrong number (grain_key, in_scope in schema.sql).
-- A blank count is NULL; a rate is computed over the rows that report both its parts.
WITH scoped AS (
    SELECT f.*, grain_key($grain, f.region_code, f.industry_code, f.ownership_code, f.grp) AS key
    FROM facts AS f
    WHERE in_list($years, f.year)
),
-- Tables with rows in the year broken down the way asked: there a key without rows is 0; a table
-- with no such rows (none that year, or recorded per township only) is NULL, "not reported".
has AS (
    SELECT year, list(DISTINCT source) AS sources
    FROM scoped
    WHERE key IS NOT NULL
      AND ($industries IS NULL OR industry_code <> '')
      AND ($ownership_group IS NULL OR ownership_code <> '')
    GROUP BY year
),
agg AS (
    SELECT
        year,
        key,
        sum(rows) FILTER (WHERE source = 'stock') AS n_stock,
        count(*) FILTER (WHERE source = 'inspections') AS n_inspections,
        count(*) FILTER (WHERE source = 'arrears') AS n_arrears,
        count(*) FILTER (WHERE source = 'hardship') AS n_hardship,
        count(*) FILTER (WHERE source = 'model_worker') AS n_model_worker,
        count(*) FILTER (WHERE source = 'subsidies') AS n_subsidies,
        sum(COLUMNS(lambda c: c NOT IN ('source', 'grp', 'year', 'region_code', 'industry_code',
                                   'ownership_code', 'key', 'rows')))
    FROM scoped
    WHERE key IS NOT NULL
      AND in_scope($regions, $industries, $ownership_group, region_code, industry_code, grp)
    GROUP BY year, key
),
counts AS (
    SELECT
        a.year,
        a.key,
        -- the year-end stock: every column of the cube (a new count in the schema needs no edit here)
        reported_sum(n_stock, list_contains(h.sources, 'stock'),
                     COLUMNS(lambda c: c NOT IN ('year', 'key', 'sources', 'n_stock', 'n_inspections',
                         'n_arrears', 'n_hardship', 'n_model_worker', 'n_subsidies', 'units_inspected',
                         'units_compliant', 'workers_helped_sign', 'compliance_rate_num', 'compliance_rate_den',
                         'arrears_cases', 'arrears_workers', 'arrears_migrant_workers', 'arrears_recovered_yuan',
                         'aid_households', 'aid_yuan', 'aid_per_household_num', 'aid_per_household_den',
                         'model_workers_visited', 'model_worker_aid_yuan', 'subsidy_unions', 'subsidy_yuan'))),
        reported_sum(n_inspections, list_contains(h.sources, 'inspections'),
                     COLUMNS(['units_inspected', 'units_compliant', 'workers_helped_sign',
                              'compliance_rate_num', 'compliance_rate_den'])),
        reported_sum(n_arrears, list_contains(h.sources, 'arrears'),
                     COLUMNS(['arrears_cases', 'arrears_workers', 'arrears_migrant_workers',
                              'arrears_recovered_yuan'])),
        reported_sum(n_hardship, list_contains(h.sources, 'hardship'),
                     COLUMNS(['aid_households', 'aid_yuan', 'aid_per_household_num',
                              'aid_per_household_den'])),
        reported_sum(n_model_worker, list_contains(h.sources, 'model_worker'),
                     COLUMNS(['model_workers_visited', 'model_worker_aid_yuan'])),
        reported_sum(n_subsidies, list_contains(h.sources, 'subsidies'),
                     COLUMNS(['subsidy_unions', 'subsidy_yuan']))
    FROM agg AS a
    JOIN has AS h USING (year)
),
labels AS (   -- the key's names and display order, so pages need not join them
    SELECT 'region' AS grain, code AS key, name_zh, name_en, sort_order FROM regions
    UNION ALL SELECT 'industry', code, name_zh, name_en, sort_order FROM industries
    UNION ALL SELECT 'ownership', code, name_zh, name_en, sort_order FROM ownership
),
result AS (
    SELECT
    COLUMNS(lambda c: NOT (c LIKE '%_rate_num' OR c LIKE '%_rate_den' OR c LIKE 'aid_per_household_%')),
    unionization_rate_num::DOUBLE / nullif(unionization_rate_den, 0) AS unionization_rate,
    membership_rate_num::DOUBLE / nullif(membership_rate_den, 0) AS membership_rate,
    female_membership_rate_num::DOUBLE / nullif(female_membership_rate_den, 0) AS female_membership_rate,
    migrant_membership_rate_num::DOUBLE / nullif(migrant_membership_rate_den, 0) AS migrant_membership_rate,
    congress_rate_num::DOUBLE / nullif(congress_rate_den, 0) AS congress_rate,
    openness_rate_num::DOUBLE / nullif(openness_rate_den, 0) AS openness_rate,
    collective_contract_rate_num::DOUBLE / nullif(collective_contract_rate_den, 0) AS collective_contract_rate,
    wage_agreement_rate_num::DOUBLE / nullif(wage_agreement_rate_den, 0) AS wage_agreement_rate,
    labor_contract_rate_num::DOUBLE / nullif(labor_contract_rate_den, 0) AS labor_contract_rate,
    compliance_rate_num::DOUBLE / nullif(compliance_rate_den, 0) AS compliance_rate,
    aid_per_household_num::DOUBLE / nullif(aid_per_household_den, 0) AS aid_per_household
FROM counts
)
SELECT r.*, l.name_zh, l.name_en, l.sort_order
FROM result AS r
LEFT JOIN labels AS l ON l.grain = $grain AND l.key = r.key
ORDER BY r.year, r.key;
