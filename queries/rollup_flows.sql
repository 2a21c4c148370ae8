-- The county's flows of one year as ONE region for reporting up, one row per table × key: the
-- county's own rows (township '') and every township's summed. $table: 'inspections', 'arrears',
-- 'aid' or 'subsidies'. Blank stays NULL (sum of only NULLs is NULL). The *_both columns are a
-- rate's parts over the rows that report both, as the county's pages compute the rate.
SELECT 'inspections' AS source, industry_code, ownership_code, NULL AS program_code,
       sum(units_inspected) AS units_inspected, sum(units_compliant) AS units_compliant,
       sum(workers_helped_sign) AS workers_helped_sign,
       sum(both_num(units_compliant, units_inspected)) AS num_both,
       sum(both_den(units_compliant, units_inspected)) AS den_both
FROM inspections WHERE in_list($years, year) AND $table = 'inspections'
GROUP BY ALL
UNION ALL BY NAME
SELECT 'arrears' AS source, industry_code, ownership_code, NULL AS program_code,
       sum(cases) AS cases, sum(workers) AS workers, sum(migrant_workers) AS migrant_workers,
       sum(yuan_recovered) AS yuan_recovered
FROM arrears WHERE in_list($years, year) AND $table = 'arrears'
GROUP BY ALL
UNION ALL BY NAME
SELECT 'aid' AS source, NULL AS industry_code, NULL AS ownership_code, program_code,
       sum(households) AS households, sum(persons) AS persons, sum(yuan) AS yuan,
       sum(both_num(yuan, households)) AS num_both, sum(both_den(yuan, households)) AS den_both
FROM aid WHERE in_list($years, year) AND $table = 'aid'
GROUP BY ALL
UNION ALL BY NAME
SELECT 'subsidies' AS source, NULL AS industry_code, NULL AS ownership_code, NULL AS program_code,
       sum(unions_supported) AS unions_supported, sum(yuan) AS yuan
FROM subsidies WHERE in_list($years, year) AND $table = 'subsidies'
HAVING count(*) > 0
ORDER BY ALL;
