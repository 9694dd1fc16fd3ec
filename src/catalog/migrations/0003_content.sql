-- What was read from inside each stored object: technical metadata, and why a file could
-- not be read (a flagged master is still kept, bit for bit).
CREATE TABLE object_meta (
    sha256     TEXT PRIMARY KEY REFERENCES objects(sha256),
    media_type TEXT NOT NULL,
    meta       TEXT NOT NULL DEFAULT '{}',
    problem    TEXT,
    analysed   TEXT NOT NULL
);

-- Perceptual hashes of image pages, for near-duplicate detection.
CREATE TABLE image_hashes (
    sha256 TEXT NOT NULL REFERENCES objects(sha256),
    page   INTEGER NOT NULL,
    hash   TEXT NOT NULL,
    PRIMARY KEY (sha256, page)
);

-- Per text source: OCR confidence, and the language detected in it.
ALTER TABLE texts ADD COLUMN confidence REAL;
ALTER TABLE texts ADD COLUMN detected_lang TEXT;
