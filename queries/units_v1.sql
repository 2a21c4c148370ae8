-- units.sql for a store of schema 1 (name and township kept on units), until it is upgraded.
SELECT unit_id, name, credit_code, region_code FROM units ORDER BY unit_id;
