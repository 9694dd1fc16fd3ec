//! Batch manifests: CSV (as spreadsheets write it), JSON arrays and JSON Lines.
//!
//! Each row becomes an [`ItemPlan`] or a [`Refusal`] naming its row, column and reason.
//! Problems that concern every row (the file cannot be read, a duplicate or missing
//! column, broken JSON) refuse the whole manifest before anything is stored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{paths, ItemPlan, Refusal, TextPlan};
use crate::error::{Error, IoContext, Result};
use crate::model::{check_lang, split_list, ItemRecord};

/// A cell: text (CSV, JSON strings and numbers) or a list (JSON arrays).
enum Cell {
    Text(String),
    List(Vec<String>),
}

/// The manifest formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-, semicolon- or tab-separated values with a header row.
    Csv,
    /// A JSON array of objects (or `{"items": [...]}`).
    Json,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// The format from the file's extension.
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "tsv" | "txt" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::JsonLines),
            _ => Err(Error::invalid(format!(
                "{}: a manifest must be .csv, .json or .jsonl",
                path.display()
            ))),
        }
    }
}

/// Whether `name` is a column a manifest may have.
fn known_column(name: &str) -> bool {
    const PLAIN: [&str; 21] = [
        "files",
        "kind",
        "title",
        "description",
        "date",
        "lang",
        "creator",
        "collection",
        "source_archive",
        "source_country",
        "reference",
        "donor",
        "acquired",
        "custody",
        "rights",
        "access",
        "persons",
        "places",
        "subjects",
        "transcript",
        "encoding",
    ];
    if PLAIN.contains(&name) {
        return true;
    }
    for prefix in ["title:", "description:", "translation:"] {
        if let Some(l) = name.strip_prefix(prefix) {
            return check_lang(l).is_ok();
        }
    }
    name.strip_prefix("meta:")
        .map(|k| !k.is_empty())
        .unwrap_or(false)
}

/// A close known column name, for "did you mean".
fn suggest(name: &str) -> Option<&'static str> {
    const ALL: [&str; 21] = [
        "files",
        "kind",
        "title",
        "description",
        "date",
        "lang",
        "creator",
        "collection",
        "source_archive",
        "source_country",
        "reference",
        "donor",
        "acquired",
        "custody",
        "rights",
        "access",
        "persons",
        "places",
        "subjects",
        "transcript",
        "encoding",
    ];
    let base = name.split(':').next().unwrap_or(name);
    ALL.into_iter().find(|c| {
        let d = edit_distance(base, c);
        d <= 2 && d < c.len() / 2 + 1
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Normalise a column name: trimmed, the part before `:` lower-cased, language codes
/// lower-cased, meta keys kept as written.
fn normalize_column(raw: &str) -> String {
    let t = raw.trim().trim_start_matches('\u{feff}');
    match t.split_once(':') {
        Some((p, rest)) => {
            let p = p.trim().to_ascii_lowercase();
            if p == "meta" {
                format!("meta:{}", rest.trim())
            } else {
                format!("{p}:{}", rest.trim().to_ascii_lowercase())
            }
        }
        None => t.to_ascii_lowercase(),
    }
}

/// Read a manifest into plans and refusals.
pub fn read(path: &Path) -> Result<Vec<std::result::Result<ItemPlan, Refusal>>> {
    let format = Format::of(path)?;
    let bytes = std::fs::read(path).at(path)?;
    let base = path
        .canonicalize()
        .at(path)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let label = path.display().to_string();
    let rows = match format {
        Format::Csv => csv_rows(&bytes, &label)?,
        Format::Json => json_rows(&bytes, &label)?,
        Format::JsonLines => jsonl_rows(&bytes, &label),
    };
    Ok(rows
        .into_iter()
        .map(|r| r.and_then(|(row, cells)| plan_row(&base, &label, row, cells)))
        .collect())
}

type Row = (usize, Vec<(String, Cell)>);

fn refusal(label: &str, row: usize, column: Option<&str>, reason: impl Into<String>) -> Refusal {
    Refusal {
        source: format!("{label} row {row}"),
        row: Some(row),
        column: column.map(str::to_string),
        reason: reason.into(),
    }
}

/// Byte offsets where invalid UTF-8 sequences start.
fn bad_utf8_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match std::str::from_utf8(&bytes[at..]) {
            Ok(_) => break,
            Err(e) => {
                let bad = at + e.valid_up_to();
                out.push(bad);
                at = bad + e.error_len().unwrap_or(bytes.len() - bad).max(1);
            }
        }
    }
    out
}

fn csv_rows(bytes: &[u8], label: &str) -> Result<Vec<std::result::Result<Row, Refusal>>> {
    // Spreadsheets save "Unicode text" as UTF-16 with a BOM: re-encode it as UTF-8 first.
    let owned;
    let (data, bom) = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _) = super::text::decode(bytes, None, Path::new(label))?;
        owned = text.into_bytes();
        (&owned[..], 0usize)
    } else if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (rest, 3usize)
    } else {
        (bytes, 0usize)
    };
    let bad = bad_utf8_offsets(data);
    let delimiter = detect_delimiter(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err(Error::invalid(format!("{label}: the manifest is empty"))),
        Some(Err(e)) => {
            return Err(Error::invalid(format!(
                "{label}: cannot read the header row: {e}"
            )))
        }
        Some(Ok(h)) => h,
    };
    let mut columns = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let name = std::str::from_utf8(raw).map_err(|e| {
            Error::invalid(format!(
                "{label}: the header row is not valid UTF-8 (byte offset {}); save the file as CSV UTF-8",
                e.valid_up_to() + bom
            ))
        })?;
        columns.push((i + 1, normalize_column(name), name.trim().to_string()));
    }
    check_header(label, &columns)?;
    let mut out = Vec::new();
    let mut ends: Vec<u64> = Vec::new();
    let mut pending: Vec<(usize, csv::ByteRecord)> = Vec::new();
    for (i, rec) in records.enumerate() {
        let row = i + 2;
        match rec {
            Ok(r) => {
                ends.push(r.position().map(|p| p.byte()).unwrap_or(0));
                pending.push((row, r));
            }
            Err(e) => {
                out.push(Err(refusal(
                    label,
                    row,
                    None,
                    format!("cannot be read as CSV: {e}"),
                )));
            }
        }
    }
    let total_len = data.len() as u64;
    for (k, (row, rec)) in pending.iter().enumerate() {
        let start = rec.position().map(|p| p.byte()).unwrap_or(0);
        let end = ends.get(k + 1).copied().unwrap_or(total_len);
        if let Some(off) = bad
            .iter()
            .find(|&&o| (o as u64) >= start && (o as u64) < end)
        {
            out.push(Err(refusal(
                label,
                *row,
                None,
                format!(
                    "not valid UTF-8 at byte offset {} (byte 0x{:02X}); save the manifest as CSV UTF-8",
                    off + bom,
                    data.get(*off).copied().unwrap_or(0)
                ),
            )));
            continue;
        }
        if rec
            .iter()
            .all(|c| c.iter().all(|b| b.is_ascii_whitespace()))
        {
            continue; // spreadsheets leave blank rows at the end
        }
        if rec.len() > columns.len() {
            let extra = rec
                .iter()
                .skip(columns.len())
                .any(|c| !c.trim_ascii().is_empty());
            if extra {
                out.push(Err(refusal(
                    label,
                    *row,
                    None,
                    format!(
                        "has {} cells but the header has {} columns",
                        rec.len(),
                        columns.len()
                    ),
                )));
                continue;
            }
        }
        let mut cells = Vec::new();
        for (col, name, _) in &columns {
            let value = rec
                .get(col - 1)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            cells.push((name.clone(), Cell::Text(value)));
        }
        out.push(Ok((*row, cells)));
    }
    Ok(out)
}

fn detect_delimiter(data: &[u8]) -> u8 {
    // Decide on the header line only: cells may hold `;`-separated lists.
    let line_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let header = &data[..line_end];
    let count = |d: u8| header.iter().filter(|&&b| b == d).count();
    let (commas, semis, tabs) = (count(b','), count(b';'), count(b'\t'));
    if tabs > commas && tabs > semis {
        b'\t'
    } else if semis > commas {
        // European spreadsheets write `;` between cells.
        b';'
    } else {
        b','
    }
}

fn check_header(label: &str, columns: &[(usize, String, String)]) -> Result<()> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, name, raw) in columns {
        if name.is_empty() {
            continue;
        }
        if let Some(first) = seen.insert(name.as_str(), *i) {
            return Err(Error::invalid(format!(
                "{label}: columns {first} and {i} are both '{raw}'; each column may appear once"
            )));
        }
    }
    if !seen.contains_key("files") {
        return Err(Error::invalid(format!(
            "{label}: the required column 'files' is missing (paths of each item's files, relative to the manifest, separated by '|')"
        )));
    }
    Ok(())
}

fn json_cell(v: &Value) -> std::result::Result<Option<Cell>, String> {
    Ok(match v {
        Value::Null => None,
        Value::String(s) => Some(Cell::Text(s.clone())),
        Value::Number(n) => Some(Cell::Text(n.to_string())),
        Value::Array(a) => {
            let mut list = Vec::new();
            for x in a {
                match x {
                    Value::String(s) => list.push(s.clone()),
                    Value::Number(n) => list.push(n.to_string()),
                    _ => return Err("lists may hold only strings".into()),
                }
            }
            Some(Cell::List(list))
        }
        Value::Bool(_) => return Err("expected text, found true/false".into()),
        Value::Object(_) => return Err("expected text or a list, found an object".into()),
    })
}

fn json_object_row(label: &str, row: usize, v: &Value) -> std::result::Result<Row, Refusal> {
    let obj = v
        .as_object()
        .ok_or_else(|| refusal(label, row, None, "is not a JSON object"))?;
    let mut cells = Vec::new();
    for (k, v) in obj {
        let name = normalize_column(k);
        let cell = json_cell(v).map_err(|e| refusal(label, row, Some(k), e))?;
        if let Some(c) = cell {
            cells.push((name, c));
        }
    }
    Ok((row, cells))
}

fn json_rows(bytes: &[u8], label: &str) -> Result<Vec<std::result::Result<Row, Refusal>>> {
    let data = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let v: Value = serde_json::from_slice(data)
        .map_err(|e| Error::invalid(format!("{label}: not valid JSON: {e}")))?;
    let items = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("items") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(Error::invalid(format!(
                    "{label}: expected a JSON array of items (or an object with an \"items\" array)"
                )))
            }
        },
        _ => {
            return Err(Error::invalid(format!(
                "{label}: expected a JSON array of items"
            )))
        }
    };
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, v)| json_object_row(label, i + 1, v))
        .collect())
}

fn jsonl_rows(bytes: &[u8], label: &str) -> Vec<std::result::Result<Row, Refusal>> {
    let data = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let mut out = Vec::new();
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        let row = i + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        out.push(match serde_json::from_slice::<Value>(line) {
            Ok(v) => json_object_row(label, row, &v),
            Err(e) => Err(refusal(label, row, None, format!("not valid JSON: {e}"))),
        });
    }
    out
}

/// Turn one row's cells into an item plan: every value validated, every path resolved.
fn plan_row(
    base: &Path,
    label: &str,
    row: usize,
    cells: Vec<(String, Cell)>,
) -> std::result::Result<ItemPlan, Refusal> {
    let mut record = ItemRecord::default();
    let mut pages: Vec<PathBuf> = Vec::new();
    let mut page_names: Vec<String> = Vec::new();
    let mut texts: Vec<(String, String, Option<String>)> = Vec::new(); // column, path, lang
    let mut encoding: Option<String> = None;
    for (name, cell) in cells {
        let col = Some(name.as_str());
        let text = match &cell {
            // Spreadsheets end lines inside a quoted cell with CRLF: keep plain newlines.
            Cell::Text(t) => t.trim().replace("\r\n", "\n").replace('\r', "\n"),
            Cell::List(l) => l.join("; "),
        };
        if text.is_empty() && !matches!(cell, Cell::List(_)) {
            continue;
        }
        if name.is_empty() {
            return Err(refusal(
                label,
                row,
                None,
                format!("has a value ('{text}') in a column with no name"),
            ));
        }
        if !known_column(&name) {
            let hint = suggest(&name)
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            return Err(refusal(
                label,
                row,
                col,
                format!("'{name}' is not a known column{hint}; see docs/manifest.md"),
            ));
        }
        match name.as_str() {
            "files" => {
                let list: Vec<String> = match cell {
                    Cell::Text(t) => t
                        .split('|')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                    Cell::List(l) => l,
                };
                for f in list {
                    let p = paths::resolve(base, &f).map_err(|e| refusal(label, row, col, e))?;
                    page_names.push(f);
                    pages.push(p);
                }
            }
            "transcript" => texts.push((name.clone(), text, None)),
            "encoding" => encoding = Some(text),
            n if n.starts_with("translation:") => {
                let lang = n["translation:".len()..].to_string();
                texts.push((name.clone(), text, Some(lang)));
            }
            "persons" | "places" | "subjects" => {
                let list = match cell {
                    Cell::List(l) => l
                        .into_iter()
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                    Cell::Text(t) => split_list(&t),
                };
                match name.as_str() {
                    "persons" => record.persons = list,
                    "places" => record.places = list,
                    _ => record.subjects = list,
                }
            }
            _ => record
                .set_field(&name, &text)
                .map_err(|e| refusal(label, row, col, e.to_string()))?,
        }
    }
    if pages.is_empty() {
        return Err(refusal(
            label,
            row,
            Some("files"),
            "no file given; each row needs at least one file",
        ));
    }
    let mut text_plans = Vec::new();
    for (column, rel, lang) in texts {
        let path = paths::resolve(base, &rel).map_err(|e| refusal(label, row, Some(&column), e))?;
        let source = if lang.is_some() {
            "translation"
        } else {
            "transcript"
        };
        text_plans.push(TextPlan {
            path,
            name: rel,
            source,
            lang: lang.or_else(|| record.langs.first().cloned()),
            encoding: encoding.clone(),
            column,
        });
    }
    Ok(ItemPlan {
        source: format!("{label} row {row}"),
        row: Some(row),
        record,
        pages,
        page_names,
        texts: text_plans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_follows_the_header() {
        assert_eq!(detect_delimiter(b"files;title;persons\na;b;c"), b';');
        assert_eq!(detect_delimiter(b"files,title,persons\na,\"x;y\",c"), b',');
        assert_eq!(detect_delimiter(b"files\ttitle\n"), b'\t');
    }

    #[test]
    fn columns_are_checked_and_suggested() {
        assert!(
            known_column("title:hy") && known_column("meta:Box") && known_column("translation:en")
        );
        assert!(!known_column("titel") && !known_column("title:english"));
        assert_eq!(suggest("titel"), Some("title"));
        assert_eq!(normalize_column(" Title:HY "), "title:hy");
        assert_eq!(normalize_column("meta:Box"), "meta:Box");
    }

    #[test]
    fn finds_every_bad_utf8_offset() {
        assert_eq!(bad_utf8_offsets(b"ok\xFFok\xC3"), vec![2, 5]);
        assert!(bad_utf8_offsets("Բաքու".as_bytes()).is_empty());
    }
}
