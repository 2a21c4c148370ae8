-- Townships that report totals only (no unit register) in $years: their 空白点 cannot be listed.
SELECT DISTINCT ry.region_code
FROM region_year AS ry
WHERE in_list($years, ry.year)
  AND ry.region_code <> ''  -- the county's own row (from its work report) is no township
  AND in_list($regions, ry.region_code)
ORDER BY ry.region_code;
