//! Hashing while copying, with the hash on a second thread for large files so that the
//! copy runs at the speed of the disk.

use std::borrow::Borrow;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::mpsc::sync_channel;

use sha2::{Digest, Sha256};

use crate::error::{IoContext, Result};

/// Read size; 128 KiB blocks measured fastest for hashing here (shared/docs/facts.md).
const BLOCK: usize = 128 * 1024;
/// Chunk handed to the hashing thread when copying large files.
const CHUNK: usize = 1024 * 1024;
/// From this size on, hash on a second thread while the first one copies.
const PIPELINE_FROM: u64 = 8 * 1024 * 1024;
/// While a large file is copied through the page cache, its written bytes are handed to
/// the disk every this many bytes, so that the final `fsync` finds little left to write.
const WRITE_BEHIND: u64 = 16 * 1024 * 1024;
/// Alignment of direct writes (address, length and file offset): the largest logical
/// block size in common use.
const ALIGN: usize = 4096;
/// Bytes kept from the start of a file for media-type sniffing.
pub(crate) const HEAD: usize = 8192;

/// The result of hashing.
#[derive(Debug, Clone)]
pub struct Hashed {
    /// Lowercase hex sha256.
    pub sha256: String,
    /// Bytes read.
    pub size: u64,
    /// The first bytes.
    pub head: Vec<u8>,
}

pub(crate) enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

fn read_full(r: &mut (impl Read + ?Sized), buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Copy `input` to `out`, hashing every byte once on the way.
pub(crate) fn copy_hashing(
    mut input: impl Read + Send,
    out: &mut File,
    size_hint: u64,
) -> std::result::Result<Hashed, CopyError> {
    if size_hint < PIPELINE_FROM {
        // One buffer per thread, reused: a fresh 128 KiB buffer per file is a fresh
        // mapping from the allocator, faulted in and unmapped again for every small file.
        thread_local! {
            static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        return BUF.with(|b| {
            let mut buf = b.borrow_mut();
            if buf.len() < BLOCK {
                buf.resize(BLOCK, 0);
            }
            copy_small(&mut input, out, &mut buf[..BLOCK])
        });
    }
    copy_pipelined(input, out)
}

/// Copy and hash on this thread, a block at a time.
fn copy_small(
    input: &mut impl Read,
    out: &mut File,
    buf: &mut [u8],
) -> std::result::Result<Hashed, CopyError> {
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut size = 0u64;
    loop {
        let n = read_full(input, buf).map_err(CopyError::Read)?;
        if n == 0 {
            break;
        }
        if head.len() < HEAD {
            head.extend_from_slice(&buf[..n.min(HEAD - head.len())]);
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(CopyError::Write)?;
        size += n as u64;
        if n < buf.len() {
            // `read_full` stops short only at the end of the input: asking again would
            // cost one more `read` per file for the same answer.
            break;
        }
    }
    Ok(Hashed {
        sha256: hex::encode(hasher.finalize()),
        size,
        head,
    })
}

/// A buffer of `CHUNK` bytes whose start is aligned for direct writes.
pub(crate) struct Chunk {
    buf: Vec<u8>,
    start: usize,
    len: usize,
}

impl Chunk {
    pub(crate) fn new() -> Chunk {
        let buf = vec![0u8; CHUNK + ALIGN];
        // Never more than ALIGN; were the buffer not alignable, writes fall back to the
        // page cache (BulkWriter checks the address of every write).
        let start = buf.as_ptr().align_offset(ALIGN).min(ALIGN);
        Chunk { buf, start, len: 0 }
    }

    /// Fill the chunk from `input` (fewer bytes only at its end); returns the count.
    pub(crate) fn fill(&mut self, input: &mut (impl Read + ?Sized)) -> io::Result<usize> {
        self.len = read_full(input, &mut self.buf[self.start..self.start + CHUNK])?;
        Ok(self.len)
    }

    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.len]
    }
}

/// Writes a file that is being copied from start to end: whole aligned chunks go straight
/// to the disk (`O_DIRECT`), the rest through the page cache.
///
/// Measured here, 2 GiB: writing 1 MiB blocks through the page cache spent 2.3 s of
/// system time copying into freshly allocated cache pages (`dd`: 2.9 s in all), while
/// the same writes with `O_DIRECT` took 1.37 s with 0.28 s of system time, and `cp` (an
/// in-kernel copy) 1.5 s. Direct writes are not durable by themselves either: the
/// `fsync` of the store's commit still follows, and it flushes the disk's cache.
/// Where `O_DIRECT` is refused (tmpfs, some network file systems) or a write is not
/// aligned, writing continues through the page cache, with writeback started every 16 MiB.
pub(crate) struct BulkWriter<F: Borrow<File>> {
    out: F,
    direct: bool,
    pos: u64,
    handed: u64,
}

impl<F: Borrow<File>> BulkWriter<F> {
    /// Write to `out`, owned or borrowed.
    pub(crate) fn new(out: F) -> BulkWriter<F> {
        #[cfg(target_os = "linux")]
        let direct = {
            use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
            let file = out.borrow();
            fcntl_getfl(file)
                .and_then(|f| fcntl_setfl(file, f | OFlags::DIRECT))
                .is_ok()
        };
        #[cfg(not(target_os = "linux"))]
        let direct = false;
        BulkWriter {
            out,
            direct,
            pos: 0,
            handed: 0,
        }
    }

    fn stop_direct(&mut self) {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
            let file = self.out.borrow();
            let _ = fcntl_getfl(file).and_then(|f| fcntl_setfl(file, f - OFlags::DIRECT));
        }
        self.direct = false;
        // What was written directly is on its way to the disk already; write-behind
        // covers only what goes through the page cache from here.
        self.handed = self.pos;
    }

    fn aligned(&self, buf: &[u8]) -> bool {
        buf.len().is_multiple_of(ALIGN)
            && (buf.as_ptr() as usize).is_multiple_of(ALIGN)
            && self.pos.is_multiple_of(ALIGN as u64)
    }

    /// The file written to.
    pub(crate) fn file(&self) -> &File {
        self.out.borrow()
    }

    pub(crate) fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            if self.direct && !self.aligned(buf) {
                self.stop_direct();
            }
            let n = match self.file().write(buf) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // A device or file system that refuses this direct write: nothing of it
                // was written; write it again through the page cache.
                Err(e)
                    if self.direct
                        && e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) =>
                {
                    self.stop_direct();
                    continue;
                }
                Err(e) => return Err(e),
            };
            buf = &buf[n..];
            self.pos += n as u64;
            if !self.direct && self.pos - self.handed >= WRITE_BEHIND {
                start_writeback(self.file(), self.handed, self.pos - self.handed);
                self.handed = self.pos;
            }
        }
        Ok(())
    }
}

/// Large file: this thread reads and writes, a second one hashes the same chunks.
///
/// The chunks go round between the two threads and are reused: no fresh mapping from the
/// allocator per chunk.
fn copy_pipelined(
    mut input: impl Read + Send,
    out: &mut File,
) -> std::result::Result<Hashed, CopyError> {
    const IN_FLIGHT: usize = 4;
    let (full_tx, full_rx) = sync_channel::<Chunk>(IN_FLIGHT);
    let (free_tx, free_rx) = sync_channel::<Chunk>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        // Cannot fail: the channel has room for every chunk and its receiver is alive.
        let _ = free_tx.send(Chunk::new());
    }
    std::thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut h = Sha256::new();
            for chunk in full_rx {
                h.update(chunk.data());
                // The copier may have stopped; then the chunk is simply dropped.
                let _ = free_tx.send(chunk);
            }
            hex::encode(h.finalize())
        });
        let mut head = Vec::new();
        let mut size = 0u64;
        let mut writer = BulkWriter::new(out);
        let result = (|| {
            while let Ok(mut chunk) = free_rx.recv() {
                let n = chunk.fill(&mut input).map_err(CopyError::Read)?;
                if n == 0 {
                    break;
                }
                let data = chunk.data();
                if head.len() < HEAD {
                    head.extend_from_slice(&data[..n.min(HEAD - head.len())]);
                }
                writer.write_all(data).map_err(CopyError::Write)?;
                size += n as u64;
                if full_tx.send(chunk).is_err() {
                    break;
                }
            }
            Ok(())
        })();
        drop(full_tx);
        let sha = hasher
            .join()
            .map_err(|_| CopyError::Read(io::Error::other("hashing thread failed")))?;
        result?;
        Ok(Hashed {
            sha256: sha,
            size,
            head,
        })
    })
}

/// Start writing `len` bytes at `offset` of `out` to the disk, without waiting.
///
/// Without this the kernel keeps a large copy in memory until the final `fsync`
/// (the dirty-page threshold is a tenth of RAM), so hashing and the disk write run one
/// after the other; with it they overlap. On Linux `POSIX_FADV_DONTNEED` starts
/// writeback of the dirty pages of the range (and drops the pages already clean, which
/// an archive copy does not need in memory). Elsewhere this does nothing: the `fsync`
/// that follows is what makes the bytes durable, in every case.
fn start_writeback(out: &File, offset: u64, len: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::num::NonZeroU64;
        let _ = rustix::fs::fadvise(
            out,
            offset,
            NonZeroU64::new(len),
            rustix::fs::Advice::DontNeed,
        );
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (out, offset, len);
}

/// Hash a file without copying it (verify, dry runs).
pub fn hash_file(path: &Path) -> Result<Hashed> {
    let mut f = File::open(path).at(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOCK];
    let mut head = Vec::new();
    let mut size = 0u64;
    loop {
        let n = read_full(&mut f, &mut buf).at(path)?;
        if n == 0 {
            break;
        }
        if head.len() < HEAD {
            head.extend_from_slice(&buf[..n.min(HEAD - head.len())]);
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok(Hashed {
        sha256: hex::encode(hasher.finalize()),
        size,
        head,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(seed: u8, n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    /// Aligned chunks, then a short piece that breaks the alignment, then more chunks
    /// (written through the page cache from there on): the file holds exactly the bytes.
    fn writes_exactly_in(dir: &Path) {
        let path = dir.join("bulk.bin");
        let out = File::create(&path).unwrap();
        let mut expected = Vec::new();
        let mut writer = BulkWriter::new(&out);
        let mut chunk = Chunk::new();
        for (seed, n) in [(1u8, CHUNK), (2, CHUNK), (3, 777), (4, CHUNK), (5, 10)] {
            let bytes = pattern(seed, n);
            chunk.fill(&mut &bytes[..]).unwrap();
            writer.write_all(chunk.data()).unwrap();
            expected.extend_from_slice(&bytes);
        }
        out.sync_all().unwrap();
        drop(out);
        assert!(std::fs::read(&path).unwrap() == expected);
    }

    #[test]
    fn bulk_writer_keeps_every_byte_across_direct_and_buffered_writes() {
        let dir = tempfile::tempdir().unwrap();
        writes_exactly_in(dir.path());
        // tmpfs refused O_DIRECT on older kernels: the writer must fall back there too.
        if Path::new("/dev/shm").is_dir() {
            if let Ok(shm) = tempfile::tempdir_in("/dev/shm") {
                writes_exactly_in(shm.path());
            }
        }
    }
}
