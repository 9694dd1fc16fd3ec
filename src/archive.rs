//! An archive is a folder: settings, catalog, objects, index, exports.

use std::fs;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::error::{Error, IoContext, Result};
use crate::settings::Settings;
use crate::store::{ObjectStore, Store};

/// The settings file that marks a folder as an archive.
pub const SETTINGS_FILE: &str = "hishatak.toml";
/// The catalog database.
pub const CATALOG_FILE: &str = "catalog.sqlite";

/// An open archive.
pub struct Archive {
    root: PathBuf,
    /// Its settings.
    pub settings: Settings,
    /// Its catalog.
    pub catalog: Catalog,
    /// Its object store (the local `objects/` folder; see `store::ObjectStore`).
    pub store: Box<dyn ObjectStore>,
}

impl Archive {
    /// Create an archive in `dir` (created if absent). An existing archive is refused;
    /// a folder with other files in it is accepted only if it has no `hishatak.toml`.
    pub fn init(dir: &Path, name: Option<&str>) -> Result<Archive> {
        let settings_path = dir.join(SETTINGS_FILE);
        if settings_path.exists() {
            return Err(Error::invalid(format!(
                "{} is already a hishatak archive; nothing was changed",
                dir.display()
            )));
        }
        fs::create_dir_all(dir).at(dir)?;
        for sub in ["objects", "index", "exports"] {
            let p = dir.join(sub);
            fs::create_dir_all(&p).at(&p)?;
        }
        let default_name = dir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "archive".to_string());
        let settings = Settings::new(name.unwrap_or(&default_name));
        // The catalog first: the settings file is what makes the folder an archive, so it
        // is written last, atomically.
        Catalog::open(&dir.join(CATALOG_FILE), true)?;
        let tmp = dir.join(".hishatak.toml.tmp");
        fs::write(&tmp, settings.to_toml()).at(&tmp)?;
        fs::File::open(&tmp).and_then(|f| f.sync_all()).at(&tmp)?;
        fs::rename(&tmp, &settings_path).at(&settings_path)?;
        crate::store::sync_dir(dir)?;
        Archive::open(dir)
    }

    /// Open the archive in `dir`.
    pub fn open(dir: &Path) -> Result<Archive> {
        let settings_path = dir.join(SETTINGS_FILE);
        if !settings_path.is_file() {
            return Err(Error::NotAnArchive(dir.to_path_buf()));
        }
        let settings = Settings::load(&settings_path)?;
        let catalog_path = dir.join(CATALOG_FILE);
        if !catalog_path.is_file() {
            return Err(Error::Corruption {
                what: catalog_path.display().to_string(),
                detail: "the catalog is missing; restore catalog.sqlite from a backup".into(),
            });
        }
        let catalog = Catalog::open(&catalog_path, false)?;
        let objects = dir.join("objects");
        fs::create_dir_all(&objects).at(&objects)?;
        Ok(Archive {
            root: dir.to_path_buf(),
            settings,
            catalog,
            store: Box::new(Store::new(objects)),
        })
    }

    /// The archive folder.
    pub fn root(&self) -> &Path {
        &self.root
    }
}
