-- One township's unit rows of one year with each unit's credit code, by name: the register a
-- township's workbook for the next year starts from.
SELECT uy.*, u.credit_code
FROM unit_year AS uy
JOIN units AS u USING (unit_id)
WHERE in_list($years, uy.year) AND uy.region_code = $region
ORDER BY uy.name, uy.unit_id;
