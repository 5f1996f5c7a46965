-- Lists of nominations (issue 10, item 3): a branch head or a chair nominates many subjects
-- for one title and year at once (names pasted or a workbook filled), and the chair who
-- recognises that title decides the list as a whole: recognised in one tap, with some entries
-- left out, or returned with a reason.
--
-- Each entry is an ordinary nomination row (the same rules, counters, /myreports, and the
-- index that lets a subject hold or await a title once a year), pointing at its list through
-- `nomination.list_id`; a nomination made on its own has none. The list's own status is its
-- decision: 'decided' (its entries recognised, those left out rejected) or 'returned' (every
-- entry still pending rejected with `return_reason`, nothing recognised).
-- `idempotency_key` is the draft's key: sending the same list twice finds the first one.
CREATE TABLE nomination_list (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('citizen', 'family', 'clan',
                        'village_community', 'learning_unit', 'commune_community')),
    unit_id         INTEGER NOT NULL REFERENCES unit(id),
    year            INTEGER NOT NULL CHECK (year BETWEEN 1945 AND 9999),
    reporter_id     INTEGER NOT NULL REFERENCES app_user(telegram_id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'decided', 'returned')),
    decided_by      INTEGER REFERENCES app_user(telegram_id),
    decided_at      TEXT,
    return_reason   TEXT CHECK (return_reason IS NULL OR length(return_reason) BETWEEN 1 AND 500),
    idempotency_key TEXT NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 100),
    CHECK (status <> 'returned' OR return_reason IS NOT NULL),
    CHECK (status = 'pending' OR decided_by IS NOT NULL)
);
-- The chairs' queues, as nomination_status.
CREATE INDEX nomination_list_status ON nomination_list(status, unit_id);
CREATE INDEX nomination_list_reporter ON nomination_list(reporter_id, created_at);

ALTER TABLE nomination ADD COLUMN list_id INTEGER REFERENCES nomination_list(id);
-- A list's entries; single nominations (NULL) are not indexed.
CREATE INDEX nomination_in_list ON nomination(list_id) WHERE list_id IS NOT NULL;
