-- Store schema. Counts are stored, rates are derived (DESIGN.md §3).
-- Stocks are "as of year end"; flows are "during the year".

CREATE TABLE settings (            -- key/value: county name, demo flag, year basis, schema version
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE regions (             -- townships, streets, development zones of the county; or, in a
    code       VARCHAR PRIMARY KEY,    -- city federation's store, its counties (县/区/市, each imported
    name_zh    VARCHAR NOT NULL,       -- from a county's report-up file as one region)
    name_en    VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL CHECK (kind IN ('乡', '镇', '街道', '园区', '县', '区', '市')),
    sort_order INTEGER NOT NULL
);

CREATE TABLE industries (          -- GB/T 4754-2017 sections A–T
    code       VARCHAR PRIMARY KEY,
    name_zh    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE TABLE ownership (           -- ACFTU unit category codes; grp is the configurable 公有制/非公有制 mapping
    code       VARCHAR PRIMARY KEY,
    name_zh    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    grp        VARCHAR NOT NULL CHECK (grp IN ('public', 'nonpublic')),
    sort_order INTEGER NOT NULL
);

CREATE TABLE units (               -- employer units: identity only; never personal data
    unit_id        INTEGER NOT NULL,   -- one row each (queries/store_integrity.sql)
    credit_code    VARCHAR         -- 统一社会信用代码, optional: the same code is the same unit
);

-- Name, township, industry and ownership belong to the unit-year: a unit that moves, is renamed
-- or restructured keeps its earlier years as they were reported (DESIGN.md §3).
CREATE TABLE unit_year (           -- stock per unit per year, plus the year's joiners
    year                 INTEGER NOT NULL,
    unit_id              INTEGER NOT NULL,   -- units.unit_id
    name                 VARCHAR NOT NULL,   -- the name it reported that year
    region_code          VARCHAR NOT NULL,   -- regions.code
    industry_code        VARCHAR NOT NULL,   -- industries.code
    ownership_code       VARCHAR NOT NULL,   -- ownership.code
    employees            INTEGER          CHECK (employees >= 0),
    female_employees     INTEGER          CHECK (female_employees BETWEEN 0 AND employees),
    migrant_workers      INTEGER          CHECK (migrant_workers BETWEEN 0 AND employees),
    members              INTEGER          CHECK (members BETWEEN 0 AND employees),
    female_members       INTEGER          CHECK (female_members BETWEEN 0 AND members),
    migrant_members      INTEGER          CHECK (migrant_members BETWEEN 0 AND members),
    members_joined       INTEGER          CHECK (members_joined BETWEEN 0 AND members), -- flow: joined during the year
    union_status         VARCHAR NOT NULL CHECK (union_status IN ('none', 'own', 'joint')),
    union_founded_year   INTEGER,  -- year the unit's own union was founded
    has_congress         BOOLEAN NOT NULL,   -- 职代会
    has_openness         BOOLEAN NOT NULL,   -- 厂务公开
    has_collective_contract BOOLEAN NOT NULL, -- 集体合同
    has_wage_agreement   BOOLEAN NOT NULL,   -- 工资专项集体合同
    employees_contracted INTEGER          CHECK (employees_contracted BETWEEN 0 AND employees)
);                                 -- one row per (year, unit_id); the keys: queries/store_integrity.sql

-- Counts may be blank (NULL): "not reported" is never 0. Keys stay NOT NULL. industry_code or
-- ownership_code '' is a total not broken down: it counts in every total, in no industry or
-- ownership bar (those codes are checked by the importer, so no foreign key).
CREATE TABLE region_year (         -- totals for townships with no unit register, at cube grain
    year                 INTEGER NOT NULL,
    region_code          VARCHAR NOT NULL,  -- '' = the county as a whole (a figure from its work report)
    industry_code        VARCHAR NOT NULL,  -- '' = not broken down
    ownership_code       VARCHAR NOT NULL,  -- '' = not broken down
    units                INTEGER          CHECK (units >= 0),
    units_unionized      INTEGER          CHECK (units_unionized BETWEEN 0 AND units),
    unions_new           INTEGER          CHECK (unions_new BETWEEN 0 AND units_unionized),
    employees            INTEGER          CHECK (employees >= 0),
    female_employees     INTEGER          CHECK (female_employees BETWEEN 0 AND employees),
    migrant_workers      INTEGER          CHECK (migrant_workers BETWEEN 0 AND employees),
    members              INTEGER          CHECK (members BETWEEN 0 AND employees),
    female_members       INTEGER          CHECK (female_members BETWEEN 0 AND members),
    migrant_members      INTEGER          CHECK (migrant_members BETWEEN 0 AND members),
    members_joined       INTEGER          CHECK (members_joined BETWEEN 0 AND members),
    units_congress       INTEGER          CHECK (units_congress BETWEEN 0 AND units_unionized),
    units_openness       INTEGER          CHECK (units_openness BETWEEN 0 AND units_unionized),
    units_collective_contract INTEGER          CHECK (units_collective_contract BETWEEN 0 AND units_unionized),
    units_wage_agreement INTEGER          CHECK (units_wage_agreement BETWEEN 0 AND units_unionized),
    employees_contracted INTEGER          CHECK (employees_contracted BETWEEN 0 AND employees),
    PRIMARY KEY (year, region_code, industry_code, ownership_code)
);

CREATE TABLE inspections (         -- flow: labour-contract inspections during the year
    year               INTEGER NOT NULL,
    region_code        VARCHAR NOT NULL,  -- '' = the county as a whole (a figure from its work report)
    industry_code      VARCHAR NOT NULL,  -- '' = not broken down
    ownership_code     VARCHAR NOT NULL,  -- '' = not broken down
    units_inspected    INTEGER          CHECK (units_inspected >= 0),
    units_compliant    INTEGER          CHECK (units_compliant BETWEEN 0 AND units_inspected),
    workers_helped_sign INTEGER          CHECK (workers_helped_sign >= 0),
    PRIMARY KEY (year, region_code, industry_code, ownership_code)
);

CREATE TABLE arrears (             -- flow: wage arrears recovered during the year
    year               INTEGER NOT NULL,
    region_code        VARCHAR NOT NULL,  -- '' = the county as a whole (a figure from its work report)
    industry_code      VARCHAR NOT NULL,  -- '' = not broken down
    ownership_code     VARCHAR NOT NULL,  -- '' = not broken down
    cases              INTEGER          CHECK (cases >= 0),
    workers            INTEGER          CHECK (workers >= 0),
    migrant_workers    INTEGER          CHECK (migrant_workers BETWEEN 0 AND workers),
    yuan_recovered     BIGINT           CHECK (yuan_recovered >= 0),
    PRIMARY KEY (year, region_code, industry_code, ownership_code)
);

CREATE TABLE aid_programs (        -- kind: hardship aid (户次) or model-worker visits (人)
    code       VARCHAR PRIMARY KEY,
    name_zh    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL CHECK (kind IN ('hardship', 'model_worker')),
    sort_order INTEGER NOT NULL
);

CREATE TABLE aid (                 -- flow: aid paid during the year; households (户次) and persons (人) kept apart
    year          INTEGER NOT NULL,
    region_code   VARCHAR NOT NULL,  -- '' = the county as a whole (a figure from its work report)
    program_code  VARCHAR NOT NULL REFERENCES aid_programs (code),
    households    INTEGER          CHECK (households >= 0),
    persons       INTEGER          CHECK (persons >= 0),
    yuan          BIGINT           CHECK (yuan >= 0),
    PRIMARY KEY (year, region_code, program_code)
);

CREATE TABLE subsidies (           -- flow: subsidies to grassroots unions (职工之家 etc.)
    year            INTEGER NOT NULL,
    region_code     VARCHAR NOT NULL,  -- '' = the county as a whole (a figure from its work report)
    unions_supported INTEGER          CHECK (unions_supported >= 0),
    yuan            BIGINT           CHECK (yuan >= 0),
    PRIMARY KEY (year, region_code)
);

CREATE TABLE targets (             -- plan targets; region_code '' means the whole county
    year        INTEGER NOT NULL,
    indicator   VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL DEFAULT '',
    value       DOUBLE  NOT NULL,
    PRIMARY KEY (year, indicator, region_code)
);

CREATE TABLE notes (               -- meeting notes; region_code '' means the whole county
    year        INTEGER NOT NULL,
    region_code VARCHAR NOT NULL DEFAULT '',
    text        VARCHAR NOT NULL,
    PRIMARY KEY (year, region_code)
);

-- Rates published by others (the city, the province, the nation, the ILO), kept only to draw beside
-- the county's own: no cube, facts or indicators query reads this table, so nothing here is ever
-- summed into a county figure. Rates only (unit 'rate', a fraction 0..1): a province's count has no
-- meaning next to a county's.
CREATE TABLE reference_figures (
    year      INTEGER NOT NULL,
    body      VARCHAR NOT NULL CHECK (body IN ('city', 'province', 'nation', 'ilo')),  -- sheets.REFERENCE_BODIES
    indicator VARCHAR NOT NULL,   -- a rate's catalog code (checked by the importer)
    value     DOUBLE  NOT NULL CHECK (value BETWEEN 0 AND 1),
    unit      VARCHAR NOT NULL CHECK (unit = 'rate'),
    source    VARCHAR NOT NULL,   -- who published it, where: user text
    PRIMARY KEY (year, body, indicator)
);

CREATE TABLE imports (             -- every import, its outcome
    import_id   INTEGER PRIMARY KEY,
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    row_counts  VARCHAR NOT NULL,  -- JSON {table: rows}
    imported_at TIMESTAMP NOT NULL,
    imported_by VARCHAR NOT NULL,
    outcome     VARCHAR NOT NULL
);

-- Each township-year's sheet: the import that last brought its unit or total rows, and whether an
-- administrator returned it for correction (退回修改). An import of the township-year clears the
-- mark. Written with every snapshot, so an undo takes it back too. Stores before schema 4 lack it.
CREATE TABLE submissions (
    year         INTEGER NOT NULL,
    region_code  VARCHAR NOT NULL,
    import_id    INTEGER,            -- imports.import_id; NULL when the rows came without a recorded import
    file_name    VARCHAR,
    sha256       VARCHAR,
    submitted_at TIMESTAMP,
    submitted_by VARCHAR,
    status       VARCHAR NOT NULL CHECK (status IN ('submitted', 'returned')),
    note         VARCHAR NOT NULL DEFAULT '',  -- why it was returned
    marked_at    TIMESTAMP,          -- when and by whom it was returned
    marked_by    VARCHAR,
    PRIMARY KEY (year, region_code)
);


-- in_list(wanted, x): a filter list; NULL means "all". in_scope: the user's filter. A row not broken
-- down by industry or ownership ('') is outside every industry or ownership filter.
CREATE MACRO in_list(wanted, x) AS wanted IS NULL OR list_contains(wanted, x);
CREATE MACRO in_scope(regions, industries, ownership_group, region_code, industry_code, grp) AS
    in_list(regions, region_code) AND in_list(industries, industry_code)
    AND (ownership_group IS NULL OR grp = ownership_group);
-- The key of a row at a grain; NULL when the row is not broken down that way (county rows, totals
-- without industry/ownership, aid and subsidies recorded per township): such rows count only in
-- the county total. This one rule is also why aid is "not broken down" under an industry filter.
CREATE MACRO grain_key(grain, region_code, industry_code, ownership_code, grp) AS
    CASE grain
        WHEN 'county' THEN ''
        WHEN 'region' THEN nullif(region_code, '')
        WHEN 'industry' THEN nullif(industry_code, '')
        WHEN 'ownership' THEN nullif(ownership_code, '')
        WHEN 'ownership_group' THEN grp
    END;
-- A rate is computed over the rows that report both its parts: these keep a part only where the
-- other part is reported too, so sum(both_num) / sum(both_den) never mixes rows.
CREATE MACRO both_num(numerator, denominator) AS CASE WHEN denominator IS NOT NULL THEN numerator END;
CREATE MACRO both_den(numerator, denominator) AS CASE WHEN numerator IS NOT NULL THEN denominator END;
-- A count for a key: its sum where the key has rows (NULL when every row left it blank), 0 where
-- the key has no rows but the table has rows for the year, NULL ("not reported") otherwise.
CREATE MACRO reported_sum(key_rows, year_has_rows, total) AS
    CASE WHEN key_rows > 0 THEN total WHEN year_has_rows THEN 0 END;
