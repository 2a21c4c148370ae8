-- Years that hold any data, newest last.
SELECT year FROM cube
UNION SELECT year FROM inspections
UNION SELECT year FROM arrears
UNION SELECT year FROM aid
UNION SELECT year FROM subsidies
ORDER BY year;
