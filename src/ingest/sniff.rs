//! Media type by content, never by extension.

/// The media type of a file, judged from its first bytes.
pub fn media_type(head: &[u8], size: u64) -> String {
    if size == 0 {
        return "application/octet-stream".to_string();
    }
    if let Some(t) = infer::get(head) {
        return t.mime_type().to_string();
    }
    if looks_like_text(head) {
        return "text/plain".to_string();
    }
    "application/octet-stream".to_string()
}

/// Text: a Unicode byte-order mark, or UTF-8 with no control characters other than
/// whitespace (a multi-byte character cut at the end of the sample is allowed).
fn looks_like_text(head: &[u8]) -> bool {
    if head.starts_with(&[0xEF, 0xBB, 0xBF])
        || head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
    {
        return true;
    }
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            // Cut inside a character at the end of the sample.
            match std::str::from_utf8(&head[..e.valid_up_to()]) {
                Ok(s) => s,
                Err(_) => return false,
            }
        }
        Err(_) => return false,
    };
    !valid
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
}

#[cfg(test)]
mod tests {
    use super::media_type;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(media_type(b"%PDF-1.4\n...", 12), "application/pdf");
        assert_eq!(
            media_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], 6),
            "image/jpeg"
        );
        assert_eq!(media_type(b"II*\0\x08\0\0\0\x10\0\0\0", 12), "image/tiff");
        assert_eq!(media_type("Էրզրումից\r\n".as_bytes(), 20), "text/plain");
        assert_eq!(
            media_type(&[0, 1, 2, 3, 0xFF], 5),
            "application/octet-stream"
        );
        assert_eq!(media_type(b"", 0), "application/octet-stream");
    }
}
