//! The ACP client against Gemini CLI's recorded ACP transcripts (`tests/fixtures/agents/
//! gemini-acp/`, see the README there). Each transcript is replayed: the agent's lines are
//! given to the conversation, and every line the recorded client wrote must be what the
//! conversation writes at that point — the same request (method, id, session, prompt) or the
//! same kind of answer. Where the recorded client acted (answered a permission, sent a second
//! prompt, cancelled), the test asks the conversation to do the same.

mod common;

use common::{files_in, read};
use engine::agents::{
    AcpConversation, Conversation, Resume, edited_paths, final_answer, turn_failure,
};
use model::usage::{ModelUsage, Tokens};
use model::{PermissionAnswer, StreamEvent};
use serde_json::Value;
use std::collections::VecDeque;

struct Replay {
    events: Vec<StreamEvent>,
    /// Where the conversation wrote something other than the recorded client: the recorded
    /// line and ours.
    diverged: Option<(Value, Option<Value>)>,
    /// Lines the conversation wrote that the recorded client did not.
    left: Vec<Value>,
}

fn parse(lines: Vec<String>) -> Vec<Value> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("the conversation writes JSON"))
        .collect()
}

/// The first prompt's text and the working directory of a transcript.
fn opening(records: &[Value]) -> (String, String) {
    let sent = |method: &str| {
        records
            .iter()
            .find(|r| r["dir"] == "client->agent" && r["msg"]["method"] == method)
            .map(|r| r["msg"]["params"].clone())
    };
    let prompt = sent("session/prompt").expect("a prompt")["prompt"][0]["text"]
        .as_str()
        .expect("prompt text")
        .to_string();
    let cwd = sent("session/new")
        .or_else(|| sent("session/load"))
        .expect("a session")["cwd"]
        .as_str()
        .expect("cwd")
        .to_string();
    (prompt, cwd)
}

/// Whether the agent's permission request `id` offered `option` as an allow.
fn allows(events: &[StreamEvent], id: &Value, option: &Value) -> bool {
    let request_id = format!("acp-{id}");
    events.iter().any(|event| match event {
        StreamEvent::PermissionRequest {
            request_id: r,
            options,
            ..
        } if *r == request_id => options
            .iter()
            .any(|o| *option == o.id.as_str() && o.kind.allows()),
        _ => false,
    })
}

/// Whether `ours` is the line `recorded` was: the same request, or the same answer (an error
/// for an error; the option the recorded client chose — DevLog's answer names it, as the
/// user's click on that option's button does).
fn same(recorded: &Value, ours: &Value) -> bool {
    if recorded["method"] != ours["method"] || recorded["id"] != ours["id"] {
        return false;
    }
    match recorded["method"].as_str() {
        Some("session/prompt") => recorded["params"]["prompt"] == ours["params"]["prompt"],
        Some("session/new") => recorded["params"]["cwd"] == ours["params"]["cwd"],
        Some("session/load" | "session/cancel") => {
            recorded["params"]["sessionId"] == ours["params"]["sessionId"]
        }
        Some(_) => true,
        // An answer: an error for an error, the same chosen option for a result.
        None => match (recorded.get("error"), ours.get("error")) {
            (Some(_), Some(_)) => true,
            (None, None) => {
                let (theirs, mine) = (&recorded["result"]["outcome"], &ours["result"]["outcome"]);
                theirs == mine
            }
            _ => false,
        },
    }
}

fn replay(rel: &str, resume: Option<&str>) -> Replay {
    let records: Vec<Value> = read(rel)
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    let (prompt, cwd) = opening(&records);
    let resume = resume.map(|id| Resume {
        id: id.to_string(),
        history: Some("User: REPLY first\nAgent: first".into()),
    });
    let mut conversation = AcpConversation::new(cwd.into(), prompt, resume);
    let mut ours: VecDeque<Value> = parse(conversation.opening()).into();
    let mut events: Vec<StreamEvent> = Vec::new();
    for record in &records {
        let message = &record["msg"];
        match record["dir"].as_str() {
            Some("agent->client") => {
                let heard = conversation.hear(&message.to_string());
                events.extend(heard.events);
                ours.extend(parse(heard.replies));
            }
            Some("client->agent") => {
                if ours.is_empty() {
                    ours.extend(parse(act(&mut conversation, message, &events)));
                }
                let line = ours.pop_front();
                if !line.as_ref().is_some_and(|line| same(message, line)) {
                    return Replay {
                        events,
                        diverged: Some((message.clone(), line)),
                        left: ours.into(),
                    };
                }
            }
            _ => break,
        }
    }
    Replay {
        events,
        diverged: None,
        left: ours.into(),
    }
}

/// What the user did where the recorded client wrote on its own: a second prompt, a Stop, or
/// an answer to a permission card (allowed when the recorded client chose an allow option).
fn act(
    conversation: &mut AcpConversation,
    recorded: &Value,
    events: &[StreamEvent],
) -> Vec<String> {
    match recorded["method"].as_str() {
        Some("session/prompt") => {
            let text = recorded["params"]["prompt"][0]["text"]
                .as_str()
                .unwrap_or_default();
            conversation.user_message(text).expect("ACP takes messages")
        }
        Some("session/cancel") => conversation.interrupt("stop").expect("a prompt runs"),
        _ => {
            let request_id = format!("acp-{}", recorded["id"]);
            let allow = allows(
                events,
                &recorded["id"],
                &recorded["result"]["outcome"]["optionId"],
            );
            let option = recorded["result"]["outcome"]["optionId"]
                .as_str()
                .map(str::to_string);
            let answer = if allow {
                PermissionAnswer::Allow {
                    updated_input: None,
                    option,
                }
            } else {
                PermissionAnswer::Deny {
                    message: "no".into(),
                    interrupt: false,
                    option,
                }
            };
            conversation
                .permission_answer(&request_id, &answer)
                .expect("a pending permission request")
        }
    }
}

fn shapes(events: &[StreamEvent]) -> String {
    events
        .iter()
        .map(|event| match event {
            StreamEvent::ToolResult { is_error: true, .. }
            | StreamEvent::TurnEnded { is_error: true, .. } => {
                format!("{}!", event.kind())
            }
            _ => event.kind().to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const AUTH: &str = "API key not valid (fake_llm FAIL_AUTH) (401 UNAUTHENTICATED)";

/// Per transcript: `file | event shapes ("!" = failed) | answer | failure` (`-` = none).
const EXPECTED: &str = "
gemini_acp_ok           | agent_session assistant_delta assistant_text turn_ended | ok | -
gemini_acp_env_key_only | agent_session assistant_delta assistant_text turn_ended | ok | -
gemini_acp_think        | agent_session assistant_delta assistant_text turn_ended | thought about it | -
gemini_acp_multiturn    | agent_session assistant_delta assistant_text turn_ended assistant_delta assistant_text turn_ended | second | -
gemini_acp_write_allow  | agent_session permission_request assistant_delta assistant_text tool_call tool_result file_change assistant_delta assistant_text turn_ended | Wrote hello.txt. | -
gemini_acp_write_deny   | agent_session permission_request assistant_delta assistant_text turn_ended | The tool call failed. | -
gemini_acp_run_cmd      | agent_session permission_request tool_call tool_result assistant_delta assistant_text turn_ended | Command finished. | -
gemini_acp_write_fs     | agent_session tool_call tool_result! assistant_delta assistant_text turn_ended | The tool call failed. | -
gemini_acp_fail_auth    | agent_session error turn_ended! | - | AUTH
gemini_acp_wrong_key    | agent_session error turn_ended! | - | AUTH
gemini_acp_cancel       | agent_session turn_ended! | - | the turn was interrupted (interrupted)
gemini_acp_fail_500     | agent_session | - | -
";

#[test]
fn every_transcript_is_replayed_to_its_recorded_outcome() {
    let files = files_in("gemini-acp");
    assert_eq!(files.len(), 13, "{files:?}");
    for row in EXPECTED.trim().lines() {
        let cols: Vec<&str> = row.split('|').map(str::trim).collect();
        let rel = format!("gemini-acp/{}.jsonl", cols[0]);
        assert!(files.contains(&rel), "{rel}");
        let replay = replay(&rel, None);
        assert_eq!(replay.diverged, None, "{rel}");
        assert_eq!(
            replay.left,
            Vec::<Value>::new(),
            "{rel}: lines the recorded client did not write"
        );
        assert_eq!(shapes(&replay.events), cols[1], "{rel}");
        let expect = |col: &str| (col != "-").then(|| col.replace("AUTH", AUTH));
        assert_eq!(final_answer(&replay.events), expect(cols[2]), "{rel}");
        let failure = turn_failure(&replay.events);
        match expect(cols[3]) {
            Some(needle) => assert!(
                failure.as_deref().is_some_and(|f| f.contains(&needle)),
                "{rel}: {failure:?}"
            ),
            None => assert_eq!(failure, None, "{rel}"),
        }
    }
}

#[test]
fn usage_is_read_per_model_from_the_prompt_answer() {
    let replay = replay("gemini-acp/gemini_acp_ok.jsonl", None);
    let Some(StreamEvent::TurnEnded { models, .. }) = replay.events.last() else {
        panic!("no TurnEnded: {:?}", replay.events);
    };
    assert_eq!(
        models,
        &[ModelUsage {
            model: Some("gemini-3.8-flash".into()),
            tokens: Tokens {
                input: 12020,
                output: 7,
                ..Tokens::default()
            },
            cost_usd: None,
            cumulative: false,
        }]
    );
}

#[test]
fn an_edit_locks_its_file_from_the_permission_request_on() {
    let replay = replay("gemini-acp/gemini_acp_write_allow.jsonl", None);
    let edited: Vec<Vec<String>> = replay
        .events
        .iter()
        .map(edited_paths)
        .filter(|paths| !paths.is_empty())
        .collect();
    let file = vec!["/home/user/project/hello.txt".to_string()];
    // The request (before anything is written), the call, and the change once it is done.
    assert_eq!(edited, vec![file.clone(), file.clone(), file]);
}

#[test]
fn a_refused_load_starts_a_new_session_and_says_so() {
    let id = "81b5b49a-74e8-4ef8-971d-01fae1ae3f59";
    let replay = replay("gemini-acp/gemini_acp_load.jsonl", Some(id));
    // The recorded client sent its prompt to the session it failed to load; DevLog opens a
    // new one instead, which is where the two part.
    let (recorded, ours) = replay.diverged.expect("the conversations part");
    assert_eq!(recorded["method"], "session/prompt");
    let ours = ours.expect("a line of ours");
    assert_eq!(ours["method"], "session/new");
    assert_eq!(ours["params"]["cwd"], "/home/user/project");
    assert!(
        matches!(&replay.events[..], [StreamEvent::Log { line }]
            if line.contains("Invalid session identifier") && line.contains("given the conversation so far")),
        "{:?}",
        replay.events
    );
}

#[test]
fn requests_for_capabilities_it_did_not_declare_are_answered_with_an_error() {
    // write_fs was recorded with a client that declared `fs`; the CLI's reads are refused
    // (as that client refused them) and the turn goes on.
    let replay = replay("gemini-acp/gemini_acp_write_fs.jsonl", None);
    assert_eq!(replay.diverged, None);
    assert!(matches!(
        replay.events.last(),
        Some(StreamEvent::TurnEnded {
            is_error: false,
            ..
        })
    ));
}
