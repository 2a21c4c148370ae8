-- Plan targets for a year; region_code '' is the whole county.
SELECT indicator, region_code, value FROM targets WHERE in_list($years, year) ORDER BY indicator, region_code;
