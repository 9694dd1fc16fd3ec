//! TEMPORARY stand-in until the real EDTF parser lands (same API).
#![allow(missing_docs)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edtf {
    pub text: String,
    pub earliest: Option<i64>,
    pub latest: Option<i64>,
    pub uncertain: bool,
    pub approximate: bool,
    pub interval: bool,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdtfError {
    pub input: String,
    pub reason: String,
}
impl std::fmt::Display for EdtfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "'{}' is not a valid EDTF date: {}",
            self.input, self.reason
        )
    }
}
impl std::error::Error for EdtfError {}
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
pub fn format_day(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}
pub fn parse(input: &str) -> Result<Edtf, EdtfError> {
    let t = input.trim();
    let core = t.trim_end_matches(['?', '~', '%']);
    let parts: Vec<&str> = core.split('-').collect();
    let bad = |r: &str| EdtfError {
        input: t.into(),
        reason: r.into(),
    };
    let y: i64 = parts
        .first()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| bad("not a date"))?;
    let m: Option<u32> = parts
        .get(1)
        .map(|p| p.parse().map_err(|_| bad("bad month")))
        .transpose()?;
    let d: Option<u32> = parts
        .get(2)
        .map(|p| p.parse().map_err(|_| bad("bad day")))
        .transpose()?;
    if let Some(m) = m {
        if !(1..=12).contains(&m) {
            return Err(bad(&format!("month {m} does not exist")));
        }
    }
    let (a, b) = match (m, d) {
        (None, _) => (days_from_civil(y, 1, 1), days_from_civil(y, 12, 31)),
        (Some(m), None) => (days_from_civil(y, m, 1), days_from_civil(y, m, 28)),
        (Some(m), Some(d)) => (days_from_civil(y, m, d), days_from_civil(y, m, d)),
    };
    Ok(Edtf {
        text: t.into(),
        earliest: Some(a),
        latest: Some(b),
        uncertain: t.ends_with('?'),
        approximate: t.ends_with('~'),
        interval: false,
    })
}
