//! Batch manifests: CSV (as spreadsheets write it), JSON arrays and JSON Lines.
//!
//! Each row becomes an [`ItemPlan`] or a [`Refusal`] naming its row, column and reason.
//! Problems that concern every row (the file cannot be read, a duplicate or missing
//! column, broken JSON) refuse the whole manifest before anything is stored.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

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

/// A row's plan, or why it was refused.
pub type Planned = std::result::Result<ItemPlan, Refusal>;

/// Read a whole manifest into plans and refusals (for small manifests and tests; an
/// ingest reads it a row at a time through [`Manifest::plans`]).
pub fn read(path: &Path) -> Result<Vec<Planned>> {
    Manifest::open(path)?.plans()?.collect()
}

/// What a manifest asks for in all: for the progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Rows with an item (blank rows not counted).
    pub rows: u64,
    /// Rows that plan (are not refused before their files are read).
    pub items: u64,
    /// Files of the rows that plan (masters and texts).
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// A manifest checked as a whole (it can be read, its header is sound, its JSON is
/// valid), then read a row at a time: each pass over its rows ([`Manifest::plans`])
/// holds one row in memory, not the manifest.
pub struct Manifest {
    path: PathBuf,
    format: Format,
    base: PathBuf,
    label: String,
    /// CSV: delimiter, BOM length and columns.
    csv: Option<CsvLayout>,
    /// JSON: which `"items"` key of a top-level object holds the rows (the last one,
    /// as a parser that keeps the last of duplicate keys reads it); 0 for an array.
    json_items: usize,
}

#[derive(Clone)]
struct CsvLayout {
    /// UTF-16 manifests (spreadsheets' "Unicode text") re-encoded as UTF-8, in memory.
    decoded: Option<std::sync::Arc<Vec<u8>>>,
    bom: u64,
    delimiter: u8,
    columns: Vec<(usize, String, String)>,
}

impl Manifest {
    /// Open a manifest and check what concerns every row: whether it can be read, its
    /// header (CSV), its JSON (a JSON array is parsed once here without keeping it).
    pub fn open(path: &Path) -> Result<Manifest> {
        let format = Format::of(path)?;
        let base = path
            .canonicalize()
            .at(path)?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let label = path.display().to_string();
        let mut m = Manifest {
            path: path.to_path_buf(),
            format,
            base,
            label,
            csv: None,
            json_items: 0,
        };
        match format {
            Format::Csv => m.csv = Some(csv_layout(&m.path, &m.label)?),
            Format::Json => m.json_items = json_check(&m.path, &m.label)?,
            Format::JsonLines => {
                std::fs::File::open(path).at(path)?;
            }
        }
        Ok(m)
    }

    /// One pass over the rows, in order: each row's plan or refusal. An `Err` means the
    /// manifest could not be read further (it changed or a read failed).
    pub fn plans(&self) -> Result<Plans> {
        let rows: Box<dyn Iterator<Item = Result<RowResult>> + Send> = match self.format {
            Format::Csv => {
                let layout = self
                    .csv
                    .clone()
                    .ok_or_else(|| Error::invalid("internal: CSV manifest without its header"))?;
                Box::new(CsvRows::new(&self.path, &self.label, layout)?)
            }
            Format::Json => Box::new(JsonRows::new(&self.path, &self.label, self.json_items)?),
            Format::JsonLines => Box::new(LineRows::new(&self.path, &self.label)?),
        };
        Ok(Plans {
            rows,
            base: self.base.clone(),
            label: self.label.clone(),
        })
    }

    /// A first pass that plans every row and keeps only the counts (for a progress bar).
    pub fn totals(&self) -> Result<Totals> {
        let mut t = Totals::default();
        for p in self.plans()? {
            if crate::interrupt::requested() {
                return Err(Error::Interrupted);
            }
            t.rows += 1;
            if let Ok(plan) = p? {
                t.items += 1;
                let (files, bytes) = super::plan_size(&plan);
                t.files += files;
                t.bytes += bytes;
            }
        }
        Ok(t)
    }
}

/// The rows of one pass over a manifest, planned one at a time.
pub struct Plans {
    rows: Box<dyn Iterator<Item = Result<RowResult>> + Send>,
    base: PathBuf,
    label: String,
}

impl Iterator for Plans {
    type Item = Result<Planned>;

    fn next(&mut self) -> Option<Self::Item> {
        let r = self.rows.next()?;
        Some(r.map(|r| r.and_then(|(row, cells)| plan_row(&self.base, &self.label, row, cells))))
    }
}

type Row = (usize, Vec<(String, Cell)>);
type RowResult = std::result::Result<Row, Refusal>;

fn refusal(label: &str, row: usize, column: Option<&str>, reason: impl Into<String>) -> Refusal {
    Refusal {
        source: format!("{label} row {row}"),
        row: Some(row),
        column: column.map(str::to_string),
        reason: reason.into(),
    }
}

/// Byte offsets where invalid UTF-8 sequences start.
#[cfg(test)]
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

/// A manifest's bytes after any byte-order mark, from the start (for one pass).
fn csv_source(path: &Path, layout: &CsvLayout) -> Result<Box<dyn Read + Send>> {
    Ok(match &layout.decoded {
        Some(d) => Box::new(std::io::Cursor::new(ArcBytes(d.clone()))),
        None => {
            let mut f = File::open(path).at(path)?;
            f.seek(SeekFrom::Start(layout.bom)).at(path)?;
            Box::new(f)
        }
    })
}

struct ArcBytes(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn csv_reader(source: Box<dyn Read + Send>, delimiter: u8) -> csv::Reader<Box<dyn Read + Send>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(source)
}

/// Read a CSV manifest's header and check it.
fn csv_layout(path: &Path, label: &str) -> Result<CsvLayout> {
    let mut f = File::open(path).at(path)?;
    let mut head = Vec::with_capacity(3);
    (&mut f).take(3).read_to_end(&mut head).at(path)?;
    let mut layout = CsvLayout {
        decoded: None,
        bom: 0,
        delimiter: b',',
        columns: Vec::new(),
    };
    // Spreadsheets save "Unicode text" as UTF-16 with a BOM: re-encode it as UTF-8 first
    // (in memory: about the size of the file, not of its plans).
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        let bytes = std::fs::read(path).at(path)?;
        let (text, _) = super::text::decode(&bytes, None, Path::new(label))?;
        layout.decoded = Some(std::sync::Arc::new(text.into_bytes()));
    } else if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        layout.bom = 3;
    }
    // The delimiter is decided on the header line only: cells may hold `;`-separated lists.
    let mut first_line = Vec::new();
    {
        let mut r = BufReader::new(csv_source(path, &layout)?);
        r.read_until(b'\n', &mut first_line).at(path)?;
    }
    layout.delimiter = detect_delimiter(&first_line);
    let mut records = csv_reader(csv_source(path, &layout)?, layout.delimiter).into_byte_records();
    let header = match records.next() {
        None => return Err(Error::invalid(format!("{label}: the manifest is empty"))),
        Some(Err(e)) => {
            return Err(Error::invalid(format!(
                "{label}: cannot read the header row: {e}"
            )))
        }
        Some(Ok(h)) => h,
    };
    let bom = layout.bom as usize;
    for (i, raw) in header.iter().enumerate() {
        let name = std::str::from_utf8(raw).map_err(|e| {
            Error::invalid(format!(
                "{label}: the header row is not valid UTF-8 (byte offset {}); save the file as CSV UTF-8",
                e.valid_up_to() + bom
            ))
        })?;
        layout
            .columns
            .push((i + 1, normalize_column(name), name.trim().to_string()));
    }
    check_header(label, &layout.columns)?;
    Ok(layout)
}

/// The raw bytes of a CSV manifest read alongside the parser, to find where a row is
/// not valid UTF-8 (the parser gives cells, not offsets).
struct RawBytes {
    r: BufReader<File>,
    at: u64,
    buf: Vec<u8>,
}

impl RawBytes {
    /// The first invalid UTF-8 sequence in `[start, end)` (offsets after the BOM), with
    /// its first byte. Ranges must come in increasing order.
    fn first_bad(&mut self, start: u64, end: u64) -> std::io::Result<Option<(u64, u8)>> {
        if start > self.at {
            std::io::copy(
                &mut (&mut self.r).take(start - self.at),
                &mut std::io::sink(),
            )?;
            self.at = start;
        }
        self.buf.clear();
        (&mut self.r)
            .take(end.saturating_sub(self.at))
            .read_to_end(&mut self.buf)?;
        let from = self.at;
        self.at += self.buf.len() as u64;
        Ok(match std::str::from_utf8(&self.buf) {
            Ok(_) => None,
            Err(e) => {
                let k = e.valid_up_to();
                Some((from + k as u64, self.buf.get(k).copied().unwrap_or(0)))
            }
        })
    }
}

/// The rows of a CSV manifest. A row's byte range (to look for invalid UTF-8) ends where
/// the next row starts, so each row is held until the next one is read.
struct CsvRows {
    records: csv::ByteRecordsIntoIter<Box<dyn Read + Send>>,
    raw: Option<RawBytes>,
    label: String,
    path: PathBuf,
    layout: CsvLayout,
    total_len: u64,
    index: usize,
    pending: Option<(usize, csv::ByteRecord)>,
    ready: std::collections::VecDeque<RowResult>,
    held: Vec<RowResult>,
    done: bool,
}

impl CsvRows {
    fn new(path: &Path, label: &str, layout: CsvLayout) -> Result<CsvRows> {
        let (raw, total_len) = match &layout.decoded {
            Some(d) => (None, d.len() as u64),
            None => {
                let mut f = File::open(path).at(path)?;
                let len = f.metadata().at(path)?.len();
                f.seek(SeekFrom::Start(layout.bom)).at(path)?;
                (
                    Some(RawBytes {
                        r: BufReader::new(f),
                        at: 0,
                        buf: Vec::new(),
                    }),
                    len.saturating_sub(layout.bom),
                )
            }
        };
        let mut records =
            csv_reader(csv_source(path, &layout)?, layout.delimiter).into_byte_records();
        // The header, checked when the manifest was opened.
        match records.next() {
            Some(Ok(_)) => {}
            _ => {
                return Err(Error::invalid(format!(
                    "{label}: the header row changed while the manifest was read"
                )))
            }
        }
        Ok(CsvRows {
            records,
            raw,
            label: label.to_string(),
            path: path.to_path_buf(),
            layout,
            total_len,
            index: 0,
            pending: None,
            ready: Default::default(),
            held: Vec::new(),
            done: false,
        })
    }

    /// The pending row, whose bytes end at `end`, becomes ready, followed by the
    /// refusals of records that could not be read after it.
    fn release(&mut self, end: u64) -> Result<()> {
        if let Some((row, rec)) = self.pending.take() {
            if let Some(r) = self.finish(row, &rec, end)? {
                self.ready.push_back(r);
            }
        }
        self.ready.extend(self.held.drain(..));
        Ok(())
    }

    fn finish(&mut self, row: usize, rec: &csv::ByteRecord, end: u64) -> Result<Option<RowResult>> {
        let label = self.label.as_str();
        let columns = &self.layout.columns;
        let start = rec.position().map(|p| p.byte()).unwrap_or(0);
        if let Some(raw) = &mut self.raw {
            if let Some((off, byte)) = raw.first_bad(start, end).at(&self.path)? {
                return Ok(Some(Err(refusal(
                    label,
                    row,
                    None,
                    format!(
                        "not valid UTF-8 at byte offset {} (byte 0x{byte:02X}); save the manifest as CSV UTF-8",
                        off + self.layout.bom
                    ),
                ))));
            }
        }
        if rec
            .iter()
            .all(|c| c.iter().all(|b| b.is_ascii_whitespace()))
        {
            return Ok(None); // spreadsheets leave blank rows at the end
        }
        if rec.len() > columns.len() {
            let extra = rec
                .iter()
                .skip(columns.len())
                .any(|c| !c.trim_ascii().is_empty());
            if extra {
                return Ok(Some(Err(refusal(
                    label,
                    row,
                    None,
                    format!(
                        "has {} cells but the header has {} columns",
                        rec.len(),
                        columns.len()
                    ),
                ))));
            }
        }
        let mut cells = Vec::new();
        for (col, name, _) in columns {
            let value = rec
                .get(col - 1)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            cells.push((name.clone(), Cell::Text(value)));
        }
        Ok(Some(Ok((row, cells))))
    }

    fn step(&mut self) -> Result<()> {
        match self.records.next() {
            None => {
                self.done = true;
                self.release(self.total_len)
            }
            Some(Ok(r)) => {
                let row = self.index + 2; // the header is row 1
                self.index += 1;
                let start = r.position().map(|p| p.byte()).unwrap_or(0);
                self.release(start)?;
                self.pending = Some((row, r));
                Ok(())
            }
            Some(Err(e)) => {
                let row = self.index + 2;
                self.index += 1;
                if let csv::ErrorKind::Io(_) = e.kind() {
                    self.done = true;
                    return Err(Error::invalid(format!(
                        "{}: could not be read further: {e}",
                        self.label
                    )));
                }
                let r = Err(refusal(
                    &self.label,
                    row,
                    None,
                    format!("cannot be read as CSV: {e}"),
                ));
                if self.pending.is_some() {
                    self.held.push(r);
                } else {
                    self.ready.push_back(r);
                }
                Ok(())
            }
        }
    }
}

impl Iterator for CsvRows {
    type Item = Result<RowResult>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.ready.pop_front() {
                return Some(Ok(r));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.step() {
                return Some(Err(e));
            }
        }
    }
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

fn json_object_row(label: &str, row: usize, v: &Value) -> RowResult {
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

/// A JSON manifest's bytes after any byte-order mark.
fn json_source(path: &Path) -> Result<BufReader<File>> {
    let mut f = File::open(path).at(path)?;
    let mut head = Vec::with_capacity(3);
    (&mut f).take(3).read_to_end(&mut head).at(path)?;
    let skip = if head == [0xEF, 0xBB, 0xBF] { 3 } else { 0 };
    f.seek(SeekFrom::Start(skip)).at(path)?;
    Ok(BufReader::with_capacity(1 << 16, f))
}

/// The shape of a JSON manifest, found by parsing it without keeping its values.
enum Shape {
    Array,
    /// An object; `items` counts its `"items"` keys, `array` is whether the last holds an array.
    Object {
        items: usize,
        array: bool,
    },
    Other,
}

struct ShapeVisitor;

impl<'de> serde::de::Visitor<'de> for ShapeVisitor {
    type Value = Shape;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Shape, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Shape::Array)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Shape, A::Error> {
        let (mut items, mut array) = (0, false);
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                items += 1;
                array = matches!(map.next_value_seed(ShapeSeed)?, Shape::Array);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(Shape::Object { items, array })
    }
    fn visit_unit<E>(self) -> std::result::Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Shape, E> {
        Ok(Shape::Other)
    }
}

struct ShapeSeed;

impl<'de> serde::de::DeserializeSeed<'de> for ShapeSeed {
    type Value = Shape;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Shape, D::Error> {
        d.deserialize_any(ShapeVisitor)
    }
}

/// Check a JSON manifest whole (valid JSON, an array of items or an object with an
/// `"items"` array) without keeping it; returns which `"items"` key holds the rows.
fn json_check(path: &Path, label: &str) -> Result<usize> {
    let mut de = serde_json::Deserializer::from_reader(json_source(path)?);
    let invalid = |e: serde_json::Error| Error::invalid(format!("{label}: not valid JSON: {e}"));
    let shape = serde::Deserializer::deserialize_any(&mut de, ShapeVisitor).map_err(invalid)?;
    de.end().map_err(invalid)?;
    match shape {
        Shape::Array => Ok(0),
        Shape::Object { items, array: true } => Ok(items),
        Shape::Object { .. } => Err(Error::invalid(format!(
            "{label}: expected a JSON array of items (or an object with an \"items\" array)"
        ))),
        Shape::Other => Err(Error::invalid(format!(
            "{label}: expected a JSON array of items"
        ))),
    }
}

/// Sends the elements of the rows array, numbered from 1, to the reading side.
struct RowSender<'a> {
    tx: &'a SyncSender<Result<(usize, Value)>>,
    /// Which `"items"` key of a top-level object holds the rows (0: the top is the array).
    items: usize,
}

/// The reading side has gone (it stopped early): the parser stops too.
const RECEIVER_GONE: &str = "hishatak: manifest reader stopped";

impl<'de> serde::de::Visitor<'de> for RowSender<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of items")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<(), A::Error> {
        let mut row = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            row += 1;
            self.tx
                .send(Ok((row, v)))
                .map_err(|_| serde::de::Error::custom(RECEIVER_GONE))?;
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<(), A::Error> {
        let mut seen = 0;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                seen += 1;
                if seen == self.items {
                    map.next_value_seed(RowSender {
                        tx: self.tx,
                        items: 0,
                    })?;
                    continue;
                }
            }
            map.next_value::<serde::de::IgnoredAny>()?;
        }
        Ok(())
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for RowSender<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// The rows of a JSON array manifest, parsed on a thread of their own a few at a time
/// (a streaming parser pushes values; the ingest pulls rows).
struct JsonRows {
    rx: Option<Receiver<Result<(usize, Value)>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    label: String,
}

impl JsonRows {
    fn new(path: &Path, label: &str, items: usize) -> Result<JsonRows> {
        let source = json_source(path)?;
        let (tx, rx) = sync_channel::<Result<(usize, Value)>>(64);
        let who = label.to_string();
        let thread = std::thread::Builder::new()
            .name("hishatak-manifest".into())
            .spawn(move || {
                let mut de = serde_json::Deserializer::from_reader(source);
                let r = serde::Deserializer::deserialize_any(&mut de, RowSender { tx: &tx, items });
                if let Err(e) = r {
                    if !e.to_string().contains(RECEIVER_GONE) {
                        let _ = tx.send(Err(Error::invalid(format!(
                            "{who}: could not be read further: not valid JSON: {e}"
                        ))));
                    }
                }
            })
            .map_err(|e| Error::invalid(format!("no thread to read the manifest: {e}")))?;
        Ok(JsonRows {
            rx: Some(rx),
            thread: Some(thread),
            label: label.to_string(),
        })
    }
}

impl Iterator for JsonRows {
    type Item = Result<RowResult>;

    fn next(&mut self) -> Option<Self::Item> {
        let got = self.rx.as_ref()?.recv().ok();
        match got {
            Some(Ok((row, v))) => Some(Ok(json_object_row(&self.label, row, &v))),
            Some(Err(e)) => {
                self.rx = None;
                Some(Err(e))
            }
            None => {
                self.rx = None;
                None
            }
        }
    }
}

impl Drop for JsonRows {
    fn drop(&mut self) {
        // Closing the channel stops the parser at its next row.
        self.rx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The rows of a JSON Lines manifest: one line at a time.
struct LineRows {
    r: BufReader<File>,
    buf: Vec<u8>,
    row: usize,
    label: String,
    path: PathBuf,
    done: bool,
}

impl LineRows {
    fn new(path: &Path, label: &str) -> Result<LineRows> {
        let f = File::open(path).at(path)?;
        Ok(LineRows {
            r: BufReader::with_capacity(1 << 16, f),
            buf: Vec::new(),
            row: 0,
            label: label.to_string(),
            path: path.to_path_buf(),
            done: false,
        })
    }
}

impl Iterator for LineRows {
    type Item = Result<RowResult>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            match self.r.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Err(Error::io(&self.path, e)));
                }
            }
            if self.done && self.row > 0 {
                break; // a final `\n` ends the last line; it does not start one
            }
            self.row += 1;
            let mut line = &self.buf[..];
            if self.row == 1 {
                line = line.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(line);
            }
            let line = line.strip_suffix(b"\n").unwrap_or(line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let row = self.row;
            return Some(Ok(match serde_json::from_slice::<Value>(line) {
                Ok(v) => json_object_row(&self.label, row, &v),
                Err(e) => Err(refusal(
                    &self.label,
                    row,
                    None,
                    format!("not valid JSON: {e}"),
                )),
            }));
        }
        None
    }
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
