-- The county's own rows (township '') of a year in every fact table, as a work report's
-- confirmed figures overlay them (a write replaces the county's rows of that table and year).
SELECT 'region_year' AS table_name, * FROM region_year WHERE in_list($years, year) AND region_code = ''
UNION ALL BY NAME
SELECT 'inspections' AS table_name, * FROM inspections WHERE in_list($years, year) AND region_code = ''
UNION ALL BY NAME
SELECT 'arrears' AS table_name, * FROM arrears WHERE in_list($years, year) AND region_code = ''
UNION ALL BY NAME
SELECT 'aid' AS table_name, * FROM aid WHERE in_list($years, year) AND region_code = ''
UNION ALL BY NAME
SELECT 'subsidies' AS table_name, * FROM subsidies WHERE in_list($years, year) AND region_code = ''
ORDER BY table_name, program_code;
