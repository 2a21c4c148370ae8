-- Every unit with what identifies it across imports (credit code, else name and township).
SELECT unit_id, name, credit_code, region_code FROM units ORDER BY unit_id;
