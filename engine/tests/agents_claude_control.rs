//! Claude Code's permission protocol against the two-direction control transcripts in
//! `tests/fixtures/agents/claude/control/`: the requests we parse and the stdin lines we write
//! equal what the recorded driver read and wrote.

mod common;

use common::{events, files_in, records};
use engine::agents::{AgentAdapter, ClaudeCode, LineCli, TurnLaunch};
use model::{PermissionAnswer, PermissionPolicy, RuntimeSelection, StreamEvent};
use serde_json::Value;
use std::path::PathBuf;

/// Every permission request in the control transcripts becomes a `PermissionRequest` with
/// the request's id, tool and tool_use_id, following the `ToolCall` it is about.
#[test]
fn permission_requests_match_the_transcripts() {
    let mut seen = 0;
    for rel in files_in("claude/control") {
        let requests: Vec<Value> = records(&rel)
            .into_iter()
            .filter(|r| r["dir"] == "out" && r["msg"]["request"]["subtype"] == "can_use_tool")
            .map(|r| r["msg"].clone())
            .collect();
        let events = events(&rel);
        let parsed: Vec<&StreamEvent> = events
            .iter()
            .filter(|e| matches!(e, StreamEvent::PermissionRequest { .. }))
            .collect();
        assert_eq!(parsed.len(), requests.len(), "{rel}");
        for (event, request) in parsed.into_iter().zip(&requests) {
            let StreamEvent::PermissionRequest {
                request_id,
                tool_use_id,
                tool,
                input,
                description,
                options,
            } = event
            else {
                unreachable!()
            };
            assert_eq!(request_id, request["request_id"].as_str().unwrap());
            assert_eq!(tool, request["request"]["tool_name"].as_str().unwrap());
            assert_eq!(
                tool_use_id.as_deref(),
                request["request"]["tool_use_id"].as_str()
            );
            assert_eq!(input, &request["request"]["input"]);
            assert_eq!(
                description.as_deref(),
                request["request"]["description"].as_str()
            );
            assert!(options.is_empty(), "Claude takes a plain allow or deny");
            let tool_use_id = tool_use_id.as_deref().expect("tool_use_id");
            assert!(
                events
                    .iter()
                    .any(|e| matches!(e, StreamEvent::ToolCall { id, .. } if id == tool_use_id))
            );
            seen += 1;
        }
    }
    assert_eq!(seen, 12);

    let withdrawn = events("claude/control/interrupt_pending_permission.jsonl");
    assert!(withdrawn.contains(&StreamEvent::PermissionWithdrawn {
        request_id: "5a13fd17-11f1-480e-8a89-cf1234475a5c".into()
    }));
    let bash = events("claude/control/bash_allow.jsonl");
    assert!(bash.iter().any(|e| matches!(
        e,
        StreamEvent::PermissionRequest { tool, input, .. } if tool == "Bash" && input["command"] == "echo hi > from_cmd.txt"
    )));
}

/// What we write on Claude's stdin equals, as JSON, what the recorded driver wrote.
#[test]
fn stdin_lines_equal_the_recorded_driver() {
    let (mut users, mut answers, mut interrupts) = (0, 0, 0);
    for rel in files_in("claude/control") {
        for record in records(&rel).into_iter().filter(|r| r["dir"] == "in") {
            let msg = &record["msg"];
            let ours = match (msg["type"].as_str(), msg["request"]["subtype"].as_str()) {
                (Some("user"), _) => {
                    users += 1;
                    let text = msg["message"]["content"][0]["text"].as_str().unwrap();
                    ClaudeCode.user_message_line(text)
                }
                (Some("control_request"), Some("interrupt")) => {
                    interrupts += 1;
                    ClaudeCode.interrupt_line(msg["request_id"].as_str().unwrap())
                }
                (Some("control_response"), _) if msg["response"]["subtype"] == "success" => {
                    let response = &msg["response"]["response"];
                    if response.get("updatedPermissions").is_some() {
                        continue; // "always allow": not offered yet
                    }
                    answers += 1;
                    let answer = match response["behavior"].as_str() {
                        Some("allow") => PermissionAnswer::Allow {
                            updated_input: response.get("updatedInput").cloned(),
                            option: None,
                        },
                        Some("deny") => PermissionAnswer::Deny {
                            message: response["message"].as_str().unwrap().to_string(),
                            interrupt: response["interrupt"] == true,
                            option: None,
                        },
                        other => panic!("{rel}: behavior {other:?}"),
                    };
                    let request_id = msg["response"]["request_id"].as_str().unwrap();
                    ClaudeCode.permission_answer_line(request_id, &answer)
                }
                // initialize, set_permission_mode, an error response: not written by us.
                _ => continue,
            };
            let ours: Value = serde_json::from_str(&ours.expect("a Claude stdin line"))
                .expect("our line is JSON");
            assert_eq!(&ours, msg, "{rel} seq {}", record["seq"]);
        }
    }
    assert_eq!(users, 21);
    assert_eq!(answers, 9);
    assert_eq!(interrupts, 2);
}

/// Our Claude argv for the default policy is the one the control transcripts ran with, plus
/// `--include-partial-messages` (recorded in `claude/claude_partial_messages.jsonl`).
#[test]
fn claude_argv_matches_the_recorded_driver() {
    let launch = TurnLaunch::from_selection(
        &RuntimeSelection::default(),
        PermissionPolicy::Ask,
        PathBuf::from("claude"),
        "hello".into(),
    )
    .unwrap();
    let spec = ClaudeCode.first_turn(&launch);
    let partial = "--include-partial-messages";
    assert!(spec.args.iter().any(|a| a == partial));
    let args: Vec<&String> = spec.args.iter().filter(|a| *a != partial).collect();
    let mut checked = 0;
    for rel in files_in("claude/control") {
        let argv = records(&rel)
            .into_iter()
            .find(|r| r["what"] == "argv")
            .expect("argv note")["argv"]
            .clone();
        let argv: Vec<String> = serde_json::from_value(argv).expect("argv");
        if !argv.iter().any(|a| a == "--permission-prompt-tool") {
            continue; // the no_prompt_tool_flag scenario
        }
        assert_eq!(argv[0], "claude");
        assert_eq!(argv[1..].iter().collect::<Vec<_>>(), args, "{rel}");
        checked += 1;
    }
    assert_eq!(checked, 15);
}
