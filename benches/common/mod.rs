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
    /// Whether the command succeeded (its stderr is printed when not).
    pub ok: bool,
}

/// Run a command under GNU time.
pub fn timed_args(args: &[&str]) -> Timed {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "TIME %e %M"])
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
        .unwrap_or("TIME 0 0");
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|s| s.parse().ok())
        .collect();
    Timed {
        secs: v.first().copied().unwrap_or(0.0),
        mb: v.get(1).copied().unwrap_or(0.0) / 1024.0,
        ok: out.status.success(),
    }
}

/// Run `sh -c script` under GNU time.
pub fn timed_sh(script: &str) -> Timed {
    timed_args(&["sh", "-c", script])
}
