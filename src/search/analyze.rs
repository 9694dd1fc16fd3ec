//! Text analysis shared by indexing, querying and snippets, so that a word is reduced the
//! same way wherever it is seen.
//!
//! For every word: NFC; lower case that is right for Turkish (`İ` → `i`, and `I`/`ı` both
//! reach `i` once folded); Armenian emphasis, exclamation and question marks removed from
//! inside words; `և` = `եւ`; `ё` = `е`. Then:
//! - **plain**: diacritics folded (`Bakü` → `baku`, `Müdürlüğü` → `mudurlugu`);
//! - **stems**: the word's language stemmer (Snowball for en ru tr fr de, a light suffix
//!   stripper for Armenian), folded;
//! - **latin**: the plain form and the stem transliterated to Latin (Armenian and Cyrillic,
//!   tables below), so a query in one script meets the others.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// A word of a text with its byte range in the (NFC) text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Lower-cased word (diacritics kept).
    pub lower: String,
    /// Byte offsets in the text.
    pub start: usize,
    /// End offset (exclusive).
    pub end: usize,
}

/// Armenian marks written over a word's stressed vowel: they sit inside words and must
/// neither split them nor stick to them.
fn is_armenian_mark(c: char) -> bool {
    matches!(c, '\u{055B}' | '\u{055C}' | '\u{055E}' | '\u{055F}')
}

/// `char::is_alphanumeric`, answered without its table search for the letters of the
/// scripts hishatak's texts are mostly in (ASCII, Latin-1 and Latin Extended-A/B,
/// basic Cyrillic, Armenian): that search was 7 % of indexing's CPU. Every other
/// character goes to the table (a test compares the two on every character).
#[inline]
fn is_word_char(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F => true,
        0x400..=0x481 => true,
        0x531..=0x556 | 0x561..=0x587 => true,
        _ => c.is_alphanumeric(),
    }
}

/// Split a text into words (letters and digits), with their offsets. Apostrophes split
/// (Turkish `Bakü'de` → `bakü`, `de`); Armenian marks inside a word are dropped.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    each_word(text, |raw, start, end| {
        out.push(Word {
            lower: lower(raw),
            start,
            end,
        })
    });
    out
}

/// Call `f` with each word of `text` as written (before lower-casing, Armenian marks
/// dropped) and its byte range: what [`words`] does, without lower-casing, for callers
/// that remember the analysis of each distinct word.
pub fn each_word(text: &str, mut f: impl FnMut(&str, usize, usize)) {
    let mut start: Option<usize> = None;
    let mut buf = String::new();
    for (i, c) in text.char_indices() {
        // Every combining mark (not only the Latin accents) belongs to the word it
        // follows: text written decomposed (NFD) gives the same words as text written
        // composed. A mark after no letter is no word.
        // (A letter is tested first: most characters are, and the mark test is slower.)
        if is_word_char(c) || (start.is_some() && unicode_normalization::char::is_combining_mark(c))
        {
            if start.is_none() {
                start = Some(i);
            }
            buf.push(c);
        } else if is_armenian_mark(c) && start.is_some() {
            // Dropped, the word goes on.
        } else if let Some(s) = start.take() {
            if !buf.is_empty() {
                f(&buf, s, i);
            }
            buf.clear();
        }
    }
    if let Some(s) = start {
        if !buf.is_empty() {
            f(&buf, s, text.len());
        }
    }
}

fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Lower case, right for Turkish capitals and the Armenian ligature.
pub fn lower(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.nfc() {
        match c {
            // `İ`.to_lowercase() is `i` + U+0307: keep only the `i`.
            'İ' => out.push('i'),
            'և' => out.push_str("եւ"),
            'ё' | 'Ё' => out.push('е'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    let out = out.replace('\u{0307}', "");
    // NFC orders a word's marks by combining class, which can move a mark before an
    // alphabetic combining letter (U+1E08F then U+1CD4 becomes U+1CD4 U+1E08F). A word
    // never starts with a mark that is not a letter: drop such a lead, so that a word
    // typed as a query is read as the same word it was indexed as.
    let lead = out
        .char_indices()
        .find(|&(_, c)| c.is_alphanumeric() || !unicode_normalization::char::is_combining_mark(c))
        .map(|(i, _)| i)
        .unwrap_or(0);
    if lead > 0 {
        out[lead..].to_string()
    } else {
        out
    }
}

/// Fold diacritics for matching: `bakü` → `baku`, `ı` → `i`, `ß` → `ss`. Scripts without
/// combining marks (Armenian) pass unchanged; `й` keeps its breve.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'ı' => out.push('i'),
            'ß' => out.push_str("ss"),
            'ø' => out.push('o'),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ł' => out.push('l'),
            'đ' => out.push('d'),
            'й' => out.push('й'),
            c if c.is_ascii() => out.push(c),
            c => {
                for d in c.nfd() {
                    if !is_combining(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
    out
}

/// Script of a word, judged by its first letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Latin letters (and digits).
    Latin,
    /// Armenian.
    Armenian,
    /// Cyrillic.
    Cyrillic,
    /// Anything else.
    Other,
}

/// The script of a word.
pub fn script(word: &str) -> Script {
    match word.chars().find(|c| c.is_alphabetic()) {
        Some(c)
            if ('\u{0530}'..='\u{058F}').contains(&c) || ('\u{FB13}'..='\u{FB17}').contains(&c) =>
        {
            Script::Armenian
        }
        Some(c) if ('\u{0400}'..='\u{04FF}').contains(&c) => Script::Cyrillic,
        Some(c) if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) => {
            Script::Latin
        }
        Some(_) => Script::Other,
        None => Script::Latin,
    }
}

fn stemmer(lang: &str) -> Option<&'static Stemmer> {
    static STEMMERS: OnceLock<[(&str, Stemmer); 5]> = OnceLock::new();
    let all = STEMMERS.get_or_init(|| {
        [
            ("en", Stemmer::create(Algorithm::English)),
            ("ru", Stemmer::create(Algorithm::Russian)),
            ("tr", Stemmer::create(Algorithm::Turkish)),
            ("fr", Stemmer::create(Algorithm::French)),
            ("de", Stemmer::create(Algorithm::German)),
        ]
    });
    all.iter().find(|(l, _)| *l == lang).map(|(_, s)| s)
}

/// Languages that have a stemmer here.
pub const STEMMED: [&str; 6] = ["en", "ru", "tr", "fr", "de", "hy"];

/// Stem a lower-cased word in `lang`; `None` when the language has no stemmer or the word
/// is not in that language's script.
pub fn stem(lang: &str, lower_word: &str) -> Option<String> {
    let sc = script(lower_word);
    match lang {
        "hy" if sc == Script::Armenian => Some(stem_armenian(lower_word)),
        "ru" if sc == Script::Cyrillic => stemmer("ru").map(|s| s.stem(lower_word).into_owned()),
        "en" | "tr" | "fr" | "de" if sc == Script::Latin => {
            stemmer(lang).map(|s| s.stem(lower_word).into_owned())
        }
        _ => None,
    }
}

/// The languages whose stemmer applies to a query word of this script.
pub fn query_langs(word: &str) -> &'static [&'static str] {
    match script(word) {
        Script::Armenian => &["hy"],
        Script::Cyrillic => &["ru"],
        Script::Latin => &["en", "tr", "fr", "de"],
        Script::Other => &[],
    }
}

/// A light Armenian stemmer: strips one plural and one case ending (genitive/dative `-ի
/// -ու -ին`, ablative `-ից -ուց`, instrumental `-ով`, locative `-ում`, articles `-ը -ն`,
/// possessives `-ս -դ`, plural `-եր -ներ`), keeping at least three letters.
pub fn stem_armenian(word: &str) -> String {
    // Longest first. Each list is tried once, in order: case/article, then plural.
    const CASE: [&str; 17] = [
        "ներից",
        "երից",
        "ներում",
        "երում",
        "ներով",
        "երով",
        "ներին",
        "երին",
        "ուց",
        "ից",
        "ում",
        "ով",
        "ին",
        "ու",
        "ի",
        "ը",
        "ն",
    ];
    const PLURAL: [&str; 2] = ["ներ", "եր"];
    const POSSESSIVE: [&str; 2] = ["ս", "դ"];
    let mut w: Vec<char> = word.chars().collect();
    let strip = |w: &mut Vec<char>, suffixes: &[&str]| {
        for s in suffixes {
            let sc: Vec<char> = s.chars().collect();
            if w.len() >= sc.len() + 3 && w.ends_with(&sc) {
                w.truncate(w.len() - sc.len());
                return true;
            }
        }
        false
    };
    strip(&mut w, &POSSESSIVE);
    strip(&mut w, &CASE);
    strip(&mut w, &PLURAL);
    w.into_iter().collect()
}

/// Armenian to Latin (after BGN/PCGN 1981 for Eastern Armenian, simplified for matching:
/// no apostrophes for aspirates, `ու` = `u`, `և`/`եւ` = `ev`).
fn armenian_latin(c: char, next: Option<char>) -> (&'static str, bool) {
    let s = match c {
        'ա' => "a",
        'բ' => "b",
        'գ' => "g",
        'դ' => "d",
        'ե' => "e",
        'զ' => "z",
        'է' => "e",
        'ը' => "y",
        'թ' => "t",
        'ժ' => "zh",
        'ի' => "i",
        'լ' => "l",
        'խ' => "kh",
        'ծ' => "ts",
        'կ' => "k",
        'հ' => "h",
        'ձ' => "dz",
        'ղ' => "gh",
        'ճ' => "ch",
        'մ' => "m",
        'յ' => "y",
        'ն' => "n",
        'շ' => "sh",
        'չ' => "ch",
        'պ' => "p",
        'ջ' => "j",
        'ռ' => "r",
        'ս' => "s",
        'վ' => "v",
        'տ' => "t",
        'ր' => "r",
        'ց' => "ts",
        'փ' => "p",
        'ք' => "k",
        'օ' => "o",
        'ֆ' => "f",
        'և' => "ev",
        'ո' if next == Some('ւ') => return ("u", true),
        'ո' => "o",
        'ւ' => "v",
        _ => return ("", false),
    };
    (s, false)
}

/// Cyrillic (Russian) to Latin, after BGN/PCGN: `х` = `kh`, `ц` = `ts`, `щ` = `shch`.
fn cyrillic_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'ў' => "w",
        _ => return None,
    })
}

/// Transliterate a lower-cased, folded word to Latin letters. Latin words are returned as
/// they are; characters of other scripts are kept.
pub fn to_latin(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if ('\u{0561}'..='\u{0587}').contains(&c) {
            let (s, skip_next) = armenian_latin(c, chars.get(i + 1).copied());
            if s.is_empty() && !skip_next {
                out.push(c);
            } else {
                out.push_str(s);
            }
            i += if skip_next { 2 } else { 1 };
            continue;
        }
        match cyrillic_latin(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
        i += 1;
    }
    out
}

/// All the forms of one word that are indexed or searched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forms {
    /// Folded word.
    pub plain: String,
    /// Folded stems (one per applicable language).
    pub stems: Vec<String>,
    /// Latin forms of the word and of its stems.
    pub latin: Vec<String>,
}

/// The forms of a lower-cased word read as `langs` (its text's language; empty: judged by
/// script: Armenian words as hy, Cyrillic as ru).
pub fn forms(lower_word: &str, langs: &[&str]) -> Forms {
    let plain = fold(lower_word);
    let mut stems = Vec::new();
    let by_script: &[&str] = match script(lower_word) {
        Script::Armenian => &["hy"],
        Script::Cyrillic => &["ru"],
        _ => &[],
    };
    let use_langs = if langs.is_empty() { by_script } else { langs };
    for l in use_langs {
        if let Some(s) = stem(l, lower_word) {
            let s = fold(&s);
            if !s.is_empty() && !stems.contains(&s) {
                stems.push(s);
            }
        }
    }
    // A Cyrillic word in a text tagged with a Latin-script language still gets its stem.
    if stems.is_empty() && !by_script.is_empty() && use_langs != by_script {
        for l in by_script {
            if let Some(s) = stem(l, lower_word) {
                stems.push(fold(&s));
            }
        }
    }
    let mut latin = vec![to_latin(&plain)];
    for s in &stems {
        let l = to_latin(s);
        if !latin.contains(&l) {
            latin.push(l);
        }
    }
    Forms {
        plain,
        stems,
        latin,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_word_reads_the_same_after_nfc_reorders_its_marks() {
        // U+1E08F is an alphabetic combining letter (class 230), U+1CD4 a Vedic mark
        // (class 1): NFC puts the second first. Found by the property tests.
        let text = "\u{1e08f}\u{1cd4}";
        let w = words(text);
        assert_eq!(w.len(), 1);
        let again: Vec<String> = words(&w[0].lower).into_iter().map(|x| x.lower).collect();
        assert_eq!(again, vec![w[0].lower.clone()]);
        // Ordinary decomposed text keeps its marks.
        assert_eq!(lower("Bake\u{0301}"), "baké");
    }

    use super::*;

    fn plain(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| fold(&w.lower)).collect()
    }

    #[test]
    fn turkish_i_in_every_form_meets() {
        assert_eq!(plain("İSTANBUL İstanbul istanbul"), ["istanbul"; 3]);
        assert_eq!(plain("IĞDIR Iğdır ığdır"), ["igdir"; 3]);
        assert_eq!(plain("Müdürlüğü"), ["mudurlugu"]);
    }

    #[test]
    fn apostrophes_split_turkish_suffixes() {
        assert_eq!(plain("Bakü'de Erzurum’a"), ["baku", "de", "erzurum", "a"]);
    }

    #[test]
    fn armenian_marks_neither_split_nor_stick() {
        // emphasis, exclamation and question marks inside words; full stop after one
        assert_eq!(
            plain("Ինչո՞ւ Վա՜յ Բաքու՛։ Կոմիտաս"),
            ["ինչու", "վայ", "բաքու", "կոմիտաս"]
        );
        assert_eq!(plain("և եւ"), ["եւ", "եւ"]);
    }

    #[test]
    fn word_characters_are_the_alphanumeric_ones() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                super::is_word_char(c),
                c.is_alphanumeric(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn russian_yo_is_ye() {
        assert_eq!(plain("Всё всЁ все"), ["все"; 3]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let t = "в Эрзуруме, Bakü'de";
        let w = words(t);
        assert_eq!(&t[w[1].start..w[1].end], "Эрзуруме");
        assert_eq!(&t[w[2].start..w[2].end], "Bakü");
    }

    #[test]
    fn inflected_forms_share_a_stem() {
        assert_eq!(
            forms("эрзуруме", &["ru"]).stems,
            forms("эрзурум", &["ru"]).stems
        );
        assert_eq!(forms("էրզրումից", &["hy"]).stems, vec!["էրզրում"]);
        assert_eq!(forms("բաքվում", &["hy"]).stems, vec!["բաքվ"]);
        assert_eq!(stem_armenian("գաղթականներից"), "գաղթական");
        assert_eq!(
            stem_armenian("Վան".to_lowercase().as_str()),
            "վան",
            "short words are kept"
        );
    }

    #[test]
    fn scripts_meet_in_latin() {
        assert_eq!(forms("կոմիտաս", &[]).latin[0], "komitas");
        assert_eq!(forms("комитас", &[]).latin[0], "komitas");
        assert_eq!(forms("баку", &[]).latin[0], "baku");
        assert_eq!(forms("բաքու", &[]).latin[0], "baku");
        assert_eq!(forms("bakü", &["tr"]).latin[0], "baku");
        assert!(forms("эрзуруме", &["ru"])
            .latin
            .contains(&"erzurum".to_string()));
        assert_eq!(to_latin("хачатурян"), "khachaturyan");
        assert_eq!(to_latin("խաչատրյան"), "khachatryan");
        assert_eq!(to_latin("երևան"), "erevan");
    }
}
