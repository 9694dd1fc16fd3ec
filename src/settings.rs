//! `hishatak.toml`: the archive's settings, readable and editable by a person.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};

/// Version of the archive folder layout written by this hishatak.
pub const FORMAT_VERSION: u32 = 1;

/// The settings of one archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Layout version of the archive folder.
    pub format: u32,
    /// Name of the archive, shown in reports and exports.
    pub name: String,
    /// Languages the archive works in (ISO 639-1 codes); language detection is limited
    /// to these, and they order titles when an item has several.
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    /// Who holds the archive: used in exports (BagIt Source-Organization, Contact-*).
    #[serde(default)]
    pub organization: Organization,
    /// Sizes and quality of access copies and thumbnails.
    #[serde(default)]
    pub derivatives: Derivatives,
    /// Ingest tuning.
    #[serde(default)]
    pub ingest: IngestSettings,
    /// Search index settings.
    #[serde(default)]
    pub search: SearchSettings,
    /// Limits when reading inside files (decoding, PDF text, OCR).
    #[serde(default)]
    pub content: ContentSettings,
}

/// Limits when reading inside files.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContentSettings {
    /// Seconds one file may take to decode and make derivatives of before it is flagged.
    pub file_time_limit_s: u64,
    /// Seconds one OCR run (one page) may take.
    pub ocr_time_limit_s: u64,
}

impl Default for ContentSettings {
    fn default() -> Self {
        ContentSettings {
            file_time_limit_s: 120,
            ocr_time_limit_s: 120,
        }
    }
}

/// Search index settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    /// Memory the index writer may use, in MB (at least 15 per core is used).
    pub writer_memory_mb: usize,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            writer_memory_mb: 128,
        }
    }
}

/// The organisation that keeps the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// Name of the organisation.
    #[serde(default)]
    pub name: String,
    /// Postal address.
    #[serde(default)]
    pub address: String,
    /// Contact person.
    #[serde(default)]
    pub contact_name: String,
    /// Contact e-mail.
    #[serde(default)]
    pub contact_email: String,
}

/// Derivative image settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Derivatives {
    /// Long edge of access copies, in pixels.
    pub access_long_edge: u32,
    /// Long edge of thumbnails, in pixels.
    pub thumbnail_long_edge: u32,
    /// JPEG quality (1-100) of derivatives.
    pub jpeg_quality: u8,
}

impl Default for Derivatives {
    fn default() -> Self {
        Derivatives {
            access_long_edge: 2048,
            thumbnail_long_edge: 320,
            jpeg_quality: 85,
        }
    }
}

/// Ingest settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IngestSettings {
    /// Items committed to the catalog per transaction.
    pub batch_items: usize,
    /// Bytes staged before a commit, at most (a batch closes at whichever comes first).
    pub batch_bytes: u64,
}

impl Default for IngestSettings {
    fn default() -> Self {
        IngestSettings {
            batch_items: 1500,
            batch_bytes: 1 << 30,
        }
    }
}

fn default_languages() -> Vec<String> {
    ["en", "hy", "ru", "tr", "fr", "de"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

impl Settings {
    /// Settings of a new archive.
    pub fn new(name: &str) -> Settings {
        Settings {
            format: FORMAT_VERSION,
            name: name.to_string(),
            languages: default_languages(),
            organization: Organization::default(),
            derivatives: Derivatives::default(),
            ingest: IngestSettings::default(),
            search: SearchSettings::default(),
            content: ContentSettings::default(),
        }
    }

    /// Read and check `hishatak.toml`.
    pub fn load(path: &Path) -> Result<Settings> {
        let text = std::fs::read_to_string(path).at(path)?;
        let s: Settings = toml::from_str(&text).map_err(|e| Error::Settings {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        if s.format > FORMAT_VERSION {
            return Err(Error::Settings {
                path: path.to_path_buf(),
                detail: format!(
                    "archive format {} is newer than this hishatak knows ({FORMAT_VERSION}); install a newer hishatak",
                    s.format
                ),
            });
        }
        if s.ingest.batch_items == 0 {
            return Err(Error::Settings {
                path: path.to_path_buf(),
                detail: "ingest.batch_items must be at least 1".into(),
            });
        }
        Ok(s)
    }

    /// The file text, with comments that explain each setting.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!(
            "# hishatak archive settings. Edit with care; `hishatak` reads this on every command.\n\
             # languages: ISO 639-1 codes the archive works in (detection and title order).\n\
             # [organization]: used in exports (BagIt Source-Organization and Contact fields).\n\
             # [derivatives]: long edge in pixels of access copies and thumbnails, JPEG quality.\n\
             # [ingest]: items and bytes per catalog transaction.\n\
             # [search]: memory of the index writer in MB.\n\
             # [content]: seconds a file may take to decode, and an OCR run per page.\n\n{body}"
        )
    }
}
