//! Helpers shared by the benches: sizes from the environment, incompressible data, and
//! commands timed by GNU time (wall seconds and peak memory).

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::str::FromStr;

/// A number from the environment, or the default.
pub fn env_num<T: FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic incompressible bytes (xorshift), so no file system can cheat.
pub fn fill(seed: u64, buf: &mut [u8]) {
    let mut x = seed | 1;
    for chunk in buf.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let b = x.to_le_bytes();
        chunk.copy_from_slice(&b[..chunk.len()]);
    }
}

/// A path quoted for `sh`.
pub fn sh(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// What GNU time measured.
#[derive(Debug, Clone, Copy)]
pub struct Timed {
    /// Wall-clock seconds.
    pub secs: f64,
    /// Peak resident memory, MB.
    pub mb: f64,
    /// CPU seconds, user + system, of the command and its children.
    pub cpu: f64,
    /// Whether the command succeeded (its stderr is printed when not).
    pub ok: bool,
}

/// Run a command under GNU time.
pub fn timed_args(args: &[&str]) -> Timed {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "TIME %e %M %U %S"])
        .args(args)
        .output()
        .expect("GNU time (/usr/bin/time) is needed for this benchmark");
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprintln!("command failed: {args:?}\n{err}");
    }
    let line = err
        .lines()
        .rev()
        .find(|l| l.starts_with("TIME "))
        .unwrap_or("TIME 0 0 0 0");
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|s| s.parse().ok())
        .collect();
    Timed {
        secs: v.first().copied().unwrap_or(0.0),
        mb: v.get(1).copied().unwrap_or(0.0) / 1024.0,
        cpu: v.get(2).copied().unwrap_or(0.0) + v.get(3).copied().unwrap_or(0.0),
        ok: out.status.success(),
    }
}

/// Run `sh -c script` under GNU time.
pub fn timed_sh(script: &str) -> Timed {
    timed_args(&["sh", "-c", script])
}

/// What a measurement is held to: the ratio ours / reference (lower is better for both
/// time and latency), or a yes/no check made by the reference tool.
#[derive(Debug, Clone)]
pub enum Target {
    /// No target: the figure is information.
    None,
    /// ours / reference must be at most this (1.2: "within 1.2x"; 0.5: "2x faster").
    AtMost(f64),
    /// The reference tool's verdict on our output (e.g. `bagit.py --validate`).
    Check { what: String, passed: bool },
}

/// The reference side of a measurement.
#[derive(Debug, Clone)]
pub enum Reference {
    /// Nothing to compare with.
    None,
    /// The tool, its figure (in the measurement's unit) and its peak MB when known.
    Tool {
        name: String,
        value: f64,
        mb: Option<f64>,
    },
    /// The comparison could not run, and why.
    Skipped(String),
}

/// One measurement, printed for `scripts/compare.sh` as one tab-separated line:
///
/// `RESULT bench step size unit ours ours_mb ref_tool ref ref_mb ratio target verdict`
///
/// Missing values are `-`; `ratio` is ours / ref; `verdict` is `met`, `missed`,
/// `skipped` (the reference could not run) or `-` (no target).
#[derive(Debug, Clone)]
pub struct Measurement {
    /// `ingest`, `content`, `export`, `search`.
    pub bench: &'static str,
    /// What was measured, the same at every data size (e.g. "ingest small files").
    pub step: String,
    /// How much data (e.g. "10000 x 64 KiB"), so runs at several sizes line up.
    pub size: String,
    /// `s` or `ms`.
    pub unit: &'static str,
    /// hishatak's figure, when hishatak has one for this step.
    pub ours: Option<f64>,
    /// hishatak's peak resident memory, MB, when measured.
    pub ours_mb: Option<f64>,
    pub reference: Reference,
    pub target: Target,
}

/// A field for the RESULT line: no tabs or line breaks.
fn field(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c == '\t' || c == '\n' { ' ' } else { c })
        .collect();
    if s.is_empty() {
        "-".into()
    } else {
        s
    }
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "-".into(), |v| format!("{v:.decimals$}"))
}

impl Measurement {
    /// The ratio ours / reference, when both sides have a figure.
    pub fn ratio(&self) -> Option<f64> {
        match (&self.reference, self.ours) {
            (Reference::Tool { value, .. }, Some(ours)) if *value > 0.0 => Some(ours / value),
            _ => None,
        }
    }

    /// `met`, `missed`, `skipped` or `-`.
    pub fn verdict(&self) -> &'static str {
        if matches!(self.reference, Reference::Skipped(_)) {
            return "skipped";
        }
        match &self.target {
            Target::None => "-",
            Target::AtMost(limit) => match self.ratio() {
                Some(r) if r <= *limit => "met",
                Some(_) => "missed",
                None => "-",
            },
            Target::Check { passed: true, .. } => "met",
            Target::Check { passed: false, .. } => "missed",
        }
    }

    /// The target in words.
    pub fn target_text(&self) -> String {
        match &self.target {
            Target::None => "-".into(),
            Target::AtMost(l) if *l >= 1.0 => format!("ours/ref <= {l}"),
            Target::AtMost(l) => format!("ours/ref <= {l} ({:.0}x faster)", 1.0 / l),
            Target::Check { what, .. } => what.clone(),
        }
    }

    /// The RESULT line.
    pub fn line(&self) -> String {
        let (tool, value, mb) = match &self.reference {
            Reference::None => ("-".to_string(), None, None),
            Reference::Tool { name, value, mb } => (name.clone(), Some(*value), *mb),
            Reference::Skipped(why) => (format!("skipped: {why}"), None, None),
        };
        [
            "RESULT".to_string(),
            field(self.bench),
            field(&self.step),
            field(&self.size),
            field(self.unit),
            num(self.ours, 3),
            num(self.ours_mb, 0),
            field(&tool),
            num(value, 3),
            num(mb, 0),
            num(self.ratio(), 3),
            field(&self.target_text()),
            self.verdict().to_string(),
        ]
        .join("\t")
    }

    /// Print the RESULT line on stdout (next to the bench's own table).
    pub fn print(&self) {
        println!("{}", self.line());
    }
}

/// Whether a program is on the PATH.
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// The bench's data folder (`BENCH_DIR`, else `default`), emptied and made again; the
/// archive objects a previous run left read-only are made writable first.
pub fn fresh_dir(default: &str) -> std::path::PathBuf {
    let base =
        std::path::PathBuf::from(std::env::var("BENCH_DIR").unwrap_or_else(|_| default.into()));
    let _ = Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(&base)
        .status();
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("bench dir");
    let base = base.canonicalize().expect("bench dir");
    eprintln!("bench data in {}", base.display());
    base
}

/// Put the machine in the same state before a timed run: dirty data written out, the page
/// cache dropped, and `warm` (files or folders) read back, so that each side starts with
/// its input in memory and the rest of memory free. Without the drop, each run's output
/// fills the cache, later runs pay for reclaiming it, and `cp -r` + `sync` of 10,000 small
/// files swung from 0.8 to 2.3 s here. Dropping needs root; returns false (and changes
/// nothing but the `sync`) when this process may not.
pub fn settle(warm: &[&Path]) -> bool {
    Command::new("sync").status().ok();
    let dropped = std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok();
    for p in warm {
        let _ = Command::new("sh")
            .args([
                "-c",
                &format!("find {} -type f -exec cat {{}} + > /dev/null", sh(p)),
            ])
            .status();
    }
    std::thread::sleep(std::time::Duration::from_secs(1));
    dropped
}
