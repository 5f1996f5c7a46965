-- Units with a life: the map changes (1 November 2024: communes merged; 1 July 2025: no more
-- districts, Thái Bình part of Hưng Yên), and the history filed on the old map must stay.
--
-- valid_from: the day a unit came into force (NULL: unknown, or always); valid_to: the first
-- day it is no longer in force (NULL: in force). An ended unit keeps its row with active = 0,
-- so today's pickers do not offer it, and names its successor(s) in unit_successor.
-- The middle level ('district') is a district on the old map and an optional area ("cụm",
-- kind 'area') on the new one: a commune's parent is the province when there is none.
--
-- Statistics-office codes are reused: the new xã Tân Tiến took 12583, the code of the old
-- xã Đồng Tiến it absorbed. So a code (and a name among siblings) is unique only among units
-- in force, which SQLite cannot change in place: the table is copied. Other tables refer to
-- unit(id), so the checks of those references wait for the end of this migration's
-- transaction (defer_foreign_keys), by when every id is back.

PRAGMA defer_foreign_keys = ON;

-- Dropping and refilling the table looks up every row that refers to each unit: without these
-- (for the rest of this migration only) a province-size database takes minutes, not a second.
CREATE INDEX tmp_011_nomination_unit ON nomination(unit_id);
CREATE INDEX tmp_011_invite_unit ON invite(unit_id);
CREATE INDEX tmp_011_registration_unit ON registration_request(unit_id);

CREATE TABLE unit_before_011 AS SELECT * FROM unit;

DROP TABLE unit;

CREATE TABLE unit (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES unit(id),
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'branch')),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    name_folded TEXT NOT NULL,
    kind        TEXT NOT NULL,
    -- Materialised path of ids, '/1/4/57/': everything under a unit is one prefix query.
    path        TEXT NOT NULL UNIQUE,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    valid_from  TEXT CHECK (valid_from IS NULL OR date(valid_from) IS valid_from),
    valid_to    TEXT CHECK (valid_to IS NULL OR date(valid_to) IS valid_to),
    -- Where it lies (WGS 84 degrees) and how large it is, when the units file says.
    lat         REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
    lon         REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
    area_km2    REAL CHECK (area_km2 IS NULL OR area_km2 > 0),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from)
);

INSERT INTO unit (id, parent_id, level, code, name, name_folded, kind, path, active, created_at)
SELECT id, parent_id, level, code, name, name_folded, kind, path, active, created_at
FROM unit_before_011
ORDER BY id;

DROP TABLE unit_before_011;
DROP INDEX tmp_011_nomination_unit;
DROP INDEX tmp_011_invite_unit;
DROP INDEX tmp_011_registration_unit;

CREATE INDEX unit_parent ON unit(parent_id, name_folded);
CREATE INDEX unit_code ON unit(code);
CREATE UNIQUE INDEX unit_code_in_force ON unit(code) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX unit_sibling_name ON unit(coalesce(parent_id, 0), name_folded)
    WHERE valid_to IS NULL;

-- Where an ended unit went: one row per unit that took it (or part of it: `partly` = 1 when it
-- was split over several).
CREATE TABLE unit_successor (
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    successor_id INTEGER NOT NULL REFERENCES unit(id),
    partly       INTEGER NOT NULL DEFAULT 0 CHECK (partly IN (0, 1)),
    PRIMARY KEY (unit_id, successor_id),
    CHECK (unit_id <> successor_id)
) WITHOUT ROWID;
CREATE INDEX unit_successor_of ON unit_successor(successor_id);

-- Former names a unit in force is found by: the communes it was formed from (the units file's
-- `former_communes`; `partly` = 1 for one split over several new units, `*` in the file), when
-- the database never held them as units of their own.
CREATE TABLE unit_alias (
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    name_folded TEXT NOT NULL,
    partly      INTEGER NOT NULL DEFAULT 0 CHECK (partly IN (0, 1)),
    PRIMARY KEY (unit_id, name_folded)
) WITHOUT ROWID;
