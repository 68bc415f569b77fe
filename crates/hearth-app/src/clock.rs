//! The server's time.

use hearth_domain::Timestamp;

/// Now, truncated to microseconds: the precision every store keeps, so a value read back
/// equals the value written.
pub fn now() -> Timestamp {
    let now = time::OffsetDateTime::now_utc();
    let micros = now.microsecond();
    now.replace_microsecond(micros).unwrap_or(now)
}
