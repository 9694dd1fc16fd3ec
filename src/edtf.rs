//! Extended Date/Time Format (EDTF, ISO 8601-2), levels 0 and 1, plus the common parts
//! of level 2 that archives meet in practice (unspecified digits anywhere, qualifiers on a
//! single component, sets, quarters and semesters).
//!
//! Archival dates are rarely exact: "spring 1920", "about 1916", "the 1920s", "some time
//! after 1918". A parsed date keeps the text exactly as the archivist wrote it and adds
//! the widest range of days it can mean, as day numbers (days since 1970-01-01 in the
//! proleptic Gregorian calendar, `i64`), so a range query finds every record that *may*
//! fall inside it. These day numbers work for any year, unlike nanosecond timestamps
//! that stop at 1677.
//!
//! How text becomes a range:
//! - `1916` is the whole year, `1916-04` the whole month, `1916-04-24` one day.
//! - `X` stands for an unspecified digit and gives the widest range: `192X` is 1920–1929,
//!   `1985-XX-XX` the whole of 1985, `1985-04-XX` all of April.
//! - Seasons `21`–`24` are spring, summer, autumn, winter (winter runs from December to the
//!   end of February of the next year); `25`–`32` the hemisphere-specific seasons,
//!   `33`–`36` quarters, `37`–`39` quadrimesters, `40`–`41` semesters.
//! - `~` (approximate) and `%` (both) widen the range by one unit of the date's precision
//!   on each side (`1916~` is 1915–1917); `?` (uncertain) marks the date but keeps its
//!   range.
//! - `A/B` is an interval from the start of A to the end of B; an open end (`..`) or an
//!   unknown end (empty) has no bound (`None`).
//! - `Y170002` and `Y-17E7` are years beyond four digits; `-0044` is 45 BC (year 0 exists).
//! - `[1667,1668,1670..1672]` (one of) and `{1667,1668}` (all of) span their members.

use std::fmt;

/// A parsed EDTF date, interval or set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edtf {
    /// The text as given (trimmed).
    pub text: String,
    /// First day it may mean; `None` when open or unknown at the start.
    pub earliest: Option<i64>,
    /// Last day it may mean; `None` when open or unknown at the end.
    pub latest: Option<i64>,
    /// Marked uncertain (`?` or `%`) anywhere.
    pub uncertain: bool,
    /// Marked approximate (`~` or `%`) anywhere.
    pub approximate: bool,
    /// An interval (`A/B`) or a set rather than a single date.
    pub interval: bool,
}

/// Why a text is not EDTF, with a suggestion where one can be guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdtfError {
    /// The text as given.
    pub input: String,
    /// What is wrong, in plain words.
    pub reason: String,
}

impl fmt::Display for EdtfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a valid EDTF date: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for EdtfError {}

/// Largest absolute year accepted: far beyond any archive, small enough that day
/// arithmetic never overflows.
const MAX_YEAR: i64 = 1_000_000_000_000;

/// Day number (days since 1970-01-01, proleptic Gregorian) of a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // Both values are small and positive by construction (1..=31 and 1..=12).
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of a day number (years before 0 get a minus sign, years past 9999 more
/// digits).
pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    if y < 0 {
        format!("-{:04}-{m:02}-{d:02}", -y)
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// Whether a year is a leap year in the proleptic Gregorian calendar (year 0 is).
pub fn is_leap(y: i64) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

/// Days in a month of a year (0 for a month that does not exist).
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parse an EDTF string. Never panics; every refusal says what is wrong.
pub fn parse(input: &str) -> Result<Edtf, EdtfError> {
    let text = input.trim();
    let fail = |reason: String| EdtfError {
        input: text.to_string(),
        reason,
    };
    if text.is_empty() {
        return Err(fail("the date is empty".into()));
    }
    if let Some(hint) = suggestion(text) {
        return Err(fail(hint));
    }
    let flags = Flags {
        uncertain: text.contains(['?', '%']),
        approximate: text.contains(['~', '%']),
    };
    let (earliest, latest, interval) = if text.starts_with('[') || text.starts_with('{') {
        let (a, b) = set(text).map_err(fail)?;
        (a, b, true)
    } else if let Some((a, b)) = text.split_once('/') {
        if b.contains('/') {
            return Err(fail("an interval has exactly one '/'".into()));
        }
        let start = end_point(a).map_err(|r| fail(format!("start of the interval: {r}")))?;
        let end = end_point(b).map_err(|r| fail(format!("end of the interval: {r}")))?;
        if start.is_none() && end.is_none() {
            return Err(fail("an interval needs at least one end".into()));
        }
        if let (Some((s, _)), Some((_, e))) = (start, end) {
            if s > e {
                return Err(fail(format!(
                    "the interval ends ({}) before it starts ({})",
                    format_day(e),
                    format_day(s)
                )));
            }
        }
        (start.map(|r| r.0), end.map(|r| r.1), true)
    } else {
        let (a, b) = date(text).map_err(fail)?;
        (Some(a), Some(b), false)
    };
    Ok(Edtf {
        text: text.to_string(),
        earliest,
        latest,
        uncertain: flags.uncertain,
        approximate: flags.approximate,
        interval,
    })
}

struct Flags {
    uncertain: bool,
    approximate: bool,
}

/// One end of an interval: `..` (open) and empty (unknown) have no bound.
fn end_point(s: &str) -> Result<Option<(i64, i64)>, String> {
    let s = s.trim();
    if s.is_empty() || s == ".." {
        return Ok(None);
    }
    date(s).map(Some)
}

/// A set: `[a,b,c..d]` (one of) or `{a,b}` (all of); members may be open (`..d`, `c..`).
fn set(s: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let close = if s.starts_with('[') { ']' } else { '}' };
    let inner = s[1..]
        .strip_suffix(close)
        .ok_or_else(|| format!("a set that starts with '{}' ends with '{close}'", &s[..1]))?;
    if inner.trim().is_empty() {
        return Err("the set is empty".into());
    }
    let mut lo: Option<Option<i64>> = None;
    let mut hi: Option<Option<i64>> = None;
    let mut widen = |a: Option<i64>, b: Option<i64>| {
        lo = Some(match (lo, a) {
            (None, a) => a,
            (Some(None), _) | (_, None) => None,
            (Some(Some(x)), Some(y)) => Some(x.min(y)),
        });
        hi = Some(match (hi, b) {
            (None, b) => b,
            (Some(None), _) | (_, None) => None,
            (Some(Some(x)), Some(y)) => Some(x.max(y)),
        });
    };
    for member in inner.split(',') {
        let member = member.trim();
        if let Some((a, b)) = member.split_once("..") {
            let a = if a.is_empty() { None } else { Some(date(a)?) };
            let b = if b.is_empty() { None } else { Some(date(b)?) };
            if a.is_none() && b.is_none() {
                return Err("'..' in a set needs a date on at least one side".into());
            }
            widen(a.map(|r| r.0), b.map(|r| r.1));
        } else if member.is_empty() {
            return Err("the set has an empty member".into());
        } else {
            let (a, b) = date(member)?;
            widen(Some(a), Some(b));
        }
    }
    Ok((lo.flatten(), hi.flatten()))
}

/// Precision of a date, for widening by one unit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Unit {
    Year,
    Month,
    Day,
    /// A season or other sub-year division of this many months.
    Months(u32),
}

/// A single date (no interval): its earliest and latest day.
fn date(s: &str) -> Result<(i64, i64), String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("a date is empty".into());
    }
    // Level 0 date and time: keep the date, check the time roughly.
    let s = match s.split_once('T') {
        Some((d, t)) => {
            check_time(t)?;
            d
        }
        None => s,
    };
    let approximate = s.contains(['~', '%']);
    // Strip qualifiers (whole-date at the end, or per component at level 2).
    let bare: String = s
        .chars()
        .filter(|c| !matches!(c, '?' | '~' | '%'))
        .collect();
    if bare.is_empty() {
        return Err("a qualifier needs a date".into());
    }
    let (mut lo, mut hi, unit, year_lo, year_hi) = if let Some(rest) = bare.strip_prefix('Y') {
        let y = long_year(rest)?;
        (
            days_from_civil(y, 1, 1),
            days_from_civil(y, 12, 31),
            Unit::Year,
            y,
            y,
        )
    } else {
        calendar(&bare)?
    };
    if approximate {
        let (a, b) = widen(lo, hi, unit, year_lo, year_hi);
        lo = a;
        hi = b;
    }
    Ok((lo, hi))
}

/// `Y` years: `Y170000002`, `Y-170000002`, `Y17E7` (exponent), with an optional
/// significant-digits suffix `S3` that does not change the value.
fn long_year(s: &str) -> Result<i64, String> {
    let s = match s.find('S') {
        Some(i) => {
            let digits = &s[i + 1..];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("'S{digits}' needs a number of significant digits"));
            }
            &s[..i]
        }
        None => s,
    };
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (mantissa, exp) = match body.split_once('E') {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    if mantissa.is_empty() || !mantissa.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'Y{s}' must be Y followed by the year's digits (Y170000002)"
        ));
    }
    let too_far = || format!("year Y{s} is too far from the present to compute");
    let mut y: i64 = mantissa.parse().map_err(|_| too_far())?;
    if let Some(e) = exp {
        let e: u32 = e
            .parse()
            .map_err(|_| format!("'E{e}' needs a whole exponent"))?;
        y = 10i64
            .checked_pow(e)
            .and_then(|p| y.checked_mul(p))
            .ok_or_else(too_far)?;
    } else if mantissa.len() <= 4 {
        return Err(format!(
            "'Y' is for years of more than four digits; write {mantissa:0>4} without the Y"
        ));
    }
    if y > MAX_YEAR {
        return Err(too_far());
    }
    Ok(if neg { -y } else { y })
}

/// `[-]YYYY[-MM[-DD]]` with `X` for unspecified digits, or `YYYY-SS` for a season.
/// Returns (earliest, latest, unit, lowest year, highest year).
fn calendar(s: &str) -> Result<(i64, i64, Unit, i64, i64), String> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let parts: Vec<&str> = body.split('-').collect();
    if parts.len() > 3 {
        return Err("a date has at most year, month and day".into());
    }
    let year = parts[0];
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
        return Err(
            if year.bytes().all(|b| b.is_ascii_digit()) && !year.is_empty() {
                if year.len() < 4 {
                    format!(
                    "a year has four digits: write {year:0>4} (or the full year if '{year}' is short for it)"
                )
                } else {
                    format!("a year of more than four digits is written with Y: Y{year}")
                }
            } else {
                format!("'{year}' is not a year (four digits, X for an unknown digit)")
            },
        );
    }
    let (y_lo, y_hi) = digit_range(year, 0, 9999);
    let (y_lo, y_hi) = if neg { (-y_hi, -y_lo) } else { (y_lo, y_hi) };
    let month = parts.get(1).copied();
    let day = parts.get(2).copied();
    let Some(month) = month else {
        return Ok((
            days_from_civil(y_lo, 1, 1),
            days_from_civil(y_hi, 12, 31),
            Unit::Year,
            y_lo,
            y_hi,
        ));
    };
    if month.len() != 2 || !month.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
        return Err(
            if !month.is_empty() && month.bytes().all(|b| b.is_ascii_digit()) {
                format!("a month has two digits: write {month:0>2}")
            } else {
                format!("'{month}' is not a month (01-12, or 21-24 for a season)")
            },
        );
    }
    // Seasons and other divisions of the year (no day allowed).
    if !month.contains('X') {
        let n: u32 = month.parse().unwrap_or(0);
        if n > 12 {
            let (first, count) = division(n).ok_or_else(|| {
                format!("month {n} does not exist (months are 01-12; seasons 21-24)")
            })?;
            if day.is_some() {
                return Err(format!("a season ({n}) cannot have a day"));
            }
            let start = days_from_civil(y_lo, first, 1);
            let (ey, em) = add_months(y_hi, first, i64::from(count) - 1);
            let end = days_from_civil(ey, em, days_in_month(ey, em));
            return Ok((start, end, Unit::Months(count), y_lo, y_hi));
        }
        if n == 0 {
            return Err("month 00 does not exist (months are 01-12)".into());
        }
    }
    let months: Vec<u32> = (1..=12).filter(|m| matches_pattern(month, *m)).collect();
    if months.is_empty() {
        return Err(format!("month {month} does not exist (months are 01-12)"));
    }
    let Some(day) = day else {
        let (m_lo, m_hi) = (months[0], months[months.len() - 1]);
        return Ok((
            days_from_civil(y_lo, m_lo, 1),
            days_from_civil(y_hi, m_hi, days_in_month(y_hi, m_hi)),
            Unit::Month,
            y_lo,
            y_hi,
        ));
    };
    if day.len() != 2 || !day.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
        return Err(
            if !day.is_empty() && day.bytes().all(|b| b.is_ascii_digit()) {
                format!("a day has two digits: write {day:0>2}")
            } else {
                format!("'{day}' is not a day (01-31)")
            },
        );
    }
    // Earliest: the first year (stepping forward past non-leap years for 29 February)
    // with a valid month and day; latest likewise backwards.
    let first = |y: i64| -> Option<(u32, u32)> {
        months.iter().find_map(|&m| {
            (1..=days_in_month(y, m))
                .find(|&d| matches_pattern(day, d))
                .map(|d| (m, d))
        })
    };
    let last = |y: i64| -> Option<(u32, u32)> {
        months.iter().rev().find_map(|&m| {
            (1..=days_in_month(y, m))
                .rev()
                .find(|&d| matches_pattern(day, d))
                .map(|d| (m, d))
        })
    };
    let lo = (0..400)
        .map(|k| y_lo + k)
        .take_while(|y| *y <= y_hi)
        .find_map(|y| first(y).map(|(m, d)| days_from_civil(y, m, d)));
    let hi = (0..400)
        .map(|k| y_hi - k)
        .take_while(|y| *y >= y_lo)
        .find_map(|y| last(y).map(|(m, d)| days_from_civil(y, m, d)));
    match (lo, hi) {
        (Some(lo), Some(hi)) => Ok((lo, hi, Unit::Day, y_lo, y_hi)),
        _ => Err(if month.contains('X') || year.contains('X') {
            format!("no date matches {year}-{month}-{day}")
        } else {
            let m: u32 = month.parse().unwrap_or(0);
            format!(
                "{}{year}-{month} has no day {day} (it has {} days)",
                if neg { "-" } else { "" },
                days_in_month(y_lo, m)
            )
        }),
    }
}

/// Whether the two-digit pattern (digits and X) matches the number.
fn matches_pattern(pattern: &str, n: u32) -> bool {
    let text = format!("{n:02}");
    pattern.len() == 2
        && pattern
            .bytes()
            .zip(text.bytes())
            .all(|(p, t)| p == b'X' || p == t)
}

/// The lowest and highest numbers a digit pattern can mean, clamped to [min, max].
fn digit_range(pattern: &str, min: i64, max: i64) -> (i64, i64) {
    let lo: i64 = pattern.replace('X', "0").parse().unwrap_or(min);
    let hi: i64 = pattern.replace('X', "9").parse().unwrap_or(max);
    (lo.clamp(min, max), hi.clamp(min, max))
}

/// Sub-year divisions of EDTF level 1 and 2: (first month, length in months).
/// Southern-hemisphere seasons follow the northern ones by six months.
fn division(n: u32) -> Option<(u32, u32)> {
    Some(match n {
        21 | 25 | 31 => (3, 3),           // spring (northern), autumn (southern, 31)
        22 | 26 | 32 => (6, 3),           // summer (northern), winter (southern, 32)
        23 | 27 | 29 => (9, 3),           // autumn (northern), spring (southern, 29)
        24 | 28 | 30 => (12, 3),          // winter (northern), summer (southern, 30)
        33..=36 => ((n - 33) * 3 + 1, 3), // quarters
        37..=39 => ((n - 37) * 4 + 1, 4), // quadrimesters
        40 | 41 => ((n - 40) * 6 + 1, 6), // semesters
        _ => return None,
    })
}

/// (year, month) `k` months after (y, m).
fn add_months(y: i64, m: u32, k: i64) -> (i64, u32) {
    let total = i64::from(m) - 1 + k;
    // rem_euclid(12) is in 0..12, so the cast is exact.
    (y + total.div_euclid(12), total.rem_euclid(12) as u32 + 1)
}

/// Widen a range by one unit on each side (for `~` and `%`).
fn widen(lo: i64, hi: i64, unit: Unit, y_lo: i64, y_hi: i64) -> (i64, i64) {
    match unit {
        Unit::Year => (
            days_from_civil(y_lo - 1, 1, 1),
            days_from_civil(y_hi + 1, 12, 31),
        ),
        Unit::Day => (lo - 1, hi + 1),
        Unit::Month | Unit::Months(_) => {
            let k = match unit {
                Unit::Months(n) => i64::from(n),
                _ => 1,
            };
            let (ly, lm, _) = civil_from_days(lo);
            let (hy, hm, _) = civil_from_days(hi);
            let back = add_months(ly, lm, -k);
            let fwd = add_months(hy, hm, k);
            (
                days_from_civil(back.0, back.1, 1),
                days_from_civil(fwd.0, fwd.1, days_in_month(fwd.0, fwd.1)),
            )
        }
    }
}

/// Level 0 time of day: `hh:mm:ss` with optional `Z` or `±hh[:mm]`.
fn check_time(t: &str) -> Result<(), String> {
    let core = t
        .strip_suffix('Z')
        .or_else(|| t.rfind(['+', '-']).map(|i| &t[..i]))
        .unwrap_or(t);
    let ok = core.len() == 8
        && core.bytes().enumerate().all(|(i, b)| {
            if i == 2 || i == 5 {
                b == b':'
            } else {
                b.is_ascii_digit()
            }
        })
        && core[..2].parse::<u32>().is_ok_and(|h| h <= 23)
        && core[3..5].parse::<u32>().is_ok_and(|m| m <= 59)
        && core[6..].parse::<u32>().is_ok_and(|s| s <= 59);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{t}' is not a time of day (hh:mm:ss, then Z or +hh:mm)"
        ))
    }
}

/// Recognise common non-EDTF ways of writing dates and say how to write them.
fn suggestion(t: &str) -> Option<String> {
    let lower = t.to_lowercase();
    // Day-first dates: 24.04.1915, 24/04/1915, 24-04-1915.
    for sep in ['.', '/', '-'] {
        let p: Vec<&str> = t.split(sep).collect();
        if p.len() == 3
            && p[0].len() <= 2
            && p[1].len() <= 2
            && p[2].len() == 4
            && p.iter()
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
        {
            return Some(format!(
                "write the year first: {}-{:0>2}-{:0>2}",
                p[2], p[1], p[0]
            ));
        }
    }
    // 1915.04.24
    let p: Vec<&str> = t.split('.').collect();
    if p.len() == 3 && p[0].len() == 4 && p.iter().all(|x| x.bytes().all(|b| b.is_ascii_digit())) {
        return Some(format!(
            "separate with '-': {}-{:0>2}-{:0>2}",
            p[0], p[1], p[2]
        ));
    }
    // circa 1915, c. 1915, ca 1915
    for prefix in ["circa ", "circa", "ca. ", "ca.", "ca ", "c. ", "c."] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim();
            if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
                return Some(format!("write an approximate year with '~': {rest}~"));
            }
        }
    }
    // 1910s
    if let Some(y) = lower.strip_suffix("s").or_else(|| lower.strip_suffix("'s")) {
        if y.len() == 4 && y.ends_with('0') && y.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!("write a decade with X: {}X", &y[..3]));
        }
    }
    // 1915 - 1918, 1915–1918
    for sep in [" - ", "–", "—", " to "] {
        if let Some((a, b)) = t.split_once(sep) {
            if !a.trim().is_empty() && !b.trim().is_empty() {
                return Some(format!(
                    "write an interval with '/': {}/{}",
                    a.trim(),
                    b.trim()
                ));
            }
        }
    }
    if t.chars()
        .any(|c| c.is_alphabetic() && !matches!(c, 'X' | 'Y' | 'E' | 'S' | 'T' | 'Z'))
    {
        return Some(
            "use digits: YYYY, YYYY-MM or YYYY-MM-DD (X for an unknown digit, ~ approximate, ? uncertain)"
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> (Option<String>, Option<String>) {
        let e = parse(s).unwrap_or_else(|e| panic!("{e}"));
        (e.earliest.map(format_day), e.latest.map(format_day))
    }

    fn r(a: &str, b: &str) -> (Option<String>, Option<String>) {
        (Some(a.to_string()), Some(b.to_string()))
    }

    #[test]
    fn day_numbers_round_trip_across_eras() {
        for d in [-800_000, -719_468, -1, 0, 1, 11_016, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(format_day(days_from_civil(-44, 3, 15)), "-0044-03-15");
        assert!(is_leap(2000) && is_leap(0) && !is_leap(1900) && is_leap(-4));
    }

    #[test]
    fn level_0_dates_intervals_and_times() {
        assert_eq!(range("1985-04-12"), r("1985-04-12", "1985-04-12"));
        assert_eq!(range("1985-04"), r("1985-04-01", "1985-04-30"));
        assert_eq!(range("1985"), r("1985-01-01", "1985-12-31"));
        assert_eq!(range("1600-02"), r("1600-02-01", "1600-02-29"));
        assert_eq!(range("1985-04-12T23:20:30"), r("1985-04-12", "1985-04-12"));
        assert_eq!(range("1985-04-12T23:20:30Z"), r("1985-04-12", "1985-04-12"));
        assert_eq!(
            range("1985-04-12T23:20:30-04:00"),
            r("1985-04-12", "1985-04-12")
        );
        assert_eq!(range("1964/2008"), r("1964-01-01", "2008-12-31"));
        assert_eq!(range("2004-06/2006-08"), r("2004-06-01", "2006-08-31"));
        assert_eq!(
            range("2004-02-01/2005-02-08"),
            r("2004-02-01", "2005-02-08")
        );
        assert_eq!(range("2005/2006-02"), r("2005-01-01", "2006-02-28"));
        assert!(parse("1985-04-12").is_ok_and(|e| !e.interval && !e.uncertain));
        assert!(parse("1964/2008").is_ok_and(|e| e.interval));
    }

    #[test]
    fn level_1_qualifiers_widen_only_when_approximate() {
        let e = parse("1984?").unwrap();
        assert!(e.uncertain && !e.approximate);
        assert_eq!(range("1984?"), r("1984-01-01", "1984-12-31"));
        assert_eq!(range("2004-06~"), r("2004-05-01", "2004-07-31"));
        assert_eq!(range("2004-06-11%"), r("2004-06-10", "2004-06-12"));
        let e = parse("2004-06-11%").unwrap();
        assert!(e.uncertain && e.approximate);
        assert_eq!(range("1916~"), r("1915-01-01", "1917-12-31"));
        assert_eq!(range("1916-01~"), r("1915-12-01", "1916-02-29"));
        // Level 2 qualifier on one component.
        assert!(parse("2004-06~-11").is_ok_and(|e| e.approximate));
        assert!(parse("?2004-06-11").is_ok_and(|e| e.uncertain));
    }

    #[test]
    fn unspecified_digits_give_the_widest_range() {
        assert_eq!(range("201X"), r("2010-01-01", "2019-12-31"));
        assert_eq!(range("20XX"), r("2000-01-01", "2099-12-31"));
        assert_eq!(range("XXXX"), r("0000-01-01", "9999-12-31"));
        assert_eq!(range("2004-XX"), r("2004-01-01", "2004-12-31"));
        assert_eq!(range("1985-04-XX"), r("1985-04-01", "1985-04-30"));
        assert_eq!(range("1985-XX-XX"), r("1985-01-01", "1985-12-31"));
        assert_eq!(range("1985-1X"), r("1985-10-01", "1985-12-31"));
        assert_eq!(range("1985-02-2X"), r("1985-02-20", "1985-02-28"));
        assert_eq!(range("1985-XX-31"), r("1985-01-31", "1985-12-31"));
        assert_eq!(range("156X-12-25"), r("1560-12-25", "1569-12-25"));
        assert_eq!(range("XXXX-02-29"), r("0000-02-29", "9996-02-29"));
        assert!(parse("1985-02-3X").is_err());
        assert!(parse("1985-1X-32").is_err());
    }

    #[test]
    fn seasons_and_divisions_of_the_year() {
        assert_eq!(range("2001-21"), r("2001-03-01", "2001-05-31"));
        assert_eq!(range("2001-22"), r("2001-06-01", "2001-08-31"));
        assert_eq!(range("2001-23"), r("2001-09-01", "2001-11-30"));
        assert_eq!(range("1919-24"), r("1919-12-01", "1920-02-29"));
        assert_eq!(range("2001-33"), r("2001-01-01", "2001-03-31"));
        assert_eq!(range("2001-41"), r("2001-07-01", "2001-12-31"));
        assert_eq!(range("1920-21~"), r("1919-12-01", "1920-08-31"));
        assert!(parse("2001-21-05").is_err());
        assert!(parse("2001-42").is_err());
    }

    #[test]
    fn open_and_unknown_interval_ends() {
        let e = parse("1985-04-12/..").unwrap();
        assert_eq!(e.earliest.map(format_day).as_deref(), Some("1985-04-12"));
        assert_eq!(e.latest, None);
        let e = parse("../1985-04").unwrap();
        assert_eq!(e.earliest, None);
        assert_eq!(e.latest.map(format_day).as_deref(), Some("1985-04-30"));
        assert_eq!(parse("1985/").unwrap().latest, None);
        assert_eq!(parse("/1985").unwrap().earliest, None);
        assert_eq!(range("1984~/2004-06"), r("1983-01-01", "2004-06-30"));
        assert_eq!(range("1984?/2004%"), r("1984-01-01", "2005-12-31"));
        assert!(parse("/").is_err());
        assert!(parse("../..").is_err());
        assert!(parse("2008/1964").is_err());
    }

    #[test]
    fn long_negative_and_early_years() {
        assert_eq!(range("-1985"), r("-1985-01-01", "-1985-12-31"));
        assert_eq!(range("0000"), r("0000-01-01", "0000-12-31"));
        assert_eq!(range("1200-06-15"), r("1200-06-15", "1200-06-15"));
        let e = parse("Y170000002").unwrap();
        assert_eq!(civil_from_days(e.earliest.unwrap()), (170_000_002, 1, 1));
        let e = parse("Y-170000002").unwrap();
        assert_eq!(civil_from_days(e.latest.unwrap()), (-170_000_002, 12, 31));
        let e = parse("Y-17E7").unwrap();
        assert_eq!(civil_from_days(e.earliest.unwrap()).0, -170_000_000);
        assert!(parse("1950S2").is_err() || parse("Y1950S2").is_err());
        assert!(parse("Y17E7S3").is_ok());
        assert!(parse("Y99999999999999999999").is_err());
        assert!(parse("Y9E30").is_err());
    }

    #[test]
    fn sets_span_their_members() {
        assert_eq!(
            range("[1667,1668,1670..1672]"),
            r("1667-01-01", "1672-12-31")
        );
        assert_eq!(
            range("{1667,1668,1670..1672}"),
            r("1667-01-01", "1672-12-31")
        );
        let e = parse("[..1760-12-03]").unwrap();
        assert_eq!(e.earliest, None);
        assert_eq!(e.latest.map(format_day).as_deref(), Some("1760-12-03"));
        let e = parse("[1760-12..]").unwrap();
        assert_eq!(e.latest, None);
        assert_eq!(e.earliest.map(format_day).as_deref(), Some("1760-12-01"));
        assert!(parse("[]").is_err());
        assert!(parse("[1667,1668").is_err());
    }

    #[test]
    fn refusals_say_what_to_write() {
        let msg = |s: &str| parse(s).unwrap_err().to_string();
        assert!(
            msg("24.04.1915").contains("1915-04-24"),
            "{}",
            msg("24.04.1915")
        );
        assert!(msg("24/04/1915").contains("1915-04-24"));
        assert!(msg("1915-13").contains("month 13 does not exist"));
        assert!(
            msg("1915-02-30").contains("no day 30"),
            "{}",
            msg("1915-02-30")
        );
        assert!(msg("1900-02-29").contains("no day 29"));
        assert!(msg("circa 1915").contains("1915~"));
        assert!(msg("c. 1915").contains("1915~"));
        assert!(msg("1910s").contains("191X"));
        assert!(msg("1915 - 1918").contains("1915/1918"));
        assert!(msg("1915-4-24").contains("two digits"));
        assert!(msg("15").contains("four digits"));
        assert!(msg("").contains("empty"));
        assert!(msg("April 1915").contains("YYYY-MM"));
        assert!(msg("1915-04-24T25:00:00").contains("time of day"));
        assert!(msg("1915/1916/1917").contains("one '/'"));
        assert!(msg("1915-00").contains("00"));
        assert!(msg("1915-04-00").contains("no day 00"));
        assert!(msg("1915-04-24-01").contains("at most"));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "?",
            "~",
            "%",
            "..",
            "/",
            "-",
            "Y",
            "Y-",
            "YE",
            "Y1E",
            "[",
            "{",
            "[,]",
            "[..]",
            "T",
            "1985T",
            "X",
            "-X",
            "XXXX-XX-XX-XX",
            "１９８５",
            "1985-٠٤",
            "1985\u{0}",
            "Y-0",
            "-",
            "--1985",
            "1985--04",
            "[1985..1980]",
            "{..}",
            "2001-2X",
            "S3",
        ];
        for s in odd {
            let _ = parse(s);
        }
    }
}
