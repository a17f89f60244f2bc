//! Working days on China's official calendar: Monday to Friday, except public holidays,
//! plus the weekend days worked in lieu (调休). Deadlines of enterprise appeals are counted
//! in these days ("reply within 3 working days").
//!
//! The official schedule is published by the State Council each year, for one year. It is
//! embedded from `data/china-calendar.csv`, made by `scripts/update-calendar.py` from the
//! MIT-licensed `chinese-calendar` package on PyPI (github.com/LKI/chinese-calendar),
//! 2004–2026. A calendar file for a later year (the same `date,kind,holiday` columns) can
//! be added with [`WorkCalendar::with_file`]. A year no file covers is counted Monday to
//! Friday, and [`WorkCalendar::covers`] says so, so that callers can warn.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::{text, Date, Text};

const OFFICIAL: &str = include_str!("../data/china-calendar.csv");

/// Most rows a calendar file may hold (a year has at most 366 days).
pub const MAX_CALENDAR_ROWS: usize = 10_000;

/// What the official calendar says of a day that is not an ordinary weekday or weekend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// A day off for a festival.
    Holiday(Festival),
    /// A weekend day worked in lieu of a festival's day off.
    Workday(Festival),
}

/// The festivals of the official calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Festival {
    NewYear,
    SpringFestival,
    TombSweeping,
    Labour,
    DragonBoat,
    MidAutumn,
    National,
    /// The 70th anniversary of the victory over fascism (2015).
    AntiFascist70,
}

impl Festival {
    const ALL: [(Festival, &'static str, &'static str); 8] = [
        (Festival::NewYear, "New Year's Day", "元旦"),
        (Festival::SpringFestival, "Spring Festival", "春节"),
        (Festival::TombSweeping, "Tomb-sweeping Day", "清明节"),
        (Festival::Labour, "Labour Day", "劳动节"),
        (Festival::DragonBoat, "Dragon Boat Festival", "端午节"),
        (Festival::MidAutumn, "Mid-autumn Festival", "中秋节"),
        (Festival::National, "National Day", "国庆节"),
        (
            Festival::AntiFascist70,
            "Anti-Fascist 70th Day",
            "抗战胜利70周年纪念日",
        ),
    ];

    fn parse(name: &str) -> Option<Festival> {
        Self::ALL
            .iter()
            .find(|(_, en, zh)| name.eq_ignore_ascii_case(en) || name == *zh)
            .map(|f| f.0)
    }

    /// Its name in both languages.
    pub fn name(self) -> Text {
        let (_, en, zh) = Self::ALL
            .iter()
            .find(|f| f.0 == self)
            .expect("every festival");
        Text::new(*zh, *en)
    }
}

/// The days of the official calendar that differ from Monday-to-Friday, and the years
/// its files cover.
#[derive(Clone, Debug, Default)]
pub struct WorkCalendar {
    special: BTreeMap<Date, Special>,
    years: std::collections::BTreeSet<u16>,
}

/// A problem of a calendar file, at its line (the header is line 1).
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarProblem {
    pub line: usize,
    pub message: Text,
}

/// 0 = Monday … 6 = Sunday.
fn weekday(date: Date) -> i64 {
    // 1970-01-01 was a Thursday.
    (date.days_since_epoch() + 3).rem_euclid(7)
}

impl WorkCalendar {
    /// The embedded official calendar.
    pub fn official() -> &'static WorkCalendar {
        static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
        CALENDAR.get_or_init(|| {
            WorkCalendar::default()
                .with_file(OFFICIAL)
                .expect("the embedded calendar is valid")
        })
    }

    /// This calendar with a file's days added; a year the file covers replaces what the
    /// calendar had for it. Refused with every problem (line and what was expected), the
    /// calendar unchanged.
    pub fn with_file(&self, text: &str) -> Result<WorkCalendar, Vec<CalendarProblem>> {
        let mut problems = Vec::new();
        let mut days: BTreeMap<Date, Special> = BTreeMap::new();
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, header))
                if header.trim().trim_start_matches('\u{feff}') == "date,kind,holiday" => {}
            _ => problems.push(CalendarProblem {
                line: 1,
                message: text!(
                    "表头应为 date,kind,holiday",
                    "the header must be date,kind,holiday"
                ),
            }),
        }
        for (i, line) in lines {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            if days.len() == MAX_CALENDAR_ROWS {
                problems.push(CalendarProblem {
                    line: line_no,
                    message: text!(
                        "超过 {MAX_CALENDAR_ROWS} 行的上限",
                        "more than {MAX_CALENDAR_ROWS} rows, the limit"
                    ),
                });
                break;
            }
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let [date, kind, festival] = fields[..] else {
                let found = fields.len();
                problems.push(CalendarProblem {
                    line: line_no,
                    message: text!(
                        "应有 3 列（date,kind,holiday），实有 {found} 列",
                        "expected 3 fields (date,kind,holiday), found {found}"
                    ),
                });
                continue;
            };
            let date = match date.parse::<Date>() {
                Ok(d) => d,
                Err(e) => {
                    problems.push(CalendarProblem {
                        line: line_no,
                        message: crate::Explain::explain(&e).after(&Text::same("date")),
                    });
                    continue;
                }
            };
            let Some(festival) = Festival::parse(festival) else {
                problems.push(CalendarProblem {
                    line: line_no,
                    message: text!(
                        "holiday：“{festival}”不是法定节日（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节）",
                        "holiday: '{festival}' is not a public festival (New Year's Day, Spring Festival, Tomb-sweeping Day, Labour Day, Dragon Boat Festival, Mid-autumn Festival, National Day)"
                    ),
                });
                continue;
            };
            let special = match kind {
                "holiday" | "休" => Special::Holiday(festival),
                "workday" | "班" => {
                    if weekday(date) < 5 {
                        problems.push(CalendarProblem {
                            line: line_no,
                            message: text!(
                                "{date} 本是工作日，不能是调休上班日",
                                "{date} is a weekday already: it cannot be a weekend day worked in lieu"
                            ),
                        });
                        continue;
                    }
                    Special::Workday(festival)
                }
                other => {
                    problems.push(CalendarProblem {
                        line: line_no,
                        message: text!(
                            "kind：“{other}”应为 holiday（放假）或 workday（调休上班）",
                            "kind: '{other}' must be holiday (a day off) or workday (a weekend day worked in lieu)"
                        ),
                    });
                    continue;
                }
            };
            if days.insert(date, special).is_some() {
                problems.push(CalendarProblem {
                    line: line_no,
                    message: text!("{date} 出现了两次", "{date} is listed twice"),
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut calendar = self.clone();
        let years: std::collections::BTreeSet<u16> = days.keys().map(|d| d.year()).collect();
        calendar.special.retain(|d, _| !years.contains(&d.year()));
        calendar.special.extend(days);
        calendar.years.extend(years);
        Ok(calendar)
    }

    /// Whether a file covers `year` (else its days are counted Monday to Friday).
    pub fn covers(&self, year: u16) -> bool {
        self.years.contains(&year)
    }

    /// The years the calendar covers, first and last.
    pub fn years(&self) -> Option<(u16, u16)> {
        Some((*self.years.first()?, *self.years.last()?))
    }

    /// What the calendar says of `date`, if it is a holiday or a day worked in lieu.
    pub fn special(&self, date: Date) -> Option<Special> {
        self.special.get(&date).copied()
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        match self.special(date) {
            Some(Special::Holiday(_)) => false,
            Some(Special::Workday(_)) => true,
            None => weekday(date) < 5,
        }
    }

    /// The day `n` working days after `date`: the deadline of something received on
    /// `date` to be done "within n working days" (the first working day after `date`
    /// counts 1). `n = 0` is `date` itself.
    pub fn add_working_days(&self, date: Date, n: u32) -> Date {
        let mut day = date;
        let mut left = n;
        while left > 0 {
            day = day.add_days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after
    /// `from`): how many working days something received on `from` has taken by `to`.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = day.add_days(1);
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_official_calendar_knows_holidays_and_days_worked_in_lieu() {
        let c = WorkCalendar::official();
        assert_eq!(c.years(), Some((2004, 2026)));
        // National Day 2026: 1–7 October off, Sunday 20 September and Saturday 10 October
        // worked.
        assert_eq!(
            c.special(d("2026-10-01")),
            Some(Special::Holiday(Festival::National))
        );
        assert!(!c.is_working_day(d("2026-10-07")));
        assert!(
            c.is_working_day(d("2026-10-10")),
            "a Saturday worked in lieu"
        );
        assert!(c.is_working_day(d("2026-09-20")), "a Sunday worked in lieu");
        assert!(!c.is_working_day(d("2026-11-28")), "an ordinary Saturday");
        assert!(c.is_working_day(d("2026-11-27")), "an ordinary Friday");
        // Spring Festival 2026: 15–23 February off, 14 and 28 February (Saturdays) worked.
        assert!(!c.is_working_day(d("2026-02-16")));
        assert!(c.is_working_day(d("2026-02-14")));
        assert_eq!(Festival::SpringFestival.name().get(crate::Lang::Zh), "春节");
    }

    #[test]
    fn deadlines_count_working_days_across_a_holiday() {
        let c = WorkCalendar::official();
        // Received Wednesday 30 September 2026: the 8 days off of the National Day
        // holiday do not count; Saturday 10 October does.
        assert_eq!(c.add_working_days(d("2026-09-30"), 1), d("2026-10-08"));
        assert_eq!(c.add_working_days(d("2026-09-30"), 3), d("2026-10-10"));
        assert_eq!(c.add_working_days(d("2026-09-30"), 0), d("2026-09-30"));
        // An ordinary week: Friday + 1 is Monday.
        assert_eq!(c.add_working_days(d("2026-11-27"), 1), d("2026-11-30"));
        assert_eq!(c.working_days_between(d("2026-09-30"), d("2026-10-10")), 3);
        assert_eq!(c.working_days_between(d("2026-10-10"), d("2026-09-30")), 0);
        // Counting back and forth agree.
        for n in 0..40 {
            let due = c.add_working_days(d("2026-01-01"), n);
            assert_eq!(c.working_days_between(d("2026-01-01"), due), n);
        }
    }

    #[test]
    fn a_file_adds_a_year_and_replaces_it_whole_and_bad_lines_are_named() {
        let c = WorkCalendar::official();
        assert!(!c.covers(2027));
        let next = c
            .with_file(
                "date,kind,holiday\n2027-01-01,holiday,New Year's Day\n2027-02-06,workday,春节\n",
            )
            .unwrap();
        assert!(next.covers(2027) && next.covers(2026));
        assert!(!next.is_working_day(d("2027-01-01")));
        assert!(next.is_working_day(d("2027-02-06")), "a Saturday worked");
        // A second file for 2026 replaces 2026 whole.
        let replaced = next
            .with_file("date,kind,holiday\n2026-12-31,holiday,元旦\n")
            .unwrap();
        assert!(!replaced.is_working_day(d("2026-12-31")));
        assert!(
            replaced.is_working_day(d("2026-10-08")),
            "2026's other days gone"
        );
        let err = c
            .with_file(
                "date,kind,holiday\n2027-02-30,holiday,春节\n2027-03-01,workday,春节\n2027-03-06,off,春节\n2027-03-07,holiday,Christmas\n2027-01-01,holiday\n",
            )
            .unwrap_err();
        let lines: Vec<(usize, String)> = err
            .iter()
            .map(|p| (p.line, p.message.get(crate::Lang::En).to_string()))
            .collect();
        assert_eq!(lines.len(), 5, "{lines:?}");
        assert_eq!(lines[0].0, 2);
        assert!(
            lines[0].1.contains("not a day of the calendar"),
            "{lines:?}"
        );
        assert!(lines[1].1.contains("is a weekday already"), "{lines:?}");
        assert!(lines[2].1.starts_with("kind: 'off'"), "{lines:?}");
        assert!(
            lines[3].1.contains("'Christmas' is not a public festival"),
            "{lines:?}"
        );
        assert_eq!(
            lines[4],
            (
                6,
                "expected 3 fields (date,kind,holiday), found 2".to_string()
            )
        );
        let header = c.with_file("day,kind\n").unwrap_err();
        assert_eq!(header[0].line, 1);
    }
}
