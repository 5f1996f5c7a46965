-- The administrative hierarchy, the people who use the bot and what they may do.

CREATE TABLE unit (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES unit(id),
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'branch')),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    name_folded TEXT NOT NULL,
    kind        TEXT NOT NULL,
    -- Materialised path of ids, '/1/4/57/': everything under a unit is one prefix query.
    path        TEXT NOT NULL UNIQUE,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX unit_parent ON unit(parent_id, name_folded);
CREATE UNIQUE INDEX unit_sibling_name ON unit(coalesce(parent_id, 0), name_folded);

CREATE TABLE app_user (
    telegram_id INTEGER PRIMARY KEY,
    full_name   TEXT CHECK (full_name IS NULL OR length(full_name) BETWEEN 2 AND 100),
    language    TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    -- 0 once Telegram answers Forbidden: the person blocked the bot.
    reachable   INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE role_grant (
    id          INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL REFERENCES app_user(telegram_id),
    role        TEXT NOT NULL CHECK (role IN
                    ('volunteer', 'branch_head', 'commune_chair', 'district_chair', 'province_admin')),
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    granted_by  INTEGER,
    granted_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    UNIQUE (telegram_id, role, unit_id)
);
CREATE INDEX role_grant_unit ON role_grant(unit_id, role);

CREATE TABLE invite (
    code        TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
);

CREATE TABLE registration_request (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER NOT NULL REFERENCES app_user(telegram_id),
    full_name    TEXT NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_at TEXT NOT NULL,
    decided_by   INTEGER,
    decided_at   TEXT
);
-- One open request per person: asking twice returns the first.
CREATE UNIQUE INDEX registration_one_pending ON registration_request(telegram_id)
    WHERE status = 'pending';

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    actor_id   INTEGER,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
