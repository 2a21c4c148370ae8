-- One setting by key (county name, demo flag, year basis).
SELECT value FROM settings WHERE key = $key;
