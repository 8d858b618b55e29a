//! Timestamps as text, identical on the server and in the browser (so hydration matches), and
//! in git ref names (a snapshot's time).

/// A UTC instant split into calendar fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: i64,
    pub minute: i64,
    pub second: i64,
    pub millis: i64,
}

impl UtcTime {
    /// Unix milliseconds as calendar fields.
    pub fn from_unix_ms(ms: i64) -> Self {
        let secs = ms.div_euclid(1000);
        let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        UtcTime {
            year,
            month,
            day,
            hour: rest / 3600,
            minute: rest % 3600 / 60,
            second: rest % 60,
            millis: ms.rem_euclid(1000),
        }
    }
}

/// Unix milliseconds as "2026-11-27 06:05 UTC".
pub fn format_utc(ms: i64) -> String {
    let t = UtcTime::from_unix_ms(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year, t.month, t.day, t.hour, t.minute
    )
}

/// How long ago `then` was at `now` (both Unix milliseconds), as a person says it: "just now",
/// "5 min ago", "3 h ago", "yesterday", "4 days ago", "in 10 min"; a month or more away is
/// its date ("2026-11-03").
pub fn format_relative(now: i64, then: i64) -> String {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    let ago = now - then;
    let (span, past) = (ago.abs(), ago >= 0);
    let amount = if span < 45_000 {
        return "just now".into();
    } else if span < HOUR {
        format!("{} min", (span + MINUTE / 2) / MINUTE)
    } else if span < DAY_MS {
        format!("{} h", span / HOUR)
    } else if span < 2 * DAY_MS && past {
        return "yesterday".into();
    } else if span < 30 * DAY_MS {
        format!("{} days", span / DAY_MS)
    } else {
        return Day::of_unix_ms(then).to_string();
    };
    if past {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// Unix milliseconds as "20261127T060512.345Z": sortable, and valid in a git ref name.
pub fn format_stamp(ms: i64) -> String {
    let t = UtcTime::from_unix_ms(ms);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
    )
}

/// A calendar day in UTC (as every time DevLog shows), as days since 1970-01-01; written
/// and read as "2026-12-03".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

const DAY_MS: i64 = 86_400_000;

impl Day {
    /// The day an instant (Unix milliseconds) falls on.
    pub fn of_unix_ms(ms: i64) -> Day {
        Day(ms.div_euclid(DAY_MS))
    }

    /// Its first millisecond.
    pub fn start_ms(self) -> i64 {
        self.0 * DAY_MS
    }

    /// The day `n` days later (earlier when negative).
    pub fn plus(self, n: i64) -> Day {
        Day(self.0 + n)
    }

    /// 0 for a Monday … 6 for a Sunday (1970-01-01 was a Thursday).
    pub fn weekday_from_monday(self) -> i64 {
        (self.0 + 3).rem_euclid(7)
    }

    /// The first day of its month.
    pub fn first_of_month(self) -> Day {
        let (y, m, _) = civil_from_days(self.0);
        Day(days_from_civil(y, m, 1))
    }

    /// How many days its month has.
    pub fn days_in_its_month(self) -> i64 {
        let (y, m, _) = civil_from_days(self.0);
        i64::from(days_in_month(y, m))
    }

    /// "2026-12-03": four-digit year, two-digit month and day, a real date.
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| {
            bytes[range.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[range].parse::<u32>().ok())
                .flatten()
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(i64::from(year), month) {
            return None;
        }
        Some(Day(days_from_civil(i64::from(year), month, day)))
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Day::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date YYYY-MM-DD")))
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's civil-to-days algorithm, the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn relative_times_read_as_a_person_says_them() {
        let now = 1_780_000_000_000;
        let min = 60_000;
        assert_eq!(format_relative(now, now), "just now");
        assert_eq!(format_relative(now, now - 30_000), "just now");
        assert_eq!(format_relative(now, now - 5 * min), "5 min ago");
        assert_eq!(format_relative(now, now - 59 * min), "59 min ago");
        assert_eq!(format_relative(now, now - 3 * 60 * min - 5), "3 h ago");
        assert_eq!(format_relative(now, now - 30 * 60 * min), "yesterday");
        assert_eq!(format_relative(now, now - 4 * DAY_MS), "4 days ago");
        assert_eq!(format_relative(now, now + 10 * min), "in 10 min");
        assert_eq!(format_relative(now, now + 3 * DAY_MS), "in 3 days");
        assert_eq!(
            format_relative(now, now - 40 * DAY_MS),
            Day::of_unix_ms(now - 40 * DAY_MS).to_string()
        );
    }

    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_759_080_600), "2026-11-27 05:58 UTC");
    }

    #[test]
    fn days_read_back_what_they_write() {
        for text in [
            "1970-01-01",
            "2000-02-29",
            "2026-12-03",
            "1999-12-31",
            "2100-03-01",
        ] {
            let day = Day::parse(text).unwrap();
            assert_eq!(day.to_string(), text);
            assert_eq!(Day::of_unix_ms(day.start_ms()), day);
        }
        assert_eq!(Day::parse("1970-01-02"), Some(Day(1)));
        assert_eq!(
            Day::parse("2026-12-31").unwrap().plus(1).to_string(),
            "2027-01-01"
        );
        assert_eq!(Day::of_unix_ms(1_795_759_080_600).to_string(), "2026-11-27");
        assert_eq!(Day::of_unix_ms(-1).to_string(), "1969-12-31");
        assert_eq!(Day::parse("2026-12-03").unwrap().weekday_from_monday(), 3); // a Thursday
        assert_eq!(Day::parse("2026-11-30").unwrap().weekday_from_monday(), 0);
        assert_eq!(Day(-4).weekday_from_monday(), 6); // 1969-12-28, a Sunday
        assert_eq!(
            Day::parse("2026-12-31")
                .unwrap()
                .first_of_month()
                .to_string(),
            "2026-12-01"
        );
        assert_eq!(Day::parse("2100-02-10").unwrap().days_in_its_month(), 28);
    }

    #[test]
    fn days_refuse_what_is_not_a_date() {
        for text in [
            "",
            "2026-1-03",
            "2026-13-01",
            "2026-00-10",
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-12-00",
            "20261203",
            "2026/12/03",
            "+026-12-03",
            "2026-12-03x",
            "２０２６-12-03",
        ] {
            assert_eq!(Day::parse(text), None, "{text:?}");
        }
        assert!(serde_json::from_str::<Day>("\"2026-02-30\"").is_err());
        assert_eq!(
            serde_json::from_str::<Day>("\"2026-02-28\"")
                .unwrap()
                .to_string(),
            "2026-02-28"
        );
    }

    #[test]
    fn stamps_sort_as_time_and_keep_milliseconds() {
        assert_eq!(format_stamp(1_795_759_080_600), "20261127T055800.600Z");
        assert_eq!(format_stamp(0), "19700101T000000.000Z");
        assert!(format_stamp(1_000) < format_stamp(1_001));
    }
}
