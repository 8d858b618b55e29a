use super::*;

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

fn priced(cost_usd: f64, tokens: u64) -> UsageTotal {
    UsageTotal {
        tokens: Tokens {
            input: tokens,
            ..Tokens::default()
        },
        cost_usd,
        priced: true,
        ..UsageTotal::default()
    }
}

#[test]
fn a_blank_range_is_the_last_thirty_days() {
    let range = DayRange::parse(None, Some(" "), day("2026-12-03")).unwrap();
    assert_eq!(range.from, day("2026-11-04"));
    assert_eq!(range.to, day("2026-12-03"));
    assert_eq!(range.day_count(), DEFAULT_RANGE_DAYS);
}

#[test]
fn a_range_keeps_the_dates_given_and_defaults_the_start_from_its_end() {
    let range = DayRange::parse(Some("2026-01-01"), Some("2026-01-31"), day("2026-12-03"));
    assert_eq!(range.unwrap().day_count(), 31);
    let ending = DayRange::parse(None, Some("2026-03-01"), day("2026-12-03")).unwrap();
    assert_eq!(ending.from, day("2026-01-31"));
    let one = DayRange::parse(Some("2026-12-03"), Some("2026-12-03"), day("2026-12-03"));
    assert_eq!(
        one.unwrap().days().collect::<Vec<_>>(),
        vec![day("2026-12-03")]
    );
}

#[test]
fn a_range_refuses_a_bad_date_naming_its_field() {
    let today = day("2026-12-03");
    let bad_from = DayRange::parse(Some("2026-02-30"), None, today).unwrap_err();
    assert_eq!(bad_from.field, Field::DateFrom);
    assert!(bad_from.message.contains("2026-02-30"), "{bad_from}");
    let bad_to = DayRange::parse(None, Some("yesterday"), today).unwrap_err();
    assert_eq!(bad_to.field, Field::DateTo);
}

#[test]
fn a_range_refuses_an_end_before_its_start_and_more_than_a_year() {
    let today = day("2026-12-03");
    let backwards = DayRange::parse(Some("2026-12-04"), Some("2026-12-03"), today);
    assert!(backwards.unwrap_err().message.contains("after the end"));
    let leap_year = DayRange::parse(Some("2024-01-01"), Some("2024-12-31"), today);
    assert_eq!(leap_year.unwrap().day_count(), MAX_RANGE_DAYS);
    let too_long = DayRange::parse(Some("2024-01-01"), Some("2025-01-01"), today);
    assert!(too_long.unwrap_err().message.contains("at most 366 days"));
}

#[test]
fn a_range_covers_its_days_in_milliseconds() {
    let range = DayRange::new(day("1970-01-02"), day("1970-01-03")).unwrap();
    assert_eq!(range.millis(), (86_400_000, 3 * 86_400_000));
}

#[test]
fn every_day_of_the_range_is_listed_with_the_empty_ones() {
    let range = DayRange::new(day("2026-12-01"), day("2026-12-03")).unwrap();
    let days = every_day(range, &[(day("2026-12-02"), priced(1.0, 10))]);
    assert_eq!(
        days,
        vec![
            (day("2026-12-01"), UsageTotal::default()),
            (day("2026-12-02"), priced(1.0, 10)),
            (day("2026-12-03"), UsageTotal::default()),
        ]
    );
}

#[test]
fn the_costliest_come_first_then_the_most_tokens_then_by_name() {
    let mut totals = vec![
        ("b".to_string(), priced(0.5, 10)),
        ("c".to_string(), priced(2.0, 1)),
        ("a".to_string(), priced(0.5, 10)),
        ("d".to_string(), priced(0.5, 99)),
    ];
    costliest_first(&mut totals);
    let names: Vec<&str> = totals.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["c", "d", "a", "b"]);
}

fn record(title: Option<&str>, model: Option<&str>, cost: Option<f64>) -> UsageRecord {
    UsageRecord {
        at: 1_795_759_080_600,
        task: title.map(|_| TaskId(7)),
        task_title: title.map(str::to_string),
        session: SessionId(3),
        agent: "Claude Code".into(),
        model: model.map(str::to_string),
        tokens: Tokens {
            input: 10,
            output: 20,
            cache_read: 30,
            cache_write: 40,
            reasoning: 5,
        },
        cost_usd: cost,
        cost_source: if cost.is_some() {
            CostSource::Reported
        } else {
            CostSource::Unpriced
        },
    }
}

#[test]
fn csv_has_a_header_and_one_line_per_record() {
    let csv = to_csv(&[
        record(Some("Fix login"), Some("claude-sonnet-4-5"), Some(0.0125)),
        record(None, None, None),
    ]);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{csv:?}"); // header, two records, the final CRLF
    assert!(lines[0].starts_with("time_utc,task_id,task_title,"));
    assert_eq!(
        lines[1],
        "2026-11-27T05:58:00.600Z,7,Fix login,3,Claude Code,claude-sonnet-4-5,10,20,30,40,5,0.012500,reported"
    );
    assert_eq!(
        lines[2],
        "2026-11-27T05:58:00.600Z,,,3,Claude Code,,10,20,30,40,5,,unpriced"
    );
    assert_eq!(lines[3], "");
}

#[test]
fn csv_quotes_what_would_break_a_field_and_defuses_formulas() {
    let csv = to_csv(&[record(Some("Say \"hi\", then\nleave"), Some("m"), None)]);
    assert!(csv.contains(",\"Say \"\"hi\"\", then\nleave\","), "{csv}");
    let formula = to_csv(&[record(Some("=HYPERLINK(\"x\")"), Some("m"), None)]);
    assert!(
        formula.contains(",\"'=HYPERLINK(\"\"x\"\")\","),
        "{formula}"
    );
    let minus = to_csv(&[record(Some("-1 bug"), Some("m"), None)]);
    assert!(minus.contains(",'-1 bug,"), "{minus}");
}

#[test]
fn a_report_reads_back_what_it_wrote() {
    let range = DayRange::new(day("2026-12-01"), day("2026-12-02")).unwrap();
    let report = UsageReport {
        range,
        total: priced(1.0, 10),
        days: every_day(range, &[(day("2026-12-01"), priced(1.0, 10))]),
        by_agent: vec![("Claude Code".into(), priced(1.0, 10))],
        by_model: vec![(UNNAMED_MODEL.into(), priced(1.0, 10))],
        top_tasks: vec![TaskUsage {
            task: TaskId(1),
            title: "t".into(),
            total: priced(1.0, 10),
        }],
    };
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"from\":\"2026-12-01\""), "{json}");
    assert_eq!(serde_json::from_str::<UsageReport>(&json).unwrap(), report);
}
