-- Who reported each count in $years within the scope. Per column of the facts view (a rate's
-- <code>_num is non-blank exactly where both its parts are): the table it comes from, how many
-- townships have it non-blank, whether the county's own row ('') has it, and how many townships
-- have any row of that table this year. UNPIVOT drops blanks, so a column no one filled has no
-- township. indicators.reported() turns this into "12个乡镇中11个填报".
WITH scoped AS (
    SELECT f.* EXCLUDE (grp, industry_code, ownership_code, rows)
    FROM facts AS f
    WHERE in_scope($regions, $industries, $ownership_group, f.region_code, f.industry_code, f.grp)
),
reports AS (
    UNPIVOT scoped ON COLUMNS(* EXCLUDE (source, year, region_code)) INTO NAME measure VALUE value
),
this_year AS (
    SELECT measure,
           count(DISTINCT region_code) FILTER (WHERE region_code <> '') AS regions,
           bool_or(region_code = '') AS county
    FROM reports
    WHERE in_list($years, year)
    GROUP BY measure
),
with_rows AS (
    SELECT source, count(DISTINCT region_code) FILTER (WHERE region_code <> '') AS with_rows
    FROM scoped
    WHERE in_list($years, year)
    GROUP BY source
)
SELECT
    m.measure,
    m.source,
    coalesce(t.regions, 0) AS regions,
    coalesce(t.county, false) AS county,
    coalesce(w.with_rows, 0) AS with_rows
FROM (SELECT DISTINCT measure, source FROM reports) AS m
LEFT JOIN this_year AS t USING (measure)
LEFT JOIN with_rows AS w USING (source)
ORDER BY m.measure;
