//! Printing: results to stdout, progress and warnings to stderr, JSON when asked.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How a command prints.
#[derive(Clone, Copy)]
pub struct Out {
    /// Print one JSON document on stdout.
    pub json: bool,
    /// Print nothing but errors.
    pub quiet: bool,
}

impl Out {
    pub fn new(json: bool, quiet: bool) -> Out {
        Out { json, quiet }
    }

    /// Human output on stdout (not in JSON or quiet mode), control characters escaped.
    pub fn line(&self, s: impl AsRef<str>) {
        if !self.json && !self.quiet {
            stdout_line(&printable(s.as_ref(), true));
        }
    }

    /// A warning on stderr (not in quiet mode), on one line.
    pub fn warn(&self, s: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("hishatak: warning: {}", one_line(s.as_ref()));
        }
    }

    /// A refusal or other per-input error on stderr (always shown), on one line.
    pub fn error(&self, s: impl AsRef<str>) {
        eprintln!("hishatak: {}", one_line(s.as_ref()));
    }

    /// Print a JSON document on stdout.
    pub fn json(&self, v: &serde_json::Value) {
        stdout_line(&serde_json::to_string_pretty(v).unwrap_or_default());
    }

    /// A progress bar on stderr, only when stderr is a terminal and not quiet.
    pub fn progress(&self) -> Bar {
        let bar = if !self.quiet && std::io::stderr().is_terminal() {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{msg:>8} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {prefix}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            Some(b)
        } else {
            None
        };
        Bar {
            bar,
            files: Mutex::new((0, 0)),
        }
    }
}

/// A progress bar showing bytes, rate, ETA and files done.
pub struct Bar {
    bar: Option<ProgressBar>,
    files: Mutex<(u64, u64)>,
}

impl Bar {
    /// Whether the bar is drawn (stderr is a terminal and not `--quiet`).
    pub fn shown(&self) -> bool {
        self.bar.is_some()
    }
}

impl hishatak::Progress for Bar {
    fn begin(&self, what: &str, files: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_string());
            b.set_length(bytes);
            b.set_position(0);
            if let Ok(mut f) = self.files.lock() {
                *f = (0, files);
            }
            b.set_prefix(format!("0/{files} files"));
        }
    }
    fn advance(&self, files: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            b.inc(bytes);
            if let Ok(mut f) = self.files.lock() {
                f.0 += files;
                b.set_prefix(format!("{}/{} files", f.0, f.1));
            }
        }
    }
    fn end(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Text from files and the catalog made safe for a terminal: control characters (escape
/// sequences, carriage returns, tabs, NUL) and bidirectional overrides are printed as
/// escapes (`\u{1b}`, `\r`, `\u{202e}`), so a file name or title cannot move the cursor,
/// rewrite the line or reverse what is shown. Newlines stay when `newlines` is set.
pub fn printable(s: &str, newlines: bool) -> Cow<'_, str> {
    let hostile = |c: char| {
        (c.is_control() && !(newlines && c == '\n'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hostile(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`printable`] on one line: a newline in a name is shown as `\n`.
pub fn one_line(s: &str) -> Cow<'_, str> {
    printable(s, false)
}

/// Bytes for people: 1.2 MB.
pub fn human_bytes(n: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// Write one line to stdout. When the reader has gone (`hishatak list | head`), stop
/// quietly as command-line tools do, instead of panicking on the broken pipe.
pub fn stdout_line(s: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    if let Err(e) = writeln!(o, "{s}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("hishatak: cannot write the output: {e}");
        std::process::exit(1);
    }
}
