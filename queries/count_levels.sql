-- Who reports each count of the years $years (NULL = every year): the county's own row (township '',
-- a figure from its work report) and the townships' rows, each summed (NULL = not reported).
-- A count both report would be counted twice in the county total: build_candidate refuses that,
-- and a work report's county figure is written only where no township reports the count.
WITH reported AS (
    UNPIVOT (
        SELECT source, year, region_code = '' AS county,
               COLUMNS(lambda c: c NOT IN ('source', 'grp', 'year', 'region_code', 'industry_code',
                                           'ownership_code', 'rows')
                                 AND NOT suffix(c, '_num') AND NOT suffix(c, '_den'))
        FROM facts
        WHERE in_list($years, year)
    ) ON COLUMNS(* EXCLUDE (source, year, county)) INTO NAME code VALUE v
)
SELECT year, source, code,
       sum(v) FILTER (WHERE county) AS county_value,
       sum(v) FILTER (WHERE NOT county) AS township_value
FROM reported
GROUP BY year, source, code
ORDER BY year, source, code;
