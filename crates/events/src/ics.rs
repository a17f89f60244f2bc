//! A participant's agenda as an iCalendar file (RFC 5545), for phones and Outlook.
//! Times are China Standard Time (UTC+8, no daylight saving), given with their own
//! VTIMEZONE so that every client places them right.

use chainatlas_model::{Event, SlotTime};

/// One meeting on an agenda.
#[derive(Clone, Debug)]
pub struct AgendaItem {
    /// Stable across re-exports, so calendars update instead of duplicating.
    pub uid: String,
    pub slot: SlotTime,
    pub table: u32,
    /// Who the meeting is with.
    pub with: String,
    pub note: String,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets, never inside a UTF-8 character, with CRLF.
fn line(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The calendar of `items` at `event`. `stamp` is the export time, `YYYYMMDDTHHMMSSZ`.
pub fn agenda_ics(event: &Event, title: &str, items: &[AgendaItem], stamp: &str) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Chain Atlas//Docking events//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Shanghai",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0800",
        "TZOFFSETTO:+0800",
        "TZNAME:CST",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(title)));
    for item in items {
        let date = event.date_of(item.slot.day);
        let at = |minutes: u16| {
            format!(
                "{:04}{:02}{:02}T{:02}{:02}00",
                date.year(),
                date.month(),
                date.day(),
                minutes / 60,
                minutes % 60
            )
        };
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&item.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(
            &mut out,
            &format!("DTSTART;TZID=Asia/Shanghai:{}", at(item.slot.start)),
        );
        line(
            &mut out,
            &format!("DTEND;TZID=Asia/Shanghai:{}", at(item.slot.end)),
        );
        line(
            &mut out,
            &format!(
                "SUMMARY:{}",
                escape(&format!("洽谈 Meeting: {}", item.with))
            ),
        );
        line(
            &mut out,
            &format!(
                "LOCATION:{}",
                escape(&format!("{} · 桌 Table {}", event.venue, item.table))
            ),
        );
        if !item.note.is_empty() {
            line(&mut out, &format!("DESCRIPTION:{}", escape(&item.note)));
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}
