-- One township's total rows of one year (a township with no unit register), in key order.
SELECT * FROM region_year
WHERE in_list($years, year) AND region_code = $region
ORDER BY industry_code, ownership_code;
