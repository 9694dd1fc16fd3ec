//! Hashing while copying, with the hash on a second thread for large files so that the
//! copy runs at the speed of the disk.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::error::{IoContext, Result};

/// Read size; 128 KiB blocks measured fastest for hashing here (shared/docs/facts.md).
const BLOCK: usize = 128 * 1024;
/// Chunk handed to the hashing thread when copying large files.
const CHUNK: usize = 1024 * 1024;
/// From this size on, hash on a second thread while the first one copies.
const PIPELINE_FROM: u64 = 8 * 1024 * 1024;
/// While a large file is copied, its written bytes are handed to the disk every this
/// many bytes, so that the final `fsync` finds little left to write.
pub(crate) const WRITE_BEHIND: u64 = 16 * 1024 * 1024;
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

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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
    }
    Ok(Hashed {
        sha256: hex::encode(hasher.finalize()),
        size,
        head,
    })
}

/// Large file: this thread reads and writes, a second one hashes the same chunks.
fn copy_pipelined(
    mut input: impl Read + Send,
    out: &mut File,
) -> std::result::Result<Hashed, CopyError> {
    let (tx, rx) = sync_channel::<Arc<Vec<u8>>>(4);
    std::thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut h = Sha256::new();
            for chunk in rx {
                h.update(&chunk[..]);
            }
            hex::encode(h.finalize())
        });
        let mut head = Vec::new();
        let mut size = 0u64;
        let mut handed = 0u64;
        let result = (|| {
            loop {
                let mut buf = vec![0u8; CHUNK];
                let n = read_full(&mut input, &mut buf).map_err(CopyError::Read)?;
                if n == 0 {
                    break;
                }
                buf.truncate(n);
                if head.len() < HEAD {
                    head.extend_from_slice(&buf[..n.min(HEAD - head.len())]);
                }
                let chunk = Arc::new(buf);
                out.write_all(&chunk).map_err(CopyError::Write)?;
                size += n as u64;
                if size - handed >= WRITE_BEHIND {
                    start_writeback(out, handed, size - handed);
                    handed = size;
                }
                if tx.send(chunk).is_err() {
                    break;
                }
            }
            Ok(())
        })();
        drop(tx);
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
pub(crate) fn start_writeback(out: &File, offset: u64, len: u64) {
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
