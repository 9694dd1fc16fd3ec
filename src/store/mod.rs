//! The content-addressed object store: `objects/ab/cd/<sha256>`, written once, read-only.
//!
//! The commit protocol (see docs/format.md):
//! 1. each file is read once and hashed while it is copied into a temporary file under
//!    `objects/tmp/<writer>/`, a folder locked by the writing process;
//! 2. the temporary files are made durable: `fsync` each file for small batches, or one
//!    `syncfs` of the file system for large ones (the same guarantee, one flush);
//! 3. each is made read-only and renamed to its final name (or dropped when the same
//!    bytes are already stored), and the renames are made durable (`fsync` of each
//!    directory touched, or one more `syncfs`);
//! 4. only then does the caller commit the catalog rows that point at the objects.
//!
//! A crash at any step leaves, at worst, temporary files (removed by the next writer) or an
//! object with no catalog row (reported as an orphan by `verify`, reused by the next ingest
//! of the same bytes). A final name only ever holds complete, durable bytes.

mod hash;

pub use hash::{hash_file, Hashed};
pub(crate) use hash::{BulkWriter, Chunk};

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, IoContext, Result};

/// Batches with more staged files than this are flushed with one `syncfs` instead of
/// one `fsync` per file (measured: per-file fsync of 10,000 small files costs about 4x
/// a `cp` + `sync` of the same files here; see docs/performance.md).
const SYNCFS_THRESHOLD: usize = 16;

/// The object store of one archive.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// A file copied into the store's temporary area, hashed, not yet durable.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    /// Content hash (lowercase hex sha256).
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The first bytes of the content, for media-type sniffing.
    pub head: Vec<u8>,
}

impl Staged {
    /// A file hashed in place (dry runs): nothing was copied.
    pub fn hashed_only(h: Hashed) -> Staged {
        Staged {
            tmp: PathBuf::new(),
            sha256: h.sha256,
            size: h.size,
            head: h.head,
        }
    }

    /// The bytes: from the staged copy, or from `original` when nothing was copied.
    pub fn read_all(&self, original: &Path) -> Result<Vec<u8>> {
        let p = if self.tmp.as_os_str().is_empty() {
            original
        } else {
            &self.tmp
        };
        fs::read(p).at(p)
    }
}

/// Where a staged file's failure came from: the source (refuse that input, go on) or the
/// store (stop the batch: the disk is full or failing).
#[derive(Debug)]
pub enum StageError {
    /// The input could not be read.
    Source(Error),
    /// The store could not be written.
    Store(Error),
}

/// Objects given their final names by `ObjectWriter::place`, not yet durable.
#[derive(Debug, Default)]
pub struct Placement {
    /// Per object placed, whether it was new to the store (false: the same bytes were
    /// there already).
    pub new: Vec<bool>,
    /// The folders whose entries changed: a later `flush` makes them durable.
    folders: BTreeSet<PathBuf>,
}

/// The seam between hishatak and wherever object bytes live. Everything outside this
/// module reads and writes objects through it; the local folder (`Store`) is the one
/// implementation today. An S3-compatible store would be another: `read` a GET, `stat` a
/// HEAD, `writer` a session that uploads under a temporary key and copies to the final
/// key only after the upload is complete (see docs/scaling.md).
pub trait ObjectStore: Send + Sync {
    /// Where an object is, for messages and reports (a path, or a URL).
    fn locate(&self, sha256: &str) -> String;
    /// The stored size of an object, `None` when it is absent.
    fn stat(&self, sha256: &str) -> Result<Option<u64>>;
    /// The object's bytes, streamed.
    fn read(&self, sha256: &str) -> Result<Box<dyn Read + Send>>;
    /// Read the object again and hash it (fixity).
    fn rehash(&self, sha256: &str) -> Result<Hashed>;
    /// The names of every object present, sorted (for orphans).
    fn list(&self) -> Result<Vec<String>>;
    /// A file on this machine holding the bytes, for external programs (tesseract,
    /// pdftoppm) and decoders that want a path. A remote store downloads into a cache.
    fn local_file(&self, sha256: &str) -> Result<PathBuf>;
    /// Start writing: the caller stages objects, then commits them durable under their
    /// final names before it commits catalog rows that name them.
    fn writer(&self) -> Result<Box<dyn ObjectWriter>>;
}

/// One writer's session with an object store (see `ObjectStore::writer`).
pub trait ObjectWriter: Send + Sync {
    /// Copy bytes from `input` (named `name` in messages) aside, hashing them.
    fn stage(
        &self,
        input: &mut (dyn Read + Send),
        name: &Path,
        size_hint: u64,
    ) -> std::result::Result<Staged, StageError>;
    /// Stage a file.
    fn stage_file(&self, src: &Path) -> std::result::Result<Staged, StageError> {
        let meta = fs::metadata(src).map_err(|e| StageError::Source(Error::io(src, e)))?;
        if meta.is_dir() {
            return Err(StageError::Source(Error::invalid(format!(
                "{}: is a folder, not a file",
                src.display()
            ))));
        }
        let mut input = File::open(src).map_err(|e| StageError::Source(Error::io(src, e)))?;
        self.stage(&mut input, src, meta.len())
    }
    /// Make staged objects durable under their final names; per object, whether it was
    /// new (false: the same bytes were already stored).
    fn commit(&self, staged: &[Staged]) -> Result<Vec<bool>>;
    /// The first half of `commit`, for writers that pipeline batches: make the bytes of
    /// `staged` durable and, in the same flush, the names an earlier `place` left in
    /// `names`. Nothing may be committed that names an object before this returns.
    /// A store whose `place` is durable by itself has nothing to do here.
    fn flush(&self, staged: &[Staged], names: Option<&Placement>) -> Result<()> {
        let _ = (staged, names);
        Ok(())
    }
    /// The second half: give flushed objects their final names. The names are durable
    /// only after a later `flush` that is handed the returned `Placement`.
    fn place(&self, staged: &[Staged]) -> Result<Placement> {
        Ok(Placement {
            new: self.commit(staged)?,
            folders: BTreeSet::new(),
        })
    }
    /// Drop staged objects that will not be committed.
    fn discard(&self, staged: Vec<Staged>);
}

impl ObjectStore for Store {
    fn locate(&self, sha256: &str) -> String {
        self.path_of(sha256).display().to_string()
    }

    fn stat(&self, sha256: &str) -> Result<Option<u64>> {
        let p = self.path_of(sha256);
        match fs::metadata(&p) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(p, e)),
        }
    }

    fn read(&self, sha256: &str) -> Result<Box<dyn Read + Send>> {
        Ok(Box::new(self.open(sha256)?))
    }

    fn rehash(&self, sha256: &str) -> Result<Hashed> {
        hash_file(&self.path_of(sha256))
    }

    fn list(&self) -> Result<Vec<String>> {
        self.list_present()
    }

    fn local_file(&self, sha256: &str) -> Result<PathBuf> {
        Ok(self.path_of(sha256))
    }

    fn writer(&self) -> Result<Box<dyn ObjectWriter>> {
        Ok(Box::new(self.staging()?))
    }
}

impl ObjectWriter for Staging {
    fn stage(
        &self,
        input: &mut (dyn Read + Send),
        name: &Path,
        size_hint: u64,
    ) -> std::result::Result<Staged, StageError> {
        self.stage_reader(input, name, size_hint)
    }

    fn stage_file(&self, src: &Path) -> std::result::Result<Staged, StageError> {
        Staging::stage_file(self, src)
    }

    fn commit(&self, staged: &[Staged]) -> Result<Vec<bool>> {
        Staging::commit(self, staged)
    }

    fn flush(&self, staged: &[Staged], names: Option<&Placement>) -> Result<()> {
        Staging::flush(self, staged, names)
    }

    fn place(&self, staged: &[Staged]) -> Result<Placement> {
        Staging::place(self, staged)
    }

    fn discard(&self, staged: Vec<Staged>) {
        Staging::discard(self, staged)
    }
}

/// A writer's private temporary folder, locked while the writer lives.
pub struct Staging {
    dir: PathBuf,
    _lock: File,
    counter: AtomicU64,
    /// Worker threads whose sub-folder exists.
    made: std::sync::Mutex<Vec<usize>>,
    store: Store,
}

impl Store {
    /// The store rooted at `objects/`.
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store { root: root.into() }
    }

    /// The `objects/` folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the object with this hash lives.
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.fan_out(sha256).join(sha256)
    }

    /// The folder that holds the object with this hash: `objects/ab/cd`.
    fn fan_out(&self, sha256: &str) -> PathBuf {
        let (a, b) = (
            &sha256[..2.min(sha256.len())],
            &sha256[2.min(sha256.len())..4.min(sha256.len())],
        );
        self.root.join(a).join(b)
    }

    /// Whether an object is present.
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Open an object for reading.
    pub fn open(&self, sha256: &str) -> Result<File> {
        let p = self.path_of(sha256);
        File::open(&p).at(p)
    }

    /// Start writing: make this process's locked temporary folder, after removing the
    /// folders left by writers that are no longer running (an interrupted run).
    pub fn staging(&self) -> Result<Staging> {
        let tmp_root = self.root.join("tmp");
        fs::create_dir_all(&tmp_root).at(&tmp_root)?;
        self.clean_leftovers()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = tmp_root.join(format!("w{}-{nanos}", std::process::id()));
        fs::create_dir(&dir).at(&dir)?;
        let lock_path = dir.join("lock");
        let lock = File::create(&lock_path).at(&lock_path)?;
        lock.try_lock()
            .map_err(|e| Error::io(&lock_path, io::Error::other(format!("cannot lock: {e}"))))?;
        Ok(Staging {
            dir,
            _lock: lock,
            counter: AtomicU64::new(0),
            made: std::sync::Mutex::new(Vec::new()),
            store: self.clone(),
        })
    }

    /// Remove temporary folders whose writer is gone (their lock can be taken).
    /// Returns how many were removed.
    pub fn clean_leftovers(&self) -> Result<usize> {
        let tmp_root = self.root.join("tmp");
        let entries = match fs::read_dir(&tmp_root) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(Error::io(&tmp_root, e)),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry.at(&tmp_root)?;
            let path = entry.path();
            if !path.is_dir() {
                // A stray file (not ours): leave it for a person to look at.
                continue;
            }
            let lock_path = path.join("lock");
            let alive = match File::open(&lock_path) {
                // The lock is released when its writer exits, however it exits.
                Ok(f) => f.try_lock().is_err(),
                // No lock file: a writer is creating it this instant (a young folder),
                // or one died between the two steps (an old one).
                Err(_) => fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_none_or(|age| age < std::time::Duration::from_secs(60)),
            };
            if !alive {
                match fs::remove_dir_all(&path) {
                    Ok(()) => removed += 1,
                    // Its writer, or another cleaner, removed it first.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io(&path, e)),
                }
            }
        }
        Ok(removed)
    }

    /// Every object file present on disk (its name), for orphan detection.
    pub fn list_present(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let level = |p: &Path| -> Result<Vec<PathBuf>> {
            let mut v = Vec::new();
            match fs::read_dir(p) {
                Ok(rd) => {
                    for e in rd {
                        v.push(e.at(p)?.path());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(p, e)),
            }
            Ok(v)
        };
        for a in level(&self.root)? {
            let is_fan = |p: &Path| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .map(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_hexdigit()))
                    .unwrap_or(false)
            };
            if !a.is_dir() || !is_fan(&a) {
                continue;
            }
            for b in level(&a)? {
                if !b.is_dir() || !is_fan(&b) {
                    continue;
                }
                for f in level(&b)? {
                    if let Some(n) = f.file_name().and_then(|n| n.to_str()) {
                        out.push(n.to_string());
                    }
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

impl Staging {
    /// Copy `src` into the temporary area, hashing while copying.
    pub fn stage_file(&self, src: &Path) -> std::result::Result<Staged, StageError> {
        // Open, then ask the handle (no second path lookup).
        let input = File::open(src).map_err(|e| StageError::Source(Error::io(src, e)))?;
        let meta = input
            .metadata()
            .map_err(|e| StageError::Source(Error::io(src, e)))?;
        if meta.is_dir() {
            return Err(StageError::Source(Error::invalid(format!(
                "{}: is a folder, not a file",
                src.display()
            ))));
        }
        self.stage_reader(input, src, meta.len())
    }

    /// Copy bytes from `input` (named `name` in messages) into the temporary area.
    pub fn stage_reader(
        &self,
        input: impl Read + Send,
        name: &Path,
        size_hint: u64,
    ) -> std::result::Result<Staged, StageError> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        // One sub-folder per worker thread: threads creating files in one folder contend
        // for its lock (a third of small-file ingest time went to that).
        let thread = rayon::current_thread_index().unwrap_or(usize::MAX);
        let sub = self.dir.join(format!("t{thread}"));
        {
            let mut made = self.made.lock().unwrap_or_else(|p| p.into_inner());
            if !made.contains(&thread) {
                fs::create_dir_all(&sub).map_err(|e| StageError::Store(Error::io(&sub, e)))?;
                made.push(thread);
            }
        }
        let tmp = sub.join(format!("{n}.part"));
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| StageError::Store(Error::io(&tmp, e)))?;
        let h = crate::fault::hit("stage-write")
            .map_err(hash::CopyError::Write)
            .and_then(|()| hash::copy_hashing(input, &mut out, size_hint))
            .map_err(|e| match e {
                hash::CopyError::Read(e) => StageError::Source(Error::io(name, e)),
                hash::CopyError::Write(e) => StageError::Store(Error::io(&tmp, e)),
            });
        let h = match h {
            Ok(h) => h,
            Err(e) => {
                drop(out);
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
        };
        // Read-only now, through the open handle (no path lookup); the handle keeps its
        // write access, and the final name never holds a writable file.
        out.flush()
            .and_then(|()| out.set_permissions(read_only(&out)?))
            .map_err(|e| StageError::Store(Error::io(&tmp, e)))?;
        Ok(Staged {
            tmp,
            sha256: h.sha256,
            size: h.size,
            head: h.head,
        })
    }

    /// Make staged files durable under their final names. Returns, per file, whether it
    /// was new to the store (false: the same bytes were already there).
    pub fn commit(&self, staged: &[Staged]) -> Result<Vec<bool>> {
        if staged.is_empty() {
            return Ok(Vec::new());
        }
        self.flush(staged, None)?;
        let placed = self.place(staged)?;
        self.flush(&[], Some(&placed))?;
        Ok(placed.new)
    }

    /// Make the bytes of `staged` durable, and the names and folders `names` holds (from
    /// an earlier `place`), in one flush: one `syncfs` for a batch, an `fsync` per file
    /// and per folder for a few. Step 2 of the commit protocol for `staged`, the end of
    /// step 3 for `names` (docs/format.md).
    pub fn flush(&self, staged: &[Staged], names: Option<&Placement>) -> Result<()> {
        let folders = names.map_or(0, |p| p.folders.len());
        if staged.is_empty() && folders == 0 {
            return Ok(());
        }
        if folders > 0 {
            crate::fault::hit("dir-sync").at(&self.dir)?;
        }
        if !staged.is_empty() {
            crate::fault::hit("stage-sync").at(&self.dir)?;
        }
        if cfg!(target_os = "linux") && staged.len() + folders > SYNCFS_THRESHOLD {
            return sync_filesystem(&self.dir);
        }
        use rayon::prelude::*;
        staged.par_iter().try_for_each(|s| {
            let f = File::open(&s.tmp).at(&s.tmp)?;
            f.sync_all().at(&s.tmp)
        })?;
        for d in names.iter().flat_map(|p| &p.folders) {
            sync_dir(d)?;
        }
        Ok(())
    }

    /// Rename flushed files into place (they were made read-only when staged), making
    /// each fan-out folder first. The names are durable after the next `flush` that is
    /// given the returned `Placement`.
    ///
    /// The folders are made here, after the copying, and not by the threads that copy:
    /// a `mkdir` looks its name up in `objects/ab/`, and while a flush is writing that
    /// folder's block out, the lookup waits for the write (measured: a quarter of the
    /// copying threads' time on ext4).
    pub fn place(&self, staged: &[Staged]) -> Result<Placement> {
        // On two threads: the renames and folders are the pipeline's critical path while
        // the copying threads wait for it (the folders, in different parents, are made in
        // parallel; the renames share the file system's rename lock).
        if staged.len() < 64 {
            return self.place_run(staged);
        }
        let (first, second) = staged.split_at(staged.len() / 2);
        let (a, b) = std::thread::scope(|scope| {
            let other = scope.spawn(|| self.place_run(second));
            let a = self.place_run(first);
            (a, other.join())
        });
        let mut a = a?;
        let b = match b {
            Ok(b) => b?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        a.new.extend(b.new);
        a.folders.extend(b.folders);
        Ok(a)
    }

    /// `place` on this thread.
    fn place_run(&self, staged: &[Staged]) -> Result<Placement> {
        let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
        let mut new = Vec::with_capacity(staged.len());
        for s in staged {
            let dest = self.store.path_of(&s.sha256);
            crate::fault::hit("rename").at(&dest)?;
            let new_folder = match dest.parent() {
                Some(parent) => make_folder(parent)?,
                None => false,
            };
            let placed = place(&s.tmp, &dest, s.size)?;
            new.push(matches!(placed, Placed::Renamed));
            // A folder made here must itself reach the disk, with its parents' entries,
            // whatever became of the rename (on two threads, the other one may have
            // renamed the same bytes into it first).
            let levels = match (new_folder, placed) {
                (true, _) => 3,
                (false, Placed::Renamed) => 1,
                (false, Placed::Present) => 0,
            };
            let mut d = dest.parent();
            for _ in 0..levels {
                if let Some(p) = d {
                    folders.insert(p.to_path_buf());
                    d = p.parent();
                }
            }
        }
        Ok(Placement { new, folders })
    }

    /// Drop staged files that will not be committed.
    pub fn discard(&self, staged: Vec<Staged>) {
        for s in staged.iter().filter(|s| !s.tmp.as_os_str().is_empty()) {
            let _ = fs::remove_file(&s.tmp);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Best effort: a folder left behind is removed by the next writer.
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Make an object's fan-out folder unless it exists; true when it was made now.
fn make_folder(dir: &Path) -> Result<bool> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        // The first level is missing too.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(dir).at(dir)?;
            Ok(true)
        }
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// What `place` did with a staged file.
enum Placed {
    /// The same bytes were stored already; the staged copy was removed.
    Present,
    /// Renamed into its fan-out folder.
    Renamed,
}

/// Move a staged file to its final name `dest` (its folder exists: `make_folder`), never
/// replacing a good object.
///
/// On Linux one `renameat2(RENAME_NOREPLACE)` does the common case (a new object) in a
/// single call, where a check-then-rename took four (measured: the store's commit was a
/// fifth of small-file ingest). An existing object of the expected size is the same bytes
/// (the name is their hash); one of another size is damage, reported by `verify`, and the
/// fresh copy replaces it.
fn place(tmp: &Path, dest: &Path, size: u64) -> Result<Placed> {
    match rename_no_replace(tmp, dest) {
        Ok(()) => Ok(Placed::Renamed),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            if fs::metadata(dest).at(dest)?.len() == size {
                fs::remove_file(tmp).at(tmp)?;
                return Ok(Placed::Present);
            }
            fs::rename(tmp, dest).at(dest)?;
            Ok(Placed::Renamed)
        }
        // The folder was just made: the staged file itself is missing.
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Error::io(tmp, e)),
        Err(e) => Err(Error::io(dest, e)),
    }
}

#[cfg(target_os = "linux")]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // File systems without RENAME_NOREPLACE: check, then rename.
        Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOSYS) => rename_checked(from, to),
        Err(e) => Err(io::Error::from(e)),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    rename_checked(from, to)
}

/// Rename unless `to` exists. Another writer may rename between the check and the rename;
/// the name is the hash of the bytes, so it then replaces identical, durable bytes.
fn rename_checked(from: &Path, to: &Path) -> io::Result<()> {
    match fs::symlink_metadata(to) {
        Ok(_) => Err(io::Error::from(io::ErrorKind::AlreadyExists)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::rename(from, to),
        Err(e) => Err(e),
    }
}

/// The permissions of a stored object: read-only for everyone (set without a `stat`).
#[cfg(unix)]
fn read_only(_: &File) -> io::Result<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::Permissions::from_mode(0o444))
}

#[cfg(not(unix))]
fn read_only(f: &File) -> io::Result<fs::Permissions> {
    let mut p = f.metadata()?.permissions();
    p.set_readonly(true);
    Ok(p)
}

/// `fsync` a directory so that the names in it are durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    let f = File::open(dir).at(dir)?;
    match f.sync_all() {
        Ok(()) => Ok(()),
        // Some file systems refuse fsync on directories; their renames are synchronous.
        Err(e) if e.kind() == io::ErrorKind::InvalidInput => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// Flush everything written to the file system that holds `path`.
#[cfg(target_os = "linux")]
pub(crate) fn sync_filesystem(path: &Path) -> Result<()> {
    let f = File::open(path).at(path)?;
    rustix::fs::syncfs(&f).map_err(|e| Error::io(path, io::Error::from(e)))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn sync_filesystem(path: &Path) -> Result<()> {
    // Not reached: `commit` only takes the syncfs path on Linux.
    sync_dir(path)
}
