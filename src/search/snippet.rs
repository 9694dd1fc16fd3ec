//! Snippets: a short passage of the text that matched, in its own script and spelling,
//! with every word that matched in any form (inflection, other script, gazetteer name,
//! near spelling) in `<b>…</b>`. The rest is HTML-escaped.

use super::analyze;
use super::query::Wanted;

/// Levenshtein distance, bounded: returns `max + 1` as soon as it is exceeded.
fn distance(a: &str, b: &str, max: u8) -> u8 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max as usize {
        return max + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        let mut best = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let v = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            best = best.min(v);
            cur.push(v);
        }
        if best > max as usize {
            return max + 1;
        }
        prev = cur;
    }
    prev[b.len()].min(max as usize + 1) as u8
}

/// Whether a word of a text (lower-cased) is one the query asked for.
pub fn matches(w: &Wanted, lower: &str, langs: &[&str]) -> bool {
    let f = analyze::forms(lower, langs);
    w.plain.contains(&f.plain)
        || f.stems.iter().any(|s| w.stems.contains(s))
        || f.latin.iter().any(|l| w.latin.contains(l))
        || w.fuzzy.iter().any(|(q, d)| {
            f.latin
                .first()
                .map(|l| distance(l, q, *d) <= *d)
                .unwrap_or(false)
                || distance(&f.plain, q, *d) <= *d
        })
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// The best passage of `text` (up to `max_words` words) and how many distinct matched
/// words it holds; `None` when nothing in the text matched.
pub fn snippet(
    w: &Wanted,
    text: &str,
    langs: &[&str],
    max_words: usize,
) -> Option<(String, usize)> {
    snippet_cached(w, text, langs, max_words, &mut Memo::default())
}

/// Whether each distinct word matched, remembered across the texts of one query's hits
/// (texts repeat their words; analysing each once keeps snippets cheap). Keyed by the
/// text's languages, then by the word as written.
#[derive(Default)]
pub struct Memo(std::collections::HashMap<String, std::collections::HashMap<String, bool>>);

/// [`snippet`], with the word matches remembered in `memo`.
pub fn snippet_cached(
    w: &Wanted,
    text: &str,
    langs: &[&str],
    max_words: usize,
    memo: &mut Memo,
) -> Option<(String, usize)> {
    let memo = memo.0.entry(langs.join(",")).or_default();
    // Each word's byte range and, for a word that matched, its lower-cased form.
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut hits: Vec<Option<String>> = Vec::new();
    analyze::each_word(text, |raw, start, end| {
        let m = match memo.get(raw) {
            Some(&m) => m,
            None => {
                let m = matches(w, &analyze::lower(raw), langs);
                memo.insert(raw.to_string(), m);
                m
            }
        };
        words.push((start, end));
        hits.push(m.then(|| analyze::lower(raw)));
    });
    if !hits.iter().any(Option::is_some) {
        return None;
    }
    // The window with the most hits (first such), starting a little before the first hit.
    let n = words.len();
    let win = max_words.min(n).max(1);
    let mut best = (0usize, 0usize);
    let mut count = hits[..win].iter().filter(|h| h.is_some()).count();
    best = (count, 0).max(best);
    for start in 1..=n - win {
        count += usize::from(hits[start + win - 1].is_some());
        count -= usize::from(hits[start - 1].is_some());
        if count > best.0 {
            best = (count, start);
        }
    }
    let first_hit = (best.1..best.1 + win)
        .find(|&i| hits[i].is_some())
        .unwrap_or(best.1);
    // A little context before the first hit, without running past the end.
    let start = first_hit.saturating_sub(4).min(n - win);
    let end = (start + win).min(n);
    let from = if start == 0 { 0 } else { words[start].0 };
    let to = if end == n {
        text.len()
    } else {
        words[end - 1].1
    };
    let mut out = String::new();
    if from > 0 {
        out.push_str("… ");
    }
    let mut at = from;
    let mut distinct = std::collections::BTreeSet::new();
    for i in start..end {
        let (ws, we) = words[i];
        escape(&text[at..ws], &mut out);
        if let Some(lower) = &hits[i] {
            out.push_str("<b>");
            escape(&text[ws..we], &mut out);
            out.push_str("</b>");
            distinct.insert(lower.as_str());
        } else {
            escape(&text[ws..we], &mut out);
        }
        at = we;
    }
    escape(&text[at..to], &mut out);
    if to < text.len() {
        out.push_str(" …");
    }
    Some((out.trim().to_string(), distinct.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_across_scripts_and_escapes_the_rest() {
        let mut w = Wanted::default();
        w.latin.insert("baku".into());
        let (s, n) = snippet(&w, "Мы приехали в Баку <ночью>.", &["ru"], 20).unwrap();
        assert_eq!(s, "Мы приехали в <b>Баку</b> &lt;ночью&gt;.");
        assert_eq!(n, 1);
        assert!(snippet(&w, "nothing here", &["en"], 20).is_none());
    }

    #[test]
    fn long_texts_are_cut_around_the_match() {
        let mut w = Wanted::default();
        w.plain.insert("erzurum".into());
        let text = format!("{} Erzurum {}", "word ".repeat(50), "tail ".repeat(50));
        let (s, _) = snippet(&w, &text, &["en"], 12).unwrap();
        assert!(s.starts_with("… ") && s.ends_with(" …"), "{s}");
        assert!(s.contains("<b>Erzurum</b>"), "{s}");
        assert!(s.split_whitespace().count() <= 16, "{s}");
    }

    #[test]
    fn bounded_distance() {
        assert_eq!(distance("erzurum", "erzurum", 1), 0);
        assert_eq!(distance("kharpert", "kharperd", 1), 1);
        assert_eq!(distance("van", "vanilla", 1), 2);
    }
}
