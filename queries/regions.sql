-- Townships, streets and zones in display order.
SELECT code, name_zh, name_en, kind, sort_order FROM regions ORDER BY sort_order, code;
