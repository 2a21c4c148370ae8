-- What identifies a unit across imports (credit code, else name and township): the latest
-- unit-year of each name in each township, as snapshots._match_units matches them.
SELECT uy.unit_id, uy.name, u.credit_code, uy.region_code
FROM unit_year AS uy
JOIN units AS u USING (unit_id)
QUALIFY row_number() OVER (PARTITION BY uy.name, uy.region_code ORDER BY uy.year DESC, uy.unit_id DESC) = 1
ORDER BY uy.unit_id, uy.name;
