-- Work that one process at a time may do on a database (the outbox deliverer): the holder
-- renews its lease while it works; another process takes over only once it has expired.
CREATE TABLE lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
