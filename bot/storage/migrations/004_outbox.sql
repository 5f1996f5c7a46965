-- Messages to many people (chair broadcasts, campaign reminders): one outbox row per recipient.
--
-- A row moves pending -> sending (claimed by the deliverer) -> on the wire (dispatched_at set and
-- committed before the HTTP call) -> sent | failed | blocked. After a crash, 'sending' rows never
-- dispatched go back to pending; dispatched ones may have reached the person, so they become
-- 'unknown' and are not sent again unless someone requeues them on purpose.

CREATE TABLE broadcast (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('broadcast', 'reminder')),
    -- Telegram id of the chair who sent it; NULL for reminders the bot sends by itself.
    created_by          INTEGER,
    created_at          TEXT NOT NULL,
    -- What the sender wrote, before personalisation.
    text                TEXT,
    -- e.g. 'reminder:thang_khuyen_hoc:2026:weekly:2026-10-05': a slot is enqueued once, ever.
    dedupe_key          TEXT UNIQUE,
    -- The sender's "sent 1.234/5.000" message, edited as delivery goes on.
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    finished_at         TEXT
);
CREATE INDEX broadcast_unfinished ON broadcast(id) WHERE finished_at IS NULL;

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    broadcast_id        INTEGER NOT NULL REFERENCES broadcast(id),
    recipient_id        INTEGER NOT NULL,
    text                TEXT NOT NULL CHECK (length(text) > 0),
    reply_markup        TEXT,
    status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                            ('pending', 'sending', 'sent', 'failed', 'blocked', 'unknown')),
    -- Finished attempts (sent, refused or failed); a 429 is not an attempt.
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT,
    -- A retry after a network error waits until then; NULL means now.
    next_attempt_at     TEXT,
    claimed_at          TEXT,
    -- Committed just before each HTTP call; cleared when claimed and when Telegram answers 429.
    dispatched_at       TEXT,
    sent_at             TEXT,
    telegram_message_id INTEGER,
    UNIQUE (broadcast_id, recipient_id)
);
-- Claiming walks pending rows in id order; recovery looks at the few rows in flight.
CREATE INDEX outbox_pending ON outbox(id) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox(id) WHERE status = 'sending';
CREATE INDEX outbox_progress ON outbox(broadcast_id, status);
