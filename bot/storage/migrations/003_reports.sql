-- What volunteers report (new members, title nominations, contributions to funds, awards
-- paid out of them) and the pre-aggregated counters the statistics read.
--
-- Nothing here is ever deleted: a withdrawn record keeps its row with status 'withdrawn'.
-- `idempotency_key` is the draft's key: saving the same draft twice finds the first row.
-- Dates are ISO 'YYYY-MM-DD' text; `date(x) IS x` refuses any other shape (pydantic checks
-- the calendar).

CREATE TABLE member (
    id              INTEGER PRIMARY KEY,
    full_name       TEXT NOT NULL CHECK (length(full_name) BETWEEN 2 AND 100),
    name_folded     TEXT NOT NULL,
    gender          TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    birth_year      INTEGER NOT NULL CHECK (birth_year BETWEEN 1900 AND 9999),
    joined_on       TEXT NOT NULL CHECK (date(joined_on) IS joined_on AND joined_on >= '1945-01-01'),
    phone           TEXT CHECK (phone IS NULL OR (phone GLOB '+84[0-9]*' AND length(phone) = 12)),
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    reporter_id     INTEGER NOT NULL REFERENCES app_user(telegram_id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 100)
);
-- likely_duplicates: same folded name and birth year within a commune.
CREATE INDEX member_name ON member(name_folded, birth_year);
CREATE INDEX member_unit ON member(unit_id, status);
CREATE INDEX member_reporter ON member(reporter_id, created_at);

CREATE TABLE nomination (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('citizen', 'family', 'clan',
                        'village_community', 'learning_unit', 'commune_community')),
    subject         TEXT NOT NULL CHECK (length(subject) BETWEEN 2 AND 100),
    subject_folded  TEXT NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    year            INTEGER NOT NULL CHECK (year BETWEEN 1945 AND 9999),
    note            TEXT CHECK (note IS NULL OR length(note) <= 500),
    reporter_id     INTEGER NOT NULL REFERENCES app_user(telegram_id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'recognised', 'rejected', 'withdrawn')),
    decided_by      INTEGER REFERENCES app_user(telegram_id),
    decided_at      TEXT,
    reject_reason   TEXT CHECK (reject_reason IS NULL OR length(reject_reason) BETWEEN 1 AND 500),
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    CHECK (status <> 'rejected' OR reject_reason IS NOT NULL),
    CHECK (status NOT IN ('recognised', 'rejected') OR decided_by IS NOT NULL)
);
-- A subject holds or awaits a title at most once a year.
CREATE UNIQUE INDEX nomination_one_open ON nomination(kind, unit_id, subject_folded, year)
    WHERE status IN ('pending', 'recognised');
-- pending_for: the chairs' queues.
CREATE INDEX nomination_status ON nomination(status, unit_id);
CREATE INDEX nomination_reporter ON nomination(reporter_id, created_at);

CREATE TABLE fund (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    kind        TEXT NOT NULL CHECK (kind IN ('unit', 'clan', 'family')),
    -- A unit's own fund has no name of its own (''): it is shown with the unit's name.
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    CHECK ((kind = 'unit' AND name = '') OR (kind <> 'unit' AND length(name) BETWEEN 2 AND 100)),
    UNIQUE (unit_id, kind, name_folded)
);

CREATE TABLE contribution (
    id                  INTEGER PRIMARY KEY,
    donor_name          TEXT NOT NULL CHECK (length(donor_name) BETWEEN 2 AND 100),
    donor_kind          TEXT NOT NULL CHECK (donor_kind IN ('individual', 'family', 'clan',
                            'enterprise', 'organisation', 'collective')),
    -- Whole đồng; for a gift in kind, its estimated value.
    amount              INTEGER NOT NULL CHECK (amount BETWEEN 1 AND 10000000000000),
    in_kind             INTEGER NOT NULL DEFAULT 0 CHECK (in_kind IN (0, 1)),
    in_kind_description TEXT CHECK (in_kind_description IS NULL
                            OR length(in_kind_description) BETWEEN 1 AND 500),
    fund_id             INTEGER NOT NULL REFERENCES fund(id),
    campaign            TEXT NOT NULL CHECK (campaign IN ('xuan_khuyen_hoc', 'thang_khuyen_hoc',
                            'one_day_salary', 'pig_raising', 'other')),
    contributed_on      TEXT NOT NULL
                            CHECK (date(contributed_on) IS contributed_on
                                   AND contributed_on >= '1945-01-01'),
    -- The fund's unit, copied so statistics need no join.
    unit_id             INTEGER NOT NULL REFERENCES unit(id),
    reporter_id         INTEGER NOT NULL REFERENCES app_user(telegram_id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    idempotency_key     TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    CHECK ((in_kind = 1) = (in_kind_description IS NOT NULL))
);
CREATE INDEX contribution_fund ON contribution(fund_id, status);
CREATE INDEX contribution_unit ON contribution(unit_id, contributed_on);
CREATE INDEX contribution_reporter ON contribution(reporter_id, created_at);

CREATE TABLE award (
    id              INTEGER PRIMARY KEY,
    recipient_name  TEXT NOT NULL CHECK (length(recipient_name) BETWEEN 2 AND 100),
    school          TEXT CHECK (school IS NULL OR length(school) BETWEEN 1 AND 100),
    class_name      TEXT CHECK (class_name IS NULL OR length(class_name) BETWEEN 1 AND 100),
    reason          TEXT NOT NULL CHECK (reason IN ('poor_overcoming', 'excellent_student',
                        'competition_prize', 'university_entrance', 'other')),
    amount          INTEGER NOT NULL CHECK (amount BETWEEN 1 AND 10000000000000),
    fund_id         INTEGER NOT NULL REFERENCES fund(id),
    awarded_on      TEXT NOT NULL
                        CHECK (date(awarded_on) IS awarded_on AND awarded_on >= '1945-01-01'),
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    reporter_id     INTEGER NOT NULL REFERENCES app_user(telegram_id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 100)
);
CREATE INDEX award_fund ON award(fund_id, status);
CREATE INDEX award_unit ON award(unit_id, awarded_on);
CREATE INDEX award_reporter ON award(reporter_id, created_at);

-- Statistics per unit and year, kept up to date in the transaction of every change to the
-- records above, for the unit and each of its ancestors. Indicator names live in
-- bot/services/counters.py; a missing row counts as 0.
CREATE TABLE stat_counter (
    unit_id   INTEGER NOT NULL REFERENCES unit(id),
    year      INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    value     INTEGER NOT NULL,
    PRIMARY KEY (unit_id, year, indicator)
) WITHOUT ROWID;
