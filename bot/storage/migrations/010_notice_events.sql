-- Notices written with their change (issue 8, item 6).
--
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
