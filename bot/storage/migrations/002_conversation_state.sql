-- Where python-telegram-bot keeps conversation state and per-user drafts, so a restart
-- (even kill -9) resumes every conversation where it stood.

CREATE TABLE ptb_conversation (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (name, key)
);

CREATE TABLE ptb_user_data (
    user_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL
);

CREATE TABLE ptb_chat_data (
    chat_id INTEGER PRIMARY KEY,
    data    TEXT NOT NULL
);
