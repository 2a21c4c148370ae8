-- GB/T 4754-2017 sections in display order.
SELECT code, name_zh, name_en, sort_order FROM industries ORDER BY sort_order, code;
