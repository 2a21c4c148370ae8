-- Aid per program and year for the chosen townships: households (户次) for hardship programs,
-- persons (人) for model-worker visits, yuan for both.
SELECT
    a.year,
    p.code AS program_code,
    p.name_zh,
    p.name_en,
    p.kind,
    p.sort_order,
    sum(a.households) AS households,
    sum(a.persons) AS persons,
    sum(a.yuan) AS yuan
FROM aid AS a
JOIN aid_programs AS p ON p.code = a.program_code
WHERE in_list($years, a.year)
  AND in_list($regions, a.region_code)
GROUP BY ALL
ORDER BY a.year, p.sort_order;
