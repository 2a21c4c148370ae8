-- Meeting notes for a year; region_code '' is the whole county.
SELECT region_code, text FROM notes WHERE year = $year ORDER BY region_code;
