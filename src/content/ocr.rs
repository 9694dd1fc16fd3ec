//! OCR with the `tesseract` program, and rasterizing text-less PDF pages with `pdftoppm`,
//! when they are installed. Each run has a time limit; a missing program is reported once.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use image::DynamicImage;

/// ISO 639-1/639-3 codes to tesseract language packs.
pub const PACKS: &[(&str, &str)] = &[
    ("en", "eng"),
    ("hy", "hye"),
    ("ru", "rus"),
    ("tr", "tur"),
    ("fr", "fra"),
    ("de", "deu"),
    ("ar", "ara"),
    ("fa", "fas"),
    ("el", "ell"),
    ("ka", "kat"),
    ("uk", "ukr"),
    ("bg", "bul"),
    ("it", "ita"),
    ("es", "spa"),
    ("pt", "por"),
    ("pl", "pol"),
    ("he", "heb"),
    ("yi", "yid"),
    ("az", "aze"),
    ("ku", "kmr"),
    ("syr", "syr"),
    ("lad", "lad"),
];

/// An OCR result.
pub struct Ocr {
    /// The recognised text, line by line.
    pub text: String,
    /// Mean word confidence, 0-100.
    pub confidence: f64,
    /// Language packs used (`hye+eng`).
    pub langs: String,
}

fn find(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// The tesseract program and its installed language packs, looked up once.
fn tesseract() -> Option<&'static (PathBuf, BTreeSet<String>)> {
    static T: OnceLock<Option<(PathBuf, BTreeSet<String>)>> = OnceLock::new();
    T.get_or_init(|| {
        let path = find("tesseract")?;
        let out = Command::new(&path).arg("--list-langs").output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let langs = text
            .lines()
            .filter(|l| !l.contains(' ') && !l.is_empty())
            .map(str::to_string)
            .collect();
        Some((path, langs))
    })
    .as_ref()
}

/// Whether OCR is possible here.
pub fn available() -> bool {
    tesseract().is_some()
}

/// Whether text-less PDF pages can be rasterized here.
pub fn can_rasterize() -> bool {
    find("pdftoppm").is_some()
}

/// The packs for these item languages that are installed (English when none is).
pub fn packs_for(langs: &[String]) -> Result<String, String> {
    let Some((_, installed)) = tesseract() else {
        return Err("tesseract is not installed".into());
    };
    let mut chosen: Vec<&str> = langs
        .iter()
        .filter_map(|l| PACKS.iter().find(|(c, _)| c == l).map(|(_, p)| *p))
        .filter(|p| installed.contains(*p))
        .collect();
    chosen.dedup();
    if chosen.is_empty() {
        if installed.contains("eng") {
            chosen.push("eng");
        } else {
            return Err("no tesseract language pack for this item is installed".into());
        }
    }
    Ok(chosen.join("+"))
}

/// Run a command with a time limit; returns its stdout.
fn run_limited(mut cmd: Command, limit: Duration, what: &str) -> Result<Vec<u8>, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what} could not start: {e}"))?;
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let out = reader.join().unwrap_or_default();
                if status.success() {
                    return Ok(out);
                }
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                return Err(format!(
                    "{what} failed: {}",
                    err.lines().last().unwrap_or("no message")
                ));
            }
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{what} took longer than {} s and was stopped",
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("{what}: {e}")),
        }
    }
}

/// OCR one page image.
pub fn recognise(
    img: &DynamicImage,
    langs: &[String],
    tmp: &Path,
    limit: Duration,
) -> Result<Ocr, String> {
    let Some((program, _)) = tesseract() else {
        return Err("tesseract is not installed".into());
    };
    let packs = packs_for(langs)?;
    // Tesseract reads greyscale PNG best at the scan's own resolution (bounded).
    let grey = img.to_luma8();
    let grey = if grey.width().max(grey.height()) > 5000 {
        DynamicImage::ImageLuma8(grey)
            .resize(5000, 5000, image::imageops::FilterType::Triangle)
            .to_luma8()
    } else {
        grey
    };
    let input = tmp.join("page.png");
    grey.save(&input)
        .map_err(|e| format!("temporary page image: {e}"))?;
    let mut cmd = Command::new(program);
    cmd.arg(&input)
        .arg("stdout")
        .args(["-l", &packs, "--psm", "3", "tsv"])
        .env("OMP_THREAD_LIMIT", "1");
    let out = run_limited(cmd, limit, "tesseract")?;
    let _ = std::fs::remove_file(&input);
    let tsv = String::from_utf8_lossy(&out);
    let mut text = String::new();
    let mut last_line = (0, 0, 0, 0);
    let (mut conf_sum, mut words) = (0.0, 0u32);
    for row in tsv.lines().skip(1) {
        let c: Vec<&str> = row.split('\t').collect();
        if c.len() < 12 || c[0] != "5" {
            continue;
        }
        let word = c[11].trim();
        if word.is_empty() {
            continue;
        }
        let key = (
            c[1].parse().unwrap_or(0),
            c[2].parse().unwrap_or(0),
            c[3].parse().unwrap_or(0),
            c[4].parse().unwrap_or(0),
        );
        if !text.is_empty() {
            text.push(if key == last_line { ' ' } else { '\n' });
        }
        last_line = key;
        text.push_str(word);
        if let Ok(conf) = c[10].parse::<f64>() {
            if conf >= 0.0 {
                conf_sum += conf;
                words += 1;
            }
        }
    }
    Ok(Ocr {
        text,
        confidence: if words == 0 {
            0.0
        } else {
            conf_sum / f64::from(words)
        },
        langs: packs,
    })
}

/// Rasterize page `page` (1-based) of a PDF at 200 dpi with `pdftoppm`.
pub fn rasterize(
    pdf: &Path,
    page: usize,
    tmp: &Path,
    limit: Duration,
) -> Result<DynamicImage, String> {
    let program = find("pdftoppm").ok_or("pdftoppm is not installed")?;
    let prefix = tmp.join(format!("pdfpage-{page}"));
    let mut cmd = Command::new(program);
    cmd.args(["-r", "200", "-gray", "-png", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&prefix);
    run_limited(cmd, limit, "pdftoppm")?;
    let png = prefix.with_extension("png");
    let img = crate::derive::decode(
        std::fs::File::open(&png).map_err(|e| format!("rasterized page: {e}"))?,
        "rasterized page",
    )
    .map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&png);
    img
}
