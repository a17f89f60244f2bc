//! The time, asked of a [`Clock`] so that tests can set "now". Days are China Standard
//! Time's (UTC+8 all year: China keeps no daylight saving time).

use chainatlas_model::Date;

/// Seconds of China Standard Time ahead of UTC.
const CST_OFFSET_SECONDS: i64 = 8 * 3600;

pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01 00:00 UTC.
    fn now_unix(&self) -> i64;

    /// Today in China.
    fn today(&self) -> Date {
        Date::from_days_since_epoch((self.now_unix() + CST_OFFSET_SECONDS).div_euclid(86_400))
    }
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
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
    }
}
