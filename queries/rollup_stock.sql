-- The county's year-end stock as ONE region for reporting up (unionstats/reportup.py): the cube's
-- counts of every township summed by industry × ownership code, in the shape of region_year.
-- Unit rows and township totals are already one shape in the cube (queries/build_cube.sql), so the
-- roll-up counts exactly what the county's pages count. sum() skips blanks and is NULL when every
-- row left a count blank: "not reported" stays NULL, never 0. Each rate's _num/_den pair comes
-- along so the caller can tell a cell whose rows did not all report both parts of a rate.
SELECT
    industry_code,
    ownership_code,
    sum(COLUMNS(lambda c: c NOT IN ('year', 'region_code', 'industry_code', 'ownership_code', 'rows')))
FROM cube
WHERE in_list($years, year)
GROUP BY ALL
ORDER BY industry_code, ownership_code;
