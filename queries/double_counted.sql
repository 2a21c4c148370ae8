-- Counts that would be counted twice: a year where the county's own row (township '', a figure
-- from its work report) and townships' rows both report the same count of the same table. The
-- county total is their sum, so one of them must go (checked on every candidate before publish).
WITH reported AS (
    UNPIVOT (
        SELECT source, year, region_code = '' AS county,
               COLUMNS(lambda c: c NOT IN ('source', 'grp', 'year', 'region_code', 'industry_code',
                                      'ownership_code', 'rows') AND NOT suffix(c, '_num')
                                      AND NOT suffix(c, '_den'))
        FROM facts
    ) ON COLUMNS(* EXCLUDE (source, year, county)) INTO NAME code VALUE v
)
SELECT year, source, code,
       sum(v) FILTER (WHERE county) AS county_value,
       sum(v) FILTER (WHERE NOT county) AS township_value
FROM reported
GROUP BY year, source, code
HAVING bool_or(county) AND bool_or(NOT county)
ORDER BY year, source, code;
