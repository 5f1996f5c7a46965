-- An update is data before it is work.
--
-- Every update Telegram sends is written here before Telegram is told it arrived (the next
-- getUpdates offset, or the webhook's HTTP 200). It is handled from here and marked handled in
-- the same transaction as the conversation state it changed and the replies it produced, so a
-- `kill -9` at any moment loses no message a person sent, and an `update_id` delivered twice is
-- handled once. Once handled, the payload (what the person typed) is dropped; the id stays a
-- while to recognise a late redelivery.

CREATE TABLE inbound_update (
    update_id   INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    -- The update as JSON; NULL once handled.
    payload     TEXT,
    handled_at  TEXT
);
CREATE INDEX inbound_update_unhandled ON inbound_update(update_id) WHERE handled_at IS NULL;
CREATE INDEX inbound_update_handled ON inbound_update(handled_at) WHERE handled_at IS NOT NULL;

-- The direct answers an update produced, committed with it and sent right after the commit.
-- A row is deleted once Telegram answered it; rows left by a crash are sent on the next start,
-- before any update is handled. At least once: a reply whose request was on the wire at the
-- crash arrives twice (a repeated question is harmless, a missing one is not).
CREATE TABLE reply_queue (
    id        INTEGER PRIMARY KEY,
    update_id INTEGER NOT NULL,
    chat_id   INTEGER NOT NULL,
    -- {"method": "send" | "edit", "chat_id", "text", "reply_markup", "message_id"?}
    request   TEXT NOT NULL
);
