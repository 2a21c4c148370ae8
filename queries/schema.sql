-- Store schema. Counts are stored, rates are derived (DESIGN.md §3).
-- Stocks are "as of year end"; flows are "during the year".

CREATE TABLE settings (            -- key/value: county name, demo flag, year basis, schema version
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE regions (             -- townships, streets, development zones of the county
    code       VARCHAR PRIMARY KEY,
    name_zh    VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL CHECK (kind IN ('乡', '镇', '街道', '园区')),
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
    unit_id        INTEGER PRIMARY KEY,
    credit_code    VARCHAR         -- 统一社会信用代码, optional: the same code is the same unit
);

-- Name, township, industry and ownership belong to the unit-year: a unit that moves, is renamed
-- or restructured keeps its earlier years as they were reported (DESIGN.md §3).
CREATE TABLE unit_year (           -- stock per unit per year, plus the year's joiners
    year                 INTEGER NOT NULL,
    unit_id              INTEGER NOT NULL REFERENCES units (unit_id),
    name                 VARCHAR NOT NULL,   -- the name it reported that year
    region_code          VARCHAR NOT NULL REFERENCES regions (code),
    industry_code        VARCHAR NOT NULL REFERENCES industries (code),
    ownership_code       VARCHAR NOT NULL REFERENCES ownership (code),
    employees            INTEGER NOT NULL CHECK (employees >= 0),
    female_employees     INTEGER NOT NULL CHECK (female_employees BETWEEN 0 AND employees),
    migrant_workers      INTEGER NOT NULL CHECK (migrant_workers BETWEEN 0 AND employees),
    members              INTEGER NOT NULL CHECK (members BETWEEN 0 AND employees),
    female_members       INTEGER NOT NULL CHECK (female_members BETWEEN 0 AND members),
    migrant_members      INTEGER NOT NULL CHECK (migrant_members BETWEEN 0 AND members),
    members_joined       INTEGER NOT NULL CHECK (members_joined BETWEEN 0 AND members), -- flow: joined during the year
    union_status         VARCHAR NOT NULL CHECK (union_status IN ('none', 'own', 'joint')),
    union_founded_year   INTEGER,  -- year the unit's own union was founded
    has_congress         BOOLEAN NOT NULL,   -- 职代会
    has_openness         BOOLEAN NOT NULL,   -- 厂务公开
    has_collective_contract BOOLEAN NOT NULL, -- 集体合同
    has_wage_agreement   BOOLEAN NOT NULL,   -- 工资专项集体合同
    employees_contracted INTEGER NOT NULL CHECK (employees_contracted BETWEEN 0 AND employees),
    PRIMARY KEY (year, unit_id)
);

CREATE TABLE region_year (         -- totals for townships with no unit register, at cube grain
    year                 INTEGER NOT NULL,
    region_code          VARCHAR NOT NULL REFERENCES regions (code),
    industry_code        VARCHAR NOT NULL REFERENCES industries (code),
    ownership_code       VARCHAR NOT NULL REFERENCES ownership (code),
    units                INTEGER NOT NULL CHECK (units >= 0),
    units_unionized      INTEGER NOT NULL CHECK (units_unionized BETWEEN 0 AND units),
    unions_new           INTEGER NOT NULL CHECK (unions_new BETWEEN 0 AND units_unionized),
    employees            INTEGER NOT NULL CHECK (employees >= 0),
    female_employees     INTEGER NOT NULL CHECK (female_employees BETWEEN 0 AND employees),
    migrant_workers      INTEGER NOT NULL CHECK (migrant_workers BETWEEN 0 AND employees),
    members              INTEGER NOT NULL CHECK (members BETWEEN 0 AND employees),
    female_members       INTEGER NOT NULL CHECK (female_members BETWEEN 0 AND members),
    migrant_members      INTEGER NOT NULL CHECK (migrant_members BETWEEN 0 AND members),
    members_joined       INTEGER NOT NULL CHECK (members_joined BETWEEN 0 AND members),
    units_congress       INTEGER NOT NULL CHECK (units_congress BETWEEN 0 AND units_unionized),
    units_openness       INTEGER NOT NULL CHECK (units_openness BETWEEN 0 AND units_unionized),
    units_collective_contract INTEGER NOT NULL CHECK (units_collective_contract BETWEEN 0 AND units_unionized),
    units_wage_agreement INTEGER NOT NULL CHECK (units_wage_agreement BETWEEN 0 AND units_unionized),
    employees_contracted INTEGER NOT NULL CHECK (employees_contracted BETWEEN 0 AND employees),
    PRIMARY KEY (year, region_code, industry_code, ownership_code)
);

CREATE TABLE inspections (         -- flow: labour-contract inspections during the year
    year               INTEGER NOT NULL,
    region_code        VARCHAR NOT NULL REFERENCES regions (code),
    industry_code      VARCHAR NOT NULL REFERENCES industries (code),
    ownership_code     VARCHAR NOT NULL REFERENCES ownership (code),
    units_inspected    INTEGER NOT NULL CHECK (units_inspected >= 0),
    units_compliant    INTEGER NOT NULL CHECK (units_compliant BETWEEN 0 AND units_inspected),
    workers_helped_sign INTEGER NOT NULL CHECK (workers_helped_sign >= 0),
    PRIMARY KEY (year, region_code, industry_code, ownership_code)
);

CREATE TABLE arrears (             -- flow: wage arrears recovered during the year
    year               INTEGER NOT NULL,
    region_code        VARCHAR NOT NULL REFERENCES regions (code),
    industry_code      VARCHAR NOT NULL REFERENCES industries (code),
    ownership_code     VARCHAR NOT NULL REFERENCES ownership (code),
    cases              INTEGER NOT NULL CHECK (cases >= 0),
    workers            INTEGER NOT NULL CHECK (workers >= 0),
    migrant_workers    INTEGER NOT NULL CHECK (migrant_workers BETWEEN 0 AND workers),
    yuan_recovered     BIGINT  NOT NULL CHECK (yuan_recovered >= 0),
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
    region_code   VARCHAR NOT NULL REFERENCES regions (code),
    program_code  VARCHAR NOT NULL REFERENCES aid_programs (code),
    households    INTEGER NOT NULL CHECK (households >= 0),
    persons       INTEGER NOT NULL CHECK (persons >= 0),
    yuan          BIGINT  NOT NULL CHECK (yuan >= 0),
    PRIMARY KEY (year, region_code, program_code)
);

CREATE TABLE subsidies (           -- flow: subsidies to grassroots unions (职工之家 etc.)
    year            INTEGER NOT NULL,
    region_code     VARCHAR NOT NULL REFERENCES regions (code),
    unions_supported INTEGER NOT NULL CHECK (unions_supported >= 0),
    yuan            BIGINT  NOT NULL CHECK (yuan >= 0),
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

CREATE TABLE imports (             -- every import, its outcome
    import_id   INTEGER PRIMARY KEY,
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    row_counts  VARCHAR NOT NULL,  -- JSON {table: rows}
    imported_at TIMESTAMP NOT NULL,
    imported_by VARCHAR NOT NULL,
    outcome     VARCHAR NOT NULL
);
