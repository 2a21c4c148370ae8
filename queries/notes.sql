-- Meeting notes for a year; region_code '' is the whole county.
SELECT region_code, text FROM notes WHERE in_list($years, year) ORDER BY region_code;
