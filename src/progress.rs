//! Progress reporting without printing: the library calls these, the CLI draws a bar.

/// Receives progress of long operations. All methods default to doing nothing.
pub trait Progress: Sync {
    /// A run starts with this many files and bytes to go.
    fn begin(&self, _what: &str, _files: u64, _bytes: u64) {}
    /// This many more files and bytes are done.
    fn advance(&self, _files: u64, _bytes: u64) {}
    /// The run is over.
    fn end(&self) {}
}

/// No progress reporting.
pub struct Silent;

impl Progress for Silent {}
