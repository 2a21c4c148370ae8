-- What the keys of units and unit_year and the references of unit_year would refuse (at most 5
-- findings). Checked once per build instead: DuckDB checks a key or a foreign key row by row as
-- rows go in, 0.9 s of a province year's import (BENCHMARKS.md).
SELECT 'unit_year.unit_id ' || uy.unit_id || ' is not in units' AS finding
FROM unit_year AS uy ANTI JOIN units AS t ON t.unit_id = uy.unit_id
UNION ALL
SELECT 'unit_year.region_code ''' || uy.region_code || ''' is not in regions'
FROM unit_year AS uy ANTI JOIN regions AS t ON t.code = uy.region_code
UNION ALL
SELECT 'unit_year.industry_code ''' || uy.industry_code || ''' is not in industries'
FROM unit_year AS uy ANTI JOIN industries AS t ON t.code = uy.industry_code
UNION ALL
SELECT 'unit_year.ownership_code ''' || uy.ownership_code || ''' is not in ownership'
FROM unit_year AS uy ANTI JOIN ownership AS t ON t.code = uy.ownership_code
UNION ALL
SELECT 'units.unit_id ' || unit_id || ' is there twice' FROM units GROUP BY unit_id HAVING count(*) > 1
UNION ALL
SELECT 'unit_year (year, unit_id) (' || year || ', ' || unit_id || ') is there twice'
FROM unit_year GROUP BY year, unit_id HAVING count(*) > 1
LIMIT 5
