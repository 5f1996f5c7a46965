-- Exactly once where it can be known, never twice where it cannot (issue 8, items 1 and 6).

-- A committed answer's request is marked the moment it is handed to the HTTP client (after the
-- rate limiter gave it its turn). A row still marked after a crash may or may not have reached
-- Telegram, which offers no way to ask: it is not sent again, as the outbox does with its
-- 'unknown' rows. A row not marked never left and is sent on restart.
ALTER TABLE reply_queue ADD COLUMN left_at TEXT;

-- A change that someone else must hear about (a registration request, a decision, a new
-- nomination) writes one of these in its own transaction. The message itself is rendered in
-- the recipient's language afterwards and committed to reply_queue in the transaction that
-- deletes the event, so a crash between the two only delays the notice to the next start.
CREATE TABLE notice_event (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    record_id  INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
