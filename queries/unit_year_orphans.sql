-- Unit-years naming a unit, township, industry or ownership their tables do not hold (at most 5).
-- The store checks these once per build instead of by foreign keys: a key is checked row by row
-- as rows go in, 0.6 s of a province year's import (BENCHMARKS.md).
SELECT 'units' AS "table", CAST(uy.unit_id AS VARCHAR) AS value
FROM unit_year AS uy ANTI JOIN units AS t ON t.unit_id = uy.unit_id
UNION ALL
SELECT 'regions', uy.region_code FROM unit_year AS uy ANTI JOIN regions AS t ON t.code = uy.region_code
UNION ALL
SELECT 'industries', uy.industry_code FROM unit_year AS uy ANTI JOIN industries AS t ON t.code = uy.industry_code
UNION ALL
SELECT 'ownership', uy.ownership_code FROM unit_year AS uy ANTI JOIN ownership AS t ON t.code = uy.ownership_code
LIMIT 5
