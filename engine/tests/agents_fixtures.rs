//! The agent adapters against the real CLI transcripts in `tests/fixtures/agents/` (see the
//! README there): every stdout line of every fixture is parsed, and the event sequences, ids,
//! answers, failures and edited paths match the recorded scenarios.

mod common;

use common::{events, files_in, shape};
use engine::agents::{TurnLaunch, conversation, edited_paths, final_answer, turn_failure};
use model::usage::{ModelUsage, Tokens};
use model::{AgentKind, StreamEvent};
use std::collections::BTreeSet;

/// Named event sequences used in [`EXPECTED`].
const SEQUENCES: [(&str, &str); 5] = [
    ("OK", "agent_session assistant_text turn_ended"),
    ("FAILED", "agent_session error turn_ended!"),
    (
        "TOOL",
        "agent_session assistant_text tool_call tool_result assistant_text turn_ended",
    ),
    (
        "ASKED",
        "agent_session assistant_text tool_call permission_request tool_result assistant_text turn_ended",
    ),
    (
        "REFUSED",
        "agent_session assistant_text tool_call permission_request tool_result! assistant_text turn_ended",
    ),
];

const AUTH: &str = "Invalid API key · Fix external API key";
const CODEX_401: &str = "unexpected status 401 Unauthorized: Incorrect API key provided (fake_llm FAIL_AUTH), url: http://127.0.0.1:PORT/v1/responses";

/// Per fixture: `file | event shapes ("!" = error) | final answer | failure` (`-` = none).
/// The sequences are the README's table through the adapters' mapping tables.
const EXPECTED: &str = "
codex/codex_ok.jsonl                 | OK | ok | -
codex/codex_slow.jsonl               | OK | ok | -
codex/codex_think.jsonl              | agent_session reasoning assistant_text turn_ended | ok | -
codex/codex_write_file.jsonl         | agent_session tool_call tool_result file_change assistant_text turn_ended | Wrote hello.txt. | -
codex/codex_write_file_readonly.jsonl | OK | The tool call failed. | -
codex/codex_run_cmd.jsonl            | agent_session tool_call tool_result assistant_text turn_ended | Command finished. | -
codex/codex_run_cmd_fails.jsonl      | agent_session tool_call tool_result! assistant_text turn_ended | The tool call failed. | -
codex/codex_fail_auth.jsonl          | FAILED | - | CODEX_401
codex/codex_wrong_key.jsonl          | FAILED | - | CODEX_401
codex/codex_fail_500.jsonl           | FAILED | - | We’re currently experiencing high demand, which may cause temporary errors.
codex/codex_missing_key.jsonl        | FAILED | - | Missing environment variable: `FAKE_OPENAI_API_KEY`.
codex/codex_rate_limit_429.jsonl     | FAILED | - | exceeded retry limit, last status: 429 Too Many Requests
codex/codex_resume.jsonl             | OK OK | second answer | -
claude/claude_ok.jsonl               | OK | ok | -
claude/claude_slow.jsonl             | OK | ok | -
claude/claude_stream_input.jsonl     | OK | streamed input works | -
claude/claude_partial_messages.jsonl | agent_session assistant_delta assistant_delta assistant_text turn_ended | ok | -
claude/claude_think.jsonl            | agent_session reasoning assistant_text turn_ended | ok | -
claude/claude_write_file.jsonl       | TOOL | Wrote hello.txt. | -
claude/claude_run_cmd.jsonl          | TOOL | Command finished. | -
claude/claude_write_file_denied.jsonl | agent_session assistant_text tool_call tool_result! assistant_text turn_ended | The tool call failed. | -
claude/claude_fail_auth.jsonl        | FAILED | - | AUTH
claude/claude_wrong_key.jsonl        | FAILED | - | AUTH
claude/claude_missing_key.jsonl      | FAILED | - | Not logged in · Please run /login
claude/claude_fail_500.jsonl         | FAILED | - | API Error: 500 fake_llm FAIL_500. This is a server-side issue, usually temporary — try again in a moment. If it persists, check your inference gateway (127.0.0.1:PORT).
claude/claude_resume.jsonl           | OK OK | second answer | -
claude/claude_rate_limit_429.jsonl   | agent_session error error error error error error error error error error error turn_ended! | - | API Error: Request rejected (429) · This request would exceed the rate limit for your organization of 50,000 input tokens per minute. (devlog fake RATE_LIMIT_429)
claude/control/allow.jsonl           | ASKED | Wrote allowed.txt. | -
claude/control/allow_edited_input.jsonl | ASKED | Wrote edited.txt. | -
claude/control/allow_no_updated_input.jsonl | ASKED | Wrote noinput.txt. | -
claude/control/bash_allow.jsonl      | ASKED | Command finished. | -
claude/control/no_initialize.jsonl   | ASKED | Wrote noinit.txt. | -
claude/control/allow_always.jsonl    | ASKED TOOL | Wrote second.txt. | -
claude/control/deny.jsonl            | REFUSED | The tool call failed. | -
claude/control/error_response.jsonl  | REFUSED | The tool call failed. | -
claude/control/unanswered_then_stdin_closed.jsonl | REFUSED | The tool call failed. | -
claude/control/deny_interrupt.jsonl  | agent_session assistant_text tool_call permission_request tool_result! turn_ended! | - | the turn was interrupted (aborted_tools)
claude/control/interrupt_pending_permission.jsonl | agent_session assistant_text tool_call permission_request permission_withdrawn tool_result! turn_ended! | - | the turn was interrupted (aborted_tools)
claude/control/interrupt.jsonl       | agent_session turn_ended! OK | after interrupt | -
claude/control/multiturn.jsonl       | OK ASKED OK | third answer | -
claude/control/queued_message.jsonl  | OK OK | queued answer | -
claude/control/no_prompt_tool_flag.jsonl | agent_session assistant_text tool_call tool_result! assistant_text turn_ended | The tool call failed. | -
claude/control/set_permission_mode.jsonl | TOOL | Wrote mode.txt. | -
";

struct Expected {
    file: String,
    shapes: String,
    answer: Option<String>,
    failure: Option<String>,
}

fn expectations() -> Vec<Expected> {
    let expand = |shapes: &str| -> String {
        shapes
            .split_whitespace()
            .map(|word| {
                SEQUENCES
                    .iter()
                    .find(|(name, _)| *name == word)
                    .map_or(word, |(_, seq)| *seq)
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let text = |cell: &str| match cell {
        "-" => None,
        "AUTH" => Some(AUTH.to_string()),
        "CODEX_401" => Some(CODEX_401.to_string()),
        other => Some(other.to_string()),
    };
    EXPECTED
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 4, "bad row: {line}");
            Expected {
                file: cells[0].to_string(),
                shapes: expand(cells[1]),
                answer: text(cells[2]),
                failure: text(cells[3]),
            }
        })
        .collect()
}

#[test]
fn every_fixture_has_an_expectation_and_meets_it() {
    let expectations = expectations();
    let listed: BTreeSet<&str> = expectations.iter().map(|e| e.file.as_str()).collect();
    let present: Vec<String> = ["codex", "claude", "claude/control"]
        .into_iter()
        .flat_map(files_in)
        .collect();
    assert_eq!(present.len(), 43);
    for file in &present {
        assert!(listed.contains(file.as_str()), "no expectation for {file}");
    }
    assert_eq!(listed.len(), expectations.len(), "duplicate expectation");
    for expected in expectations {
        let file = expected.file.as_str();
        let events = events(file);
        let got: Vec<String> = events.iter().map(shape).collect();
        assert_eq!(got.join(" "), expected.shapes, "{file}");
        assert_eq!(final_answer(&events), expected.answer, "{file} answer");
        assert_eq!(turn_failure(&events), expected.failure, "{file} failure");
    }
}

#[test]
fn sessions_and_resumes_carry_the_cli_ids() {
    let ids = |rel: &str| -> Vec<String> {
        events(rel)
            .into_iter()
            .filter_map(|e| match e {
                StreamEvent::AgentSession {
                    agent_session_id, ..
                } => Some(agent_session_id),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        ids("codex/codex_ok.jsonl"),
        ["01a21b24-6c66-70e3-84e7-5de0d55dbc32"]
    );
    let codex = ids("codex/codex_resume.jsonl");
    assert_eq!(codex, ["01a21b24-927a-76a1-a75b-813e79665b7b"; 2]);
    let claude = ids("claude/claude_resume.jsonl");
    assert_eq!(claude, ["bd0a85e2-4123-4b40-8bcf-95a9e253f445"; 2]);
    assert!(matches!(
        events("claude/claude_ok.jsonl").first(),
        Some(StreamEvent::AgentSession { model: Some(m), .. }) if m == "claude-opus-5-5"
    ));
    for id in codex.iter().chain(&claude) {
        assert!(engine::agents::check_session_id(id).is_ok());
    }
}

#[test]
fn turn_details_are_carried_over() {
    let claude = events("claude/claude_ok.jsonl");
    let Some(StreamEvent::TurnEnded {
        is_error: false,
        result: Some(result),
        reason,
        cost_usd,
        duration_ms,
        num_turns,
        usage: Some(usage),
        models,
    }) = claude.last()
    else {
        panic!("no successful TurnEnded: {claude:?}");
    };
    assert_eq!(result, "ok");
    assert_eq!(reason.as_deref(), Some("completed"));
    assert_eq!(*cost_usd, Some(0.050012));
    assert_eq!(*duration_ms, Some(219));
    assert_eq!(*num_turns, Some(1));
    assert_eq!(usage["input_tokens"], 12468);
    // Per model, the turn's own (`model_usage_since_last_result`), with Claude Code's cost.
    assert_eq!(
        models,
        &[ModelUsage {
            model: Some("claude-opus-5-5".into()),
            tokens: Tokens {
                input: 12468,
                output: 7,
                ..Tokens::default()
            },
            cost_usd: Some(0.050012),
            cumulative: false,
        }]
    );

    let codex = events("codex/codex_ok.jsonl");
    assert!(matches!(
        codex.last(),
        Some(StreamEvent::TurnEnded { is_error: false, usage: Some(u), result: None, .. })
            if u["output_tokens"] == 7
    ));
    // Tokens only, no model named (priced when recorded, from the session's model), and the
    // thread's running total.
    let Some(StreamEvent::TurnEnded { models, .. }) = codex.last() else {
        unreachable!()
    };
    assert_eq!(
        models,
        &[ModelUsage {
            model: None,
            tokens: Tokens {
                input: 9555,
                output: 7,
                ..Tokens::default()
            },
            cost_usd: None,
            cumulative: true,
        }]
    );
    let think = events("claude/claude_think.jsonl");
    assert!(think.contains(&StreamEvent::Reasoning {
        text: "The user wants a scripted answer.".into()
    }));
}

/// Claude Code's `modelUsage` and `total_cost_usd` are the process's running totals (a resumed
/// session's too); each turn's own figures are in `model_usage_since_last_result`.
#[test]
fn each_turn_counts_its_own_usage() {
    let per_turn = |rel: &str| -> Vec<(u64, Option<f64>, bool)> {
        events(rel)
            .iter()
            .filter_map(|e| match e {
                StreamEvent::TurnEnded { models, .. } => Some(models.clone()),
                _ => None,
            })
            .flatten()
            .map(|m| (m.tokens.input, m.cost_usd, m.cumulative))
            .collect()
    };
    assert_eq!(
        per_turn("claude/claude_resume.jsonl"),
        [
            (12473, Some(0.050032), false),
            (12503, Some(0.050152), false)
        ]
    );
    // Codex's second turn, resumed, reports both: the engine records what grew.
    assert_eq!(
        per_turn("codex/codex_resume.jsonl"),
        [(9561, None, true), (19200, None, true)]
    );
}

#[test]
fn tools_and_edits() {
    let claude = events("claude/claude_write_file.jsonl");
    let call = claude
        .iter()
        .find(|e| matches!(e, StreamEvent::ToolCall { .. }))
        .expect("tool call");
    assert_eq!(edited_paths(call), ["/home/dev/project/hello.txt"]);
    let StreamEvent::ToolCall { id, name, .. } = call else {
        unreachable!()
    };
    assert_eq!(name, "Write");
    assert!(claude.iter().any(
        |e| matches!(e, StreamEvent::ToolResult { id: r, is_error: false, output } if r == id && output.contains("File created"))
    ));

    let codex = events("codex/codex_write_file.jsonl");
    let touched: Vec<String> = codex.iter().flat_map(edited_paths).collect();
    // Once when asked (the tool call), once when applied (the file change).
    assert_eq!(touched, ["/home/dev/project/hello.txt"; 2]);

    let cmd = events("codex/codex_run_cmd.jsonl");
    assert!(matches!(
        &cmd[1],
        StreamEvent::ToolCall { id, name, input } if id == "item_0" && name == "command_execution"
            && input["command"] == "/bin/bash -lc 'echo hi > from_cmd.txt && ls'"
    ));
    assert!(matches!(
        &cmd[2],
        StreamEvent::ToolResult { id, is_error: false, output } if id == "item_0" && output.contains("from_cmd.txt")
    ));
    assert!(cmd.iter().all(|e| edited_paths(e).is_empty()));
    let bash = events("claude/claude_run_cmd.jsonl");
    assert!(bash.iter().all(|e| edited_paths(e).is_empty()));
}

#[test]
fn errors_are_errors_and_never_answers() {
    for rel in [
        "claude/claude_fail_auth.jsonl",
        "codex/codex_fail_auth.jsonl",
    ] {
        let events = events(rel);
        assert!(
            !events
                .iter()
                .any(|e| matches!(e, StreamEvent::AssistantText { .. })),
            "{rel}: an API error is not the model's text"
        );
        assert!(events.iter().any(|e| matches!(
            e,
            StreamEvent::Error { retrying: false, message } if message.contains("Invalid API key") || message.contains("401")
        )));
        assert!(matches!(
            events.last(),
            Some(StreamEvent::TurnEnded { is_error: true, result: Some(m), .. }) if !m.is_empty()
        ));
    }
}

#[test]
fn malformed_lines_never_panic() {
    let long = "x".repeat(100_000);
    let nasty = [
        "{not json",
        "",
        "   ",
        "[]",
        "[{\"type\":\"result\"}]",
        "{\"type\":\"unknown_event\"}",
        "{\"type\":null}",
        "{\"type\":\"assistant\",\"message\":{\"content\":7}}",
        "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\",\"content\":{\"a\":1}}]}}",
        "{\"type\":\"result\",\"num_turns\":99999999999,\"duration_ms\":-1}",
        "{\"type\":\"item.completed\",\"item\":{\"type\":\"file_change\",\"changes\":\"nope\"}}",
        "{\"type\":\"item.started\",\"item\":[]}",
        "{\"type\":\"turn.failed\",\"error\":\"flat\"}",
        "\u{feff}{}",
        // JSON-RPC a peer should not send: answers to nothing, requests without params,
        // updates of unknown kinds.
        "{\"jsonrpc\":\"2.0\",\"id\":77,\"result\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"flat\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"session/request_permission\"}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"session/update\",\"params\":{\"update\":{\"sessionUpdate\":\"new_thing\"}}}",
        long.as_str(),
    ];
    for kind in AgentKind::ALL {
        let selection = model::RuntimeSelection {
            agent: kind,
            acp_agent: (kind == AgentKind::Acp).then(|| "declared".into()),
            ..Default::default()
        };
        let launch =
            TurnLaunch::from_selection(&selection, kind.default_permission(), "agent", "go".into())
                .unwrap();
        let mut conversation = conversation(kind, &launch, None, None, "/tmp".as_ref());
        conversation.opening();
        for line in nasty {
            let _ = conversation.hear(line);
        }
        for line in ["{not json", "", "[1]", "{\"type\":\"unknown_event\"}"] {
            assert_eq!(
                conversation.hear(line).events,
                vec![StreamEvent::Raw { line: line.into() }],
                "{kind:?} {line:?}"
            );
        }
    }
}

#[test]
fn a_rate_limited_api_is_a_limit_to_wait_out_through_each_cli() {
    // The real CLIs against the fake model API's 429: Claude Code after its ten retries
    // (each an `api_retry` with `error_status` 429), Codex after its own.
    for file in [
        "claude/claude_rate_limit_429.jsonl",
        "codex/codex_rate_limit_429.jsonl",
    ] {
        let events = events(file);
        let failure = turn_failure(&events).expect("the turn fails");
        let limit = model::rate_limit::RateLimit::recognise(&failure, 0);
        assert!(limit.is_some(), "{file}: {failure}");
        // Neither says when it resets: the queue backs off.
        assert_eq!(limit.and_then(|l| l.resets_at), None, "{file}");
    }
    let retries = events("claude/claude_rate_limit_429.jsonl")
        .into_iter()
        .filter(|e| matches!(e, StreamEvent::Error { retrying: true, message } if message.contains("HTTP 429")))
        .count();
    assert_eq!(retries, 10);
}
