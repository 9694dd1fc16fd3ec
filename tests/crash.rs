//! Real commands killed with SIGKILL at random moments, and several commands on one
//! archive at once. After each kill: the catalog passes SQLite's checks, every object the
//! catalog names is there and sound, re-running the command completes it with nothing
//! doubled, and the index agrees with the catalog after the next command.
//!
//! `HISHATAK_CRASH_SEED` replays a run; `HISHATAK_CRASH_KILLS` sets how many kills (200).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::reliability::assert_sound;
use crate::util::{sample_file, Dir, Run};

/// xorshift64*: small, seedable, good enough to pick moments and operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn spawn(d: &Dir, args: &[String]) -> Child {
    d.cmd()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hishatak")
}

/// What one step does, and how to check it completed after the re-run.
enum Op {
    Ingest { dir: String, files: Vec<String> },
    Manifest { path: String, files: Vec<String> },
    Edit { id: String, title: String },
    SetAdd { id: String },
    Export { out: String },
}

impl Op {
    fn args(&self) -> Vec<String> {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        match self {
            Op::Ingest { dir, .. } => v(&["ingest", dir, "--title", "zorvanek batch"]),
            Op::Manifest { path, .. } => v(&["ingest", "--manifest", path]),
            Op::Edit { id, title } => v(&["edit", id, "--set", &format!("title={title}")]),
            Op::SetAdd { id } => v(&["set", "add", "crashset", id, "--caption", "zorvanek"]),
            Op::Export { out } => v(&["export", "crashset", "--format", "zip", "--out", out]),
        }
    }
}

fn make_op(d: &Dir, rng: &mut Rng, step: usize, items: i64, in_set: i64) -> Op {
    let roll = rng.below(100);
    if items < 3 || roll < 55 {
        let n = 1 + rng.below(8) as usize;
        let dir = format!("b{step:04}");
        let mut files = Vec::new();
        for i in 0..n {
            let name = format!("s{step:04}-{i}.txt");
            d.write(
                &format!("{dir}/{name}"),
                format!("zorvanek step {step} file {i}: a report from Erzurum"),
            );
            files.push(name);
        }
        if rng.below(6) == 0 {
            let name = format!("s{step:04}-scan.jpg");
            let mut bytes = std::fs::read(sample_file("jpg")).expect("sample jpg");
            // Unique bytes after the JPEG end marker keep each scan a new object.
            bytes.extend_from_slice(format!("step {step}").as_bytes());
            d.write(&format!("{dir}/{name}"), bytes);
            files.push(name);
        }
        Op::Ingest { dir, files }
    } else if roll < 65 {
        let dir = format!("m{step:04}");
        let mut csv = String::from("files,title,date,lang,places\n");
        let mut files = Vec::new();
        for i in 0..(1 + rng.below(4)) {
            let name = format!("m{step:04}-{i}.txt");
            d.write(
                &format!("{dir}/{name}"),
                format!("zorvanek manifest {step} row {i}: Kars 1915"),
            );
            csv.push_str(&format!(
                "{name},\"zorvanek, row {i}\",1915-04~,hy,Kars;Van\n"
            ));
            files.push(name);
        }
        d.write(&format!("{dir}/manifest.csv"), csv);
        Op::Manifest {
            path: format!("{dir}/manifest.csv"),
            files,
        }
    } else if roll < 80 {
        Op::Edit {
            id: format!("HSH-{:06}", 1 + rng.below(items as u64)),
            title: format!("zorvanek edited at step {step}"),
        }
    } else if roll < 92 || in_set == 0 {
        Op::SetAdd {
            id: format!("HSH-{:06}", 1 + rng.below(items as u64)),
        }
    } else {
        Op::Export {
            out: format!("exports/e{step:04}.zip"),
        }
    }
}

/// After the re-run: the step's effect is there exactly once.
fn check_done(d: &Dir, op: &Op, rerun: &Run, context: &str) {
    let c = d.catalog();
    let count = |sql: &str, p: &str| -> i64 { c.query_row(sql, [p], |r| r.get(0)).expect(sql) };
    match op {
        Op::Ingest { files, .. } | Op::Manifest { files, .. } => {
            assert_eq!(rerun.code, 0, "{context}: {}", rerun.stderr);
            for f in files {
                assert_eq!(
                    count(
                        "SELECT COUNT(*) FROM files WHERE role = 'master' AND name = ?1",
                        f
                    ),
                    1,
                    "{context}: {f} must be stored exactly once"
                );
            }
        }
        Op::Edit { id, title } => {
            assert_eq!(rerun.code, 0, "{context}: {}", rerun.stderr);
            let t: String = c
                .query_row("SELECT title FROM items WHERE id = ?1", [id], |r| r.get(0))
                .expect("title");
            assert_eq!(&t, title, "{context}");
        }
        Op::SetAdd { id } => {
            // Adding an item already there is refused (exit 1) or reported as done.
            assert!(
                rerun.code == 0 || rerun.code == 1,
                "{context}: {}",
                rerun.stderr
            );
            assert_eq!(
                count(
                    "SELECT COUNT(*) FROM set_items si JOIN sets s ON s.seq = si.set_seq WHERE s.name = 'crashset' AND si.item_id = ?1",
                    id
                ),
                1,
                "{context}: {id} must be in the set once"
            );
        }
        Op::Export { out } => {
            let p = d.path().join(out);
            // Either the killed export had finished (the re-run refuses to overwrite)
            // or the re-run made it; the package is whole either way.
            assert!(p.is_file(), "{context}: no package; {}", rerun.stderr);
            let f = std::fs::File::open(&p).expect("zip");
            let mut z = zip::ZipArchive::new(f).expect("a complete zip");
            assert!(z.by_name("manifest.json").is_ok(), "{context}");
            let stray: Vec<String> = std::fs::read_dir(d.path().join("exports"))
                .expect("exports")
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".partial-"))
                .collect();
            assert!(
                stray.is_empty(),
                "{context}: partial exports left: {stray:?}"
            );
        }
    }
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        if started.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn killed_at_random_moments_nothing_committed_is_lost() {
    let seed: u64 = std::env::var("HISHATAK_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        })
        | 1;
    let kills_wanted: usize = std::env::var("HISHATAK_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    eprintln!("crash harness: seed {seed} (replay with HISHATAK_CRASH_SEED={seed})");
    let mut rng = Rng(seed);
    let d = Dir::with_archive();
    std::fs::create_dir_all(d.path().join("exports")).unwrap();
    d.run(&["set", "create", "crashset"]).ok();
    // How long each kind of step takes when not killed, to aim the kills inside it.
    let mut typical_ms: [u64; 5] = [300, 300, 120, 120, 200];
    let mut kills = 0usize;
    let mut step = 0usize;
    while kills < kills_wanted {
        step += 1;
        assert!(
            step < kills_wanted * 4,
            "seed {seed}: only {kills} kills landed in {step} steps"
        );
        let items = d.count("SELECT COUNT(*) FROM items");
        let in_set = d.count("SELECT COUNT(*) FROM set_items");
        let op = make_op(&d, &mut rng, step, items, in_set);
        let kind = match op {
            Op::Ingest { .. } => 0,
            Op::Manifest { .. } => 1,
            Op::Edit { .. } => 2,
            Op::SetAdd { .. } => 3,
            Op::Export { .. } => 4,
        };
        let args = op.args();
        let context = format!("seed {seed}, step {step}, {args:?}");
        let delay = rng.below(typical_ms[kind] + 1);
        let started = Instant::now();
        let mut child = spawn(&d, &args);
        let finished = wait_with_timeout(&mut child, Duration::from_millis(delay));
        if finished.is_none() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reap");
            kills += 1;
        } else {
            // Not killed: learn how long this kind of step takes.
            let ms = started.elapsed().as_millis() as u64;
            typical_ms[kind] = (typical_ms[kind] * 3 + ms.max(20)) / 4;
        }
        // The state right after the kill.
        assert_sound(&d, &d.archive(), &format!("{context}, after the kill"));
        // The same command again completes the step, once.
        let rerun: Run = d.cmd().args(&args).output().expect("rerun").into();
        assert!(
            !rerun.stderr.contains("panicked") && !rerun.stderr.contains("locked"),
            "{context}: {}",
            rerun.stderr
        );
        check_done(&d, &op, &rerun, &context);
    }
    assert_sound(&d, &d.archive(), &format!("seed {seed}, at the end"));
    eprintln!(
        "crash harness: {kills} kills in {step} steps, {} items",
        d.count("SELECT COUNT(*) FROM items")
    );
}

/// One command in a loop until `until`; returns (runs, failures with their stderr).
fn keep_running(
    archive: &Path,
    cwd: &Path,
    until: Instant,
    make: impl Fn(usize) -> Vec<String>,
) -> (usize, Vec<String>) {
    let mut runs = 0;
    let mut failures = Vec::new();
    while Instant::now() < until {
        let args = make(runs);
        let out = Command::new(env!("CARGO_BIN_EXE_hishatak"))
            .current_dir(cwd)
            .arg("--archive")
            .arg(archive)
            .args(&args)
            .env("HISHATAK_AGENT", "test-archivist")
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if !out.status.success() || stderr.contains("locked") || stderr.contains("panicked") {
            failures.push(format!("{args:?} -> {:?}: {stderr}", out.status.code()));
        }
        runs += 1;
    }
    (runs, failures)
}

#[test]
fn several_commands_at_once_queue_instead_of_failing() {
    let d = Dir::with_archive();
    let seed = d.path().join("seed");
    for i in 0..6 {
        d.write(&format!("seed/s{i}.txt"), format!("zorvanek seed {i} Van"));
    }
    d.run(&["ingest", seed.to_str().unwrap(), "--title", "zorvanek seed"])
        .ok();
    // Both ingest loops also take the same shared folder first: one stores it, the other
    // finds it stored.
    for i in 0..12 {
        d.write(
            &format!("shared/x{i}.txt"),
            format!("zorvanek shared {i} Kars"),
        );
    }
    for w in 0..2 {
        for b in 0..40 {
            for i in 0..3 {
                d.write(
                    &format!("w{w}/b{b:02}/f{i}.txt"),
                    format!("zorvanek writer {w} batch {b} file {i} Erzurum"),
                );
            }
        }
    }
    let archive = d.archive();
    let cwd = d.path().to_path_buf();
    let until = Instant::now() + Duration::from_secs(8);
    let (a, c) = (&archive, &cwd);
    let results = std::thread::scope(|s| {
        let ingest = |w: usize| {
            s.spawn(move || {
                keep_running(a, c, until, move |n| {
                    let dir = if n == 0 {
                        "shared".to_string()
                    } else {
                        format!("w{w}/b{:02}", (n - 1) % 40)
                    };
                    vec!["ingest".into(), dir, "--title".into(), "zorvanek".into()]
                })
            })
        };
        let handles = vec![
            ("ingest 1", ingest(0)),
            ("ingest 2", ingest(1)),
            (
                "search",
                s.spawn(move || {
                    keep_running(a, c, until, |_| {
                        vec!["search".into(), "Erzurum".into(), "--json".into()]
                    })
                }),
            ),
            (
                "edit",
                s.spawn(move || {
                    keep_running(a, c, until, |n| {
                        vec![
                            "edit".into(),
                            format!("HSH-{:06}", 1 + n % 6),
                            "--set".into(),
                            format!("title=zorvanek edited {n}"),
                        ]
                    })
                }),
            ),
            (
                "verify",
                s.spawn(move || keep_running(a, c, until, |_| vec!["verify".into()])),
            ),
        ];
        handles
            .into_iter()
            .map(|(name, h)| (name, h.join().expect("thread")))
            .collect::<Vec<_>>()
    });
    for (name, (runs, failures)) in &results {
        assert!(*runs > 0, "{name} never ran");
        assert!(failures.is_empty(), "{name}: {failures:#?}");
    }
    // Nothing lost or doubled: every file that an ingest loop reached is stored once.
    let c = d.catalog();
    let doubled: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM (SELECT sha256 FROM files WHERE role = 'master' GROUP BY sha256 HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(doubled, 0, "an item was stored twice");
    let shared: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM files WHERE role = 'master' AND name LIKE 'x%.txt'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(shared, 12);
    drop(c);
    assert_sound(&d, &archive, "after the concurrent run");
    let runs: Vec<String> = results
        .iter()
        .map(|(n, (r, _))| format!("{n}: {r}"))
        .collect();
    eprintln!("concurrent runs: {}", runs.join(", "));
}
