-- When each object's bytes were last re-hashed and what was found, so scheduled fixity
-- on a big archive can check what is due (`verify --since DAYS`) or a sample of it.
CREATE TABLE object_fixity (
    sha256     TEXT PRIMARY KEY REFERENCES objects(sha256),
    checked_at INTEGER NOT NULL,            -- Unix seconds (UTC)
    outcome    TEXT NOT NULL CHECK (outcome IN ('ok', 'missing', 'corrupt'))
);
CREATE INDEX object_fixity_checked_at ON object_fixity (checked_at);

-- Facts about the archive itself. `id` is made once, copied into every backup, and lets
-- `hishatak backup` refuse to mix two archives in one destination.
CREATE TABLE archive_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO archive_info (key, value) VALUES ('id', lower(hex(randomblob(16))));
