-- Personal data as Vietnam's Law 91/2025/QH15 on Personal Data Protection asks (issue 12,
-- item 4): the privacy notice accepted, a person's request to erase their data, and a record
-- of every file of data the bot hands out.

-- When the person pressed "Tôi đồng ý" under the privacy notice (at registration, or later
-- for people registered before it existed); NULL: not accepted (yet).
ALTER TABLE app_user ADD COLUMN privacy_accepted_at TEXT;
-- When the notice was shown, once, to someone registered before it existed: they are not
-- asked again, whether or not they pressed.
ALTER TABLE app_user ADD COLUMN privacy_shown_at TEXT;

-- A person's request to erase their data (/mydata), for the province admins to decide. Once
-- decided `erased` or `anonymised`, `telegram_id` holds the stand-in id the person's records
-- were moved to (a negative number: no Telegram user has one), never their own.
CREATE TABLE erasure_request (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER NOT NULL,
    requested_at TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'erased', 'anonymised', 'rejected')),
    decided_by   INTEGER,
    decided_at   TEXT,
    CHECK (status = 'pending' OR decided_by IS NOT NULL)
);
-- One open request per person: asking twice returns the first.
CREATE UNIQUE INDEX erasure_one_pending ON erasure_request(telegram_id) WHERE status = 'pending';

-- Every file of data sent out (a statistics workbook, a person's own data): who, when, what
-- kind, over which unit. `personal` = 1 when it holds personal data (names, phone numbers).
-- Kept as long as the audit log (KHUYENHOC_AUDIT_RETENTION_DAYS).
CREATE TABLE data_export (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    unit_id   INTEGER REFERENCES unit(id),
    detail    TEXT CHECK (detail IS NULL OR length(detail) <= 200),
    personal  INTEGER NOT NULL CHECK (personal IN (0, 1)),
    row_count INTEGER CHECK (row_count IS NULL OR row_count >= 0)
);
CREATE INDEX data_export_at ON data_export(at);

-- The daily retention job deletes audit lines and export records older than their period.
CREATE INDEX audit_at ON audit_log(at);
