-- Ownership codes with their 公有制/非公有制 group.
SELECT code, name_zh, name_en, grp, sort_order FROM ownership ORDER BY sort_order, code;
