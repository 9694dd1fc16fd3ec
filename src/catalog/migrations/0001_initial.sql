-- 0001: the first catalog schema. Never edit a migration that has shipped; add a new one.

CREATE TABLE items (
    -- AUTOINCREMENT: a sequence number is never handed out twice, even after deletes.
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    title           TEXT,
    description     TEXT,
    date            TEXT,
    date_earliest   INTEGER,
    date_latest     INTEGER,
    creator         TEXT,
    collection      TEXT,
    source_archive  TEXT,
    source_country  TEXT,
    reference       TEXT,
    donor           TEXT,
    acquired        TEXT,
    custody         TEXT,
    rights          TEXT,
    access          TEXT NOT NULL DEFAULT 'open',
    withdrawn_at    TEXT,
    withdrawn_reason TEXT,
    -- sha256 over the item's master hashes in page order: the same files in the same
    -- order are one item, so re-running a manifest stores nothing twice.
    fingerprint     TEXT NOT NULL UNIQUE,
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL
);
CREATE INDEX items_collection ON items(collection);
CREATE INDEX items_kind ON items(kind);

CREATE TABLE item_titles (
    item_id TEXT NOT NULL REFERENCES items(id),
    lang    TEXT NOT NULL,
    text    TEXT NOT NULL,
    PRIMARY KEY (item_id, lang)
);

CREATE TABLE item_descriptions (
    item_id TEXT NOT NULL REFERENCES items(id),
    lang    TEXT NOT NULL,
    text    TEXT NOT NULL,
    PRIMARY KEY (item_id, lang)
);

CREATE TABLE item_langs (
    item_id  TEXT NOT NULL REFERENCES items(id),
    position INTEGER NOT NULL,
    lang     TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
);
CREATE INDEX item_langs_lang ON item_langs(lang);

-- persons, places and subjects
CREATE TABLE item_terms (
    item_id  TEXT NOT NULL REFERENCES items(id),
    field    TEXT NOT NULL CHECK (field IN ('person', 'place', 'subject')),
    position INTEGER NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (item_id, field, position)
);

CREATE TABLE item_meta (
    item_id TEXT NOT NULL REFERENCES items(id),
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (item_id, key)
);

-- One row per stored blob in objects/; written only after the blob is durable.
CREATE TABLE objects (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    created    TEXT NOT NULL
);

CREATE TABLE files (
    id         INTEGER PRIMARY KEY,
    item_id    TEXT NOT NULL REFERENCES items(id),
    role       TEXT NOT NULL CHECK (role IN ('master', 'access', 'thumbnail', 'text')),
    page       INTEGER,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES objects(sha256),
    created    TEXT NOT NULL
);
CREATE INDEX files_item ON files(item_id);
CREATE INDEX files_sha ON files(sha256);

CREATE TABLE texts (
    id       INTEGER PRIMARY KEY,
    item_id  TEXT NOT NULL REFERENCES items(id),
    source   TEXT NOT NULL CHECK (source IN ('transcript', 'ocr', 'pdf', 'translation')),
    lang     TEXT,
    page     INTEGER,
    name     TEXT,
    sha256   TEXT REFERENCES objects(sha256),
    encoding TEXT,
    body     TEXT NOT NULL,
    created  TEXT NOT NULL
);
CREATE INDEX texts_item ON texts(item_id);

-- Append-only history, in the spirit of PREMIS events.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id  TEXT REFERENCES items(id),
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    agent    TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_item ON events(item_id);

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
