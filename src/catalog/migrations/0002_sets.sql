-- Curated sets: ordered items with multilingual titles and captions, for exhibitions
-- and research.
CREATE TABLE sets (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    set_type    TEXT NOT NULL DEFAULT 'exhibition-temporary',
    venue       TEXT,
    dates       TEXT,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);

-- Titles and descriptions per language ('' when the language was not given).
CREATE TABLE set_texts (
    set_seq  INTEGER NOT NULL REFERENCES sets(seq) ON DELETE CASCADE,
    field    TEXT NOT NULL CHECK (field IN ('title', 'description')),
    lang     TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (set_seq, field, lang)
);

CREATE TABLE set_items (
    set_seq  INTEGER NOT NULL REFERENCES sets(seq) ON DELETE CASCADE,
    item_id  TEXT NOT NULL REFERENCES items(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (set_seq, item_id)
);
CREATE INDEX set_items_order ON set_items(set_seq, position);

CREATE TABLE set_captions (
    set_seq  INTEGER NOT NULL,
    item_id  TEXT NOT NULL,
    lang     TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (set_seq, item_id, lang),
    FOREIGN KEY (set_seq, item_id) REFERENCES set_items(set_seq, item_id) ON DELETE CASCADE
);
