-- The latest year before $before_year in which township $region reported (unit rows or totals); NULL if none.
SELECT max(year) AS year FROM (
    SELECT year FROM unit_year WHERE region_code = $region AND year < $before_year
    UNION ALL
    SELECT year FROM region_year WHERE region_code = $region AND year < $before_year
);
