//! PDFs: page count, producer, encryption, and the text layer of each page.
//!
//! Both parsers are third-party code reading hostile input: every call runs under
//! `catch_unwind` (and, one level up, a time limit), so a broken PDF is flagged, never a
//! crash.

use serde_json::{json, Value};

/// What a PDF is, and the text of each page (empty string: no text on that page).
pub struct PdfInfo {
    /// Technical metadata.
    pub meta: Value,
    /// Text per page (1-based order).
    pub pages: Vec<String>,
    /// Why the PDF could not be read fully, if it could not.
    pub problem: Option<String>,
}

fn info_string(doc: &lopdf::Document, key: &[u8]) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let dict = match info {
        lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        lopdf::Object::Dictionary(d) => d,
        _ => return None,
    };
    let v = dict.get(key).ok()?;
    let bytes = v.as_str().ok()?;
    // PDF text strings: UTF-16BE with a BOM, or PDFDocEncoding (Latin-1 is close enough
    // for producer names).
    let s = if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    };
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// Read a PDF from memory.
pub fn read(bytes: &[u8]) -> PdfInfo {
    let parsed = std::panic::catch_unwind(|| lopdf::Document::load_mem(bytes));
    let doc = match parsed {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => {
            return PdfInfo {
                meta: json!({"media_type": "application/pdf"}),
                pages: Vec::new(),
                problem: Some(format!("the PDF cannot be parsed ({e})")),
            }
        }
        Err(_) => {
            return PdfInfo {
                meta: json!({"media_type": "application/pdf"}),
                pages: Vec::new(),
                problem: Some("the PDF parser failed on this file (malformed PDF)".into()),
            }
        }
    };
    let encrypted = doc.is_encrypted();
    let page_count = doc.get_pages().len();
    let mut meta = json!({
        "media_type": "application/pdf",
        "pages": page_count,
        "encrypted": encrypted,
        "pdf_version": doc.version,
    });
    for (key, field) in [
        (&b"Producer"[..], "producer"),
        (b"Creator", "creator_tool"),
        (b"Title", "title"),
    ] {
        if let Some(v) = info_string(&doc, key) {
            meta[field] = json!(v);
        }
    }
    if encrypted {
        meta["text_layer"] = json!(false);
        return PdfInfo {
            meta,
            pages: Vec::new(),
            problem: Some("the PDF is encrypted; its text was not read".into()),
        };
    }
    let text = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem_by_pages(bytes));
    let (pages, problem) = match text {
        Ok(Ok(p)) => (p, None),
        Ok(Err(e)) => (
            Vec::new(),
            Some(format!("the text layer cannot be read ({e})")),
        ),
        Err(_) => (
            Vec::new(),
            Some("the text extractor failed on this file (malformed PDF)".into()),
        ),
    };
    let pages: Vec<String> = pages.into_iter().map(|p| tidy(&p)).collect();
    meta["text_layer"] = json!(pages.iter().any(|p| p.chars().any(char::is_alphanumeric)));
    PdfInfo {
        meta,
        pages,
        problem,
    }
}

/// Collapse the extractor's spacing: trim lines, drop runs of blank lines.
fn tidy(s: &str) -> String {
    let mut out = String::new();
    let mut blank = 0;
    for line in s.lines() {
        let l = line.trim_end();
        if l.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(l.trim_start());
    }
    out
}
