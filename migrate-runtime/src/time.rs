//! RFC 3339 UTC timestamps for the history table.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The last instant `humantime` formats (9999-12-31T23:59:59.999Z); it panics after it.
const LAST: Duration = Duration::from_millis(253_402_300_799_999);

/// `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ`. Text sorts chronologically and reads the same on
/// every backend, which a native timestamp column would not.
///
/// A clock outside 1970–9999 is clamped to that range: a history row with a wrong
/// timestamp beats a migration run that panics.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let t = t.clamp(UNIX_EPOCH, UNIX_EPOCH + LAST);
    humantime::format_rfc3339_millis(t).to_string()
}

/// The current time, formatted.
pub(crate) fn now() -> String {
    rfc3339(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        let at = |secs: u64, millis: u64| {
            rfc3339(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(at(1_709_251_199, 999), "2024-02-29T23:59:59.999Z");
        assert_eq!(at(4_102_444_800, 0), "2100-01-01T00:00:00.000Z");
    }

    #[test]
    fn clamps_clocks_outside_what_the_format_holds() {
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_secs(86_400)),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(300_000_000_000)),
            "9999-12-31T23:59:59.999Z"
        );
    }
}
