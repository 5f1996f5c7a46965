-- A person waiting for approval may withdraw their registration request, or replace it with one
-- for another branch: `withdrawn` is one more status (decided_by is then the person themselves).
-- Nothing is deleted. SQLite cannot change a CHECK constraint in place, so the table is copied;
-- no other table refers to it.

CREATE TABLE registration_request_new (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER NOT NULL REFERENCES app_user(telegram_id),
    full_name    TEXT NOT NULL,
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    requested_at TEXT NOT NULL,
    decided_by   INTEGER,
    decided_at   TEXT
);

INSERT INTO registration_request_new
    (id, telegram_id, full_name, unit_id, status, requested_at, decided_by, decided_at)
SELECT id, telegram_id, full_name, unit_id, status, requested_at, decided_by, decided_at
FROM registration_request;

DROP TABLE registration_request;

ALTER TABLE registration_request_new RENAME TO registration_request;

-- One open request per person: asking twice returns the first.
CREATE UNIQUE INDEX registration_one_pending ON registration_request(telegram_id)
    WHERE status = 'pending';
