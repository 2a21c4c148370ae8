-- Plan targets for a year; region_code '' is the whole county.
SELECT indicator, region_code, value FROM targets WHERE year = $year ORDER BY indicator, region_code;
