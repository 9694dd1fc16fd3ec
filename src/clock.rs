//! Timestamps for events and records: UTC, RFC 3339, second precision.
//!
//! `SOURCE_DATE_EPOCH` is not consulted here: event times are facts about when something
//! happened. Exports that must be reproducible take their time from the set instead.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::edtf::civil_from_days;

/// Seconds since 1970-01-01T00:00:00Z, now.
pub fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        // A clock set before 1970: report it as negative seconds rather than fail.
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Today as days since 1970-01-01 (UTC), for embargo checks.
pub fn today() -> i64 {
    unix_now().div_euclid(86_400)
}

/// Format seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now() -> String {
    rfc3339(unix_now())
}

/// The agent recorded in events: the user name from the environment.
pub fn agent() -> String {
    ["HISHATAK_AGENT", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(super::rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
