//! The language of a text, among the archive's languages (whatlang, with an allowlist).

use whatlang::{Detector, Lang};

/// ISO 639-1 (or 639-3) code to whatlang's language.
fn to_lang(code: &str) -> Option<Lang> {
    let three = match code {
        "en" => "eng",
        "hy" => "hye",
        "ru" => "rus",
        "tr" => "tur",
        "fr" => "fra",
        "de" => "deu",
        "uk" => "ukr",
        "ka" => "kat",
        "el" => "ell",
        "ar" => "ara",
        "fa" => "pes",
        "he" => "heb",
        "yi" => "yid",
        "it" => "ita",
        "es" => "spa",
        "pt" => "por",
        "pl" => "pol",
        "bg" => "bul",
        "az" => "aze",
        other => other,
    };
    Lang::from_code(three)
}

/// The code we store for a whatlang language (639-1 where we know one).
fn from_lang(l: Lang) -> String {
    match l.code() {
        "eng" => "en",
        "hye" => "hy",
        "rus" => "ru",
        "tur" => "tr",
        "fra" => "fr",
        "deu" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ell" => "el",
        "ara" => "ar",
        "pes" => "fa",
        "heb" => "he",
        "yid" => "yi",
        "ita" => "it",
        "spa" => "es",
        "por" => "pt",
        "pol" => "pl",
        "bul" => "bg",
        "aze" => "az",
        other => other,
    }
    .to_string()
}

/// Detect the language of `text` among `allowed` (ISO codes). `None` when the text is
/// too short or the detector is not confident.
pub fn detect(text: &str, allowed: &[String]) -> Option<String> {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 20 {
        return None;
    }
    let list: Vec<Lang> = allowed.iter().filter_map(|c| to_lang(c)).collect();
    if list.is_empty() {
        return None;
    }
    // Long texts: the first 4,000 characters are plenty and keep it fast.
    let sample: String = text.chars().take(4000).collect();
    let info = Detector::with_allowlist(list).detect(&sample)?;
    (info.is_reliable() || info.confidence() > 0.5 || allowed.len() == 1)
        .then(|| from_lang(info.lang()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<String> {
        ["en", "hy", "ru", "tr", "fr", "de"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn scripts_and_latin_languages_are_told_apart() {
        let cases = [
            ("The committee asks every congregation to give one collection for the orphans.", "en"),
            ("Մենք դուրս եկանք քաղաքից ամռանը, և ճանապարհը շատ երկար էր։", "hy"),
            ("Положение беженцев в городе остаётся тяжёлым, дороги занесены снегом.", "ru"),
            ("Ailelerin yol masrafları vilayet bütçesinden karşılanacaktır, gereğini arz ederim.", "tr"),
            ("Les villages que j'ai traversés sont en grande partie abandonnés par leurs habitants.", "fr"),
            ("Die Sterblichkeit in den Lagern ist hoch, die Kinder werden nach Aleppo gebracht.", "de"),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text, &all()).as_deref(), Some(want), "{text}");
        }
        assert_eq!(detect("ok", &all()), None);
    }
}
