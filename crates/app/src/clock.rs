//! The time, asked of a [`Clock`] so that tests can set "now", and read in China Standard
//! Time: the `Asia/Shanghai` zone of the IANA database (compiled in with `jiff`), looked
//! up by name, not a hard-coded offset.

use chainatlas_model::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The zone every day and time a user reads is in.
pub const CHINA_TIME_ZONE: &str = "Asia/Shanghai";

fn china() -> TimeZone {
    TimeZone::get(CHINA_TIME_ZONE).expect("the compiled-in time zone database has Asia/Shanghai")
}

/// The moment `unix` seconds, as a zoned time in China.
fn in_china(unix: i64) -> jiff::ZonedDateTime {
    Timestamp::from_second(unix)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(china())
}

/// The day in China at `unix` seconds.
pub fn china_date(unix: i64) -> Date {
    let d = in_china(unix).date();
    Date::new(d.year() as u16, d.month() as u8, d.day() as u8).expect("a valid calendar day")
}

/// Unix seconds at 00:00 China Standard Time on `day`.
pub fn china_midnight(day: Date) -> i64 {
    day.days_since_epoch() * 86_400 - 8 * 3600
}

/// `unix` seconds as people in China read a time: `2026-05-21 09:02:03`.
pub fn china_time(unix: i64) -> String {
    in_china(unix).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01 00:00 UTC.
    fn now_unix(&self) -> i64;

    /// Today in China.
    fn today(&self) -> Date {
        china_date(self.now_unix())
    }
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        Timestamp::now().as_second()
    }
}

/// A clock that says what it was told: tests.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now_unix(&self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_turn_at_midnight_in_china() {
        // 2026-11-27 15:59:59 UTC is 23:59:59 in Beijing; one second later it is the 28th.
        let before = 1_795_795_199;
        assert_eq!(FixedClock(before).today().to_string(), "2026-11-27");
        assert_eq!(FixedClock(before + 1).today().to_string(), "2026-11-28");
        assert_eq!(china_time(before + 1), "2026-11-28 00:00:00");
        assert_eq!(china_time(0), "1970-01-01 08:00:00");
    }
}
