//! Reading transcripts and translations: UTF-8 (with or without BOM), UTF-16 with BOM,
//! or a named legacy encoding; undecodable text is refused with the first bad offset.

use std::path::Path;

use encoding_rs::{DecoderResult, Encoding};

use crate::error::{Error, Result};

/// Decode `bytes` (the file `name`). Returns the text (line ends normalised to `\n`) and
/// the name of the encoding it was read in.
pub fn decode(bytes: &[u8], encoding: Option<&str>, name: &Path) -> Result<(String, String)> {
    let fail = |offset: usize, why: &str| {
        let byte = bytes
            .get(offset)
            .map(|b| format!(" (byte 0x{b:02X})"))
            .unwrap_or_default();
        Error::invalid(format!(
            "{}: {why} at byte offset {offset}{byte}; save it as UTF-8 or name its encoding (e.g. encoding=windows-1251, koi8-r, windows-1254, iso-8859-9, armscii-8)",
            name.display()
        ))
    };
    let (text, used) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        let s =
            std::str::from_utf8(rest).map_err(|e| fail(e.valid_up_to() + 3, "not valid UTF-8"))?;
        (s.to_string(), "utf-8".to_string())
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (
            decode_utf16(rest, false).map_err(|o| fail(o + 2, "not valid UTF-16LE"))?,
            "utf-16le".into(),
        )
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (
            decode_utf16(rest, true).map_err(|o| fail(o + 2, "not valid UTF-16BE"))?,
            "utf-16be".into(),
        )
    } else if let Some(label) = encoding.filter(|l| is_armscii8(l)) {
        let _ = label;
        (
            decode_armscii8(bytes).map_err(|o| fail(o, "not valid ARMSCII-8"))?,
            "armscii-8".into(),
        )
    } else if let Some(label) = encoding.filter(|l| !l.trim().is_empty()) {
        let enc = Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            Error::invalid(format!(
                "{}: encoding '{label}' is not known; use a name such as utf-8, utf-16, windows-1251, koi8-r, windows-1254, iso-8859-9, armscii-8",
                name.display()
            ))
        })?;
        let s =
            decode_strict(enc, bytes).map_err(|o| fail(o, &format!("not valid {}", enc.name())))?;
        (s, enc.name().to_ascii_lowercase())
    } else {
        let s = std::str::from_utf8(bytes).map_err(|e| fail(e.valid_up_to(), "not valid UTF-8"))?;
        (s.to_string(), "utf-8".to_string())
    };
    Ok((text.replace("\r\n", "\n"), used))
}

/// Whether a label names ARMSCII-8 (the Armenian 8-bit standard, not in the WHATWG set
/// that encoding_rs implements).
fn is_armscii8(label: &str) -> bool {
    let l: String = label
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    l == "armscii8"
}

/// ARMSCII-8 (AST 34.002): ASCII below 0x80; 0xA2-0xB1 punctuation and the ligature
/// `և`; from 0xB2 the 38 letters alternate capital, small (Ա ա Բ բ ...); 0xFE the
/// apostrophe. Bytes the standard leaves undefined are refused with their offset.
fn decode_armscii8(bytes: &[u8]) -> std::result::Result<String, usize> {
    const PUNCT: [char; 16] = [
        '\u{0587}', '\u{0589}', ')', '(', '\u{00BB}', '\u{00AB}', '\u{2014}', '.', '\u{055D}', ',',
        '-', '\u{058A}', '\u{2026}', '\u{055C}', '\u{055B}', '\u{055E}',
    ];
    let mut out = String::with_capacity(bytes.len() * 2);
    for (i, &b) in bytes.iter().enumerate() {
        let c = match b {
            0x00..=0x7F => char::from(b),
            0xA0 => '\u{00A0}',
            0xA2..=0xB1 => PUNCT[usize::from(b - 0xA2)],
            0xB2..=0xFD => {
                let k = u32::from(b - 0xB2);
                let base = if k % 2 == 0 { 0x0531 } else { 0x0561 };
                char::from_u32(base + k / 2).ok_or(i)?
            }
            0xFE => '\u{055A}',
            _ => return Err(i),
        };
        out.push(c);
    }
    Ok(out)
}

fn decode_utf16(bytes: &[u8], big_endian: bool) -> std::result::Result<String, usize> {
    if bytes.len() % 2 == 1 {
        return Err(bytes.len() - 1);
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut pos = 0usize;
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => {
                pos += c.len_utf16() * 2;
                out.push(c);
            }
            Err(_) => return Err(pos),
        }
    }
    Ok(out)
}

fn decode_strict(enc: &'static Encoding, bytes: &[u8]) -> std::result::Result<String, usize> {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 2 + 16);
    let mut read_total = 0usize;
    loop {
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[read_total..], &mut out, true);
        read_total += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(bytes.len() + 16),
            DecoderResult::Malformed(bad, after) => {
                return Err(read_total.saturating_sub(bad as usize + after as usize))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::decode;
    use std::path::Path;

    #[test]
    fn reads_boms_and_legacy_encodings() {
        let p = Path::new("t.txt");
        let (s, e) = decode("\u{feff}Էրզրում\r\n".as_bytes(), None, p).unwrap();
        assert_eq!((s.as_str(), e.as_str()), ("Էրզրում\n", "utf-8"));
        let mut le = vec![0xFF, 0xFE];
        for u in "Баку".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le, None, p).unwrap().0, "Баку");
        // "Баку" in Windows-1251
        assert_eq!(
            decode(&[0xC1, 0xE0, 0xEA, 0xF3], Some("windows-1251"), p)
                .unwrap()
                .0,
            "Баку"
        );
        // "Бакү" is not the point; KOI8-R "Баку"
        assert_eq!(
            decode(&[0xE2, 0xC1, 0xCB, 0xD5], Some("koi8-r"), p)
                .unwrap()
                .0,
            "Баку"
        );
    }

    #[test]
    fn names_the_first_bad_byte() {
        let e = decode(b"Erzurum \xE9t\xE9", None, Path::new("x.txt"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("x.txt") && e.contains("offset 8") && e.contains("0xE9"),
            "{e}"
        );
        let e = decode(
            &[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00],
            None,
            Path::new("u.txt"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("offset 2"), "{e}");
        assert!(decode(b"abc", Some("no-such-enc"), Path::new("n.txt")).is_err());
    }
}

#[cfg(test)]
mod armscii_tests {
    use super::*;

    #[test]
    fn armscii8_letters_and_punctuation() {
        // "Երևան։": letters by the capital/small alternation, then the ligature and full stop.
        let enc = |c: char| -> u8 {
            let u = c as u32;
            if (0x0531..=0x0556).contains(&u) {
                0xB2 + 2 * (u - 0x0531) as u8
            } else {
                0xB3 + 2 * (u - 0x0561) as u8
            }
        };
        let bytes = [enc('Ե'), enc('ր'), 0xA2, enc('ա'), enc('ն'), 0xA3];
        let (text, used) = decode(&bytes, Some("ARMSCII-8"), Path::new("t.txt")).unwrap();
        assert_eq!(text, "Երևան։");
        assert_eq!(used, "armscii-8");
        assert_eq!(decode_armscii8(&[0xB2, 0xFD, 0xFE]).unwrap(), "Աֆ՚");
        let err = decode(&[0x41, 0xFF], Some("armscii8"), Path::new("t.txt")).unwrap_err();
        assert!(err.to_string().contains("byte offset 1"), "{err}");
    }
}
