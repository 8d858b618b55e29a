//! A session's events folded into what the page shows: chat messages, tool calls paired
//! with their results, permission requests with their outcome, turn summaries.

use model::{PermissionOutcome, SessionStatus, StoredEvent, StreamEvent};
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum PermissionState {
    Pending,
    Resolved(PermissionOutcome),
    /// The CLI stopped waiting (withdrawn, turn over, or session ended).
    Expired,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    User(String),
    Assistant(String),
    Thinking(String),
    Tool {
        name: String,
        input: String,
        result: Option<(String, bool)>,
    },
    Permission {
        request_id: String,
        tool: String,
        input: String,
        description: Option<String>,
        state: PermissionState,
    },
    TurnEnd {
        is_error: bool,
        /// Stopped on purpose (the user's Stop turn), not failed.
        stopped: bool,
        result: Option<String>,
        cost_usd: Option<f64>,
        duration_ms: Option<u64>,
    },
    Error(String),
    Notice(String),
    Log(String),
    Raw(String),
    Files(Vec<String>),
}

/// One row of the page, keyed by the event that opened it and a revision that changes when
/// a later event updates it (a tool's result, a permission's answer).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub seq: i64,
    pub revision: u8,
    pub item: Item,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    pub rows: Vec<Row>,
    /// Follow-ups waiting for the current turn, oldest first.
    pub queued: Vec<String>,
    pub status: Option<SessionStatus>,
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

pub fn fold(events: &[StoredEvent], session_final: bool) -> Folded {
    let mut rows: Vec<Row> = Vec::new();
    let mut tools: HashMap<String, usize> = HashMap::new();
    let mut permissions: HashMap<String, usize> = HashMap::new();
    let mut queued: Vec<String> = Vec::new();
    let mut status = None;
    let mut seen_agent_session = false;
    let push = |rows: &mut Vec<Row>, seq, item| {
        rows.push(Row {
            seq,
            revision: 0,
            item,
        })
    };
    for stored in events {
        let seq = stored.seq;
        match &stored.event {
            StreamEvent::UserMessage { text } => {
                if queued.first() == Some(text) {
                    queued.remove(0);
                }
                push(&mut rows, seq, Item::User(text.clone()));
            }
            StreamEvent::MessageQueued { text } => queued.push(text.clone()),
            StreamEvent::AssistantText { text } => {
                push(&mut rows, seq, Item::Assistant(text.clone()))
            }
            StreamEvent::Reasoning { text } => push(&mut rows, seq, Item::Thinking(text.clone())),
            StreamEvent::ToolCall { id, name, input } => {
                tools.insert(id.clone(), rows.len());
                push(
                    &mut rows,
                    seq,
                    Item::Tool {
                        name: name.clone(),
                        input: pretty(input),
                        result: None,
                    },
                );
            }
            StreamEvent::ToolResult {
                id,
                output,
                is_error,
            } => match tools.get(id).and_then(|i| rows.get_mut(*i)) {
                Some(Row {
                    item: Item::Tool { result, .. },
                    revision,
                    ..
                }) => {
                    *result = Some((output.clone(), *is_error));
                    *revision = 1 + u8::from(*is_error);
                }
                _ => push(
                    &mut rows,
                    seq,
                    Item::Tool {
                        name: "tool".into(),
                        input: String::new(),
                        result: Some((output.clone(), *is_error)),
                    },
                ),
            },
            StreamEvent::FileChange { paths } => push(&mut rows, seq, Item::Files(paths.clone())),
            StreamEvent::PermissionRequest {
                request_id,
                tool,
                input,
                description,
                ..
            } => {
                permissions.insert(request_id.clone(), rows.len());
                push(
                    &mut rows,
                    seq,
                    Item::Permission {
                        request_id: request_id.clone(),
                        tool: tool.clone(),
                        input: pretty(input),
                        description: description.clone(),
                        state: PermissionState::Pending,
                    },
                );
            }
            StreamEvent::PermissionResolved {
                request_id,
                outcome,
            } => {
                settle(
                    &mut rows,
                    &permissions,
                    request_id,
                    PermissionState::Resolved(*outcome),
                );
            }
            StreamEvent::PermissionWithdrawn { request_id } => {
                settle(
                    &mut rows,
                    &permissions,
                    request_id,
                    PermissionState::Expired,
                );
            }
            StreamEvent::TurnEnded {
                is_error,
                result,
                reason,
                cost_usd,
                duration_ms,
                ..
            } => {
                expire_pending(&mut rows);
                push(
                    &mut rows,
                    seq,
                    Item::TurnEnd {
                        is_error: *is_error,
                        stopped: reason.as_deref().is_some_and(model::stream::is_stop_reason),
                        result: result.clone(),
                        cost_usd: *cost_usd,
                        duration_ms: *duration_ms,
                    },
                );
            }
            StreamEvent::Error { message, retrying } => push(
                &mut rows,
                seq,
                if *retrying {
                    Item::Notice(message.clone())
                } else {
                    Item::Error(message.clone())
                },
            ),
            StreamEvent::AgentSession {
                agent_session_id,
                model,
            } => {
                if !seen_agent_session {
                    seen_agent_session = true;
                    let model = model
                        .as_deref()
                        .map(|m| format!(" · model {m}"))
                        .unwrap_or_default();
                    push(
                        &mut rows,
                        seq,
                        Item::Notice(format!("Agent session {agent_session_id}{model}")),
                    );
                }
            }
            StreamEvent::Log { line } => push(&mut rows, seq, Item::Log(line.clone())),
            StreamEvent::Raw { line } => push(&mut rows, seq, Item::Raw(line.clone())),
            StreamEvent::StatusChanged { status: s } => status = SessionStatus::parse(s),
            StreamEvent::QueueDrained => {}
        }
    }
    if session_final || status.is_some_and(SessionStatus::is_final) {
        expire_pending(&mut rows);
    }
    Folded {
        rows,
        queued,
        status,
    }
}

fn settle(rows: &mut [Row], index: &HashMap<String, usize>, request_id: &str, to: PermissionState) {
    if let Some(Row {
        item: Item::Permission { state, .. },
        revision,
        ..
    }) = index.get(request_id).and_then(|i| rows.get_mut(*i))
        && *state == PermissionState::Pending
    {
        *revision = match &to {
            PermissionState::Resolved(PermissionOutcome::Allowed) => 1,
            PermissionState::Resolved(PermissionOutcome::Denied) => 2,
            PermissionState::Resolved(PermissionOutcome::TimedOut) => 3,
            _ => 4,
        };
        *state = to;
    }
}

fn expire_pending(rows: &mut [Row]) {
    for row in rows.iter_mut() {
        if let Item::Permission { state, .. } = &mut row.item
            && *state == PermissionState::Pending
        {
            *state = PermissionState::Expired;
            row.revision = 4;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(seq: i64, event: StreamEvent) -> StoredEvent {
        StoredEvent { seq, at: 0, event }
    }

    #[test]
    fn a_stopped_turn_is_told_from_a_failed_one() {
        let end = |seq, reason: &str| {
            ev(
                seq,
                StreamEvent::TurnEnded {
                    is_error: true,
                    result: None,
                    reason: Some(reason.into()),
                    cost_usd: None,
                    duration_ms: None,
                    num_turns: None,
                    usage: None,
                },
            )
        };
        let folded = fold(&[end(1, "aborted_streaming"), end(2, "max_turns")], false);
        let stopped: Vec<bool> = folded
            .rows
            .iter()
            .map(|row| matches!(row.item, Item::TurnEnd { stopped: true, .. }))
            .collect();
        assert_eq!(stopped, [true, false]);
    }

    #[test]
    fn tool_results_join_their_call_and_bump_its_revision() {
        let events = vec![
            ev(
                1,
                StreamEvent::ToolCall {
                    id: "t1".into(),
                    name: "Bash".into(),
                    input: json!({"command": "ls"}),
                },
            ),
            ev(
                2,
                StreamEvent::ToolResult {
                    id: "t1".into(),
                    output: "a.txt".into(),
                    is_error: false,
                },
            ),
        ];
        let folded = fold(&events, false);
        assert_eq!(folded.rows.len(), 1);
        assert_eq!(folded.rows[0].revision, 1);
        assert!(
            matches!(&folded.rows[0].item, Item::Tool { result: Some((out, false)), .. } if out == "a.txt")
        );
    }

    #[test]
    fn permissions_are_pending_until_answered_or_the_turn_ends() {
        let request = |seq, id: &str| {
            ev(
                seq,
                StreamEvent::PermissionRequest {
                    request_id: id.into(),
                    tool_use_id: None,
                    tool: "Write".into(),
                    input: json!({}),
                    description: None,
                },
            )
        };
        let events = vec![
            request(1, "a"),
            request(2, "b"),
            ev(
                3,
                StreamEvent::PermissionResolved {
                    request_id: "a".into(),
                    outcome: PermissionOutcome::Denied,
                },
            ),
        ];
        let folded = fold(&events, false);
        assert!(matches!(
            &folded.rows[0].item,
            Item::Permission {
                state: PermissionState::Resolved(PermissionOutcome::Denied),
                ..
            }
        ));
        assert!(matches!(
            &folded.rows[1].item,
            Item::Permission {
                state: PermissionState::Pending,
                ..
            }
        ));
        let ended = fold(&events, true);
        assert!(matches!(
            &ended.rows[1].item,
            Item::Permission {
                state: PermissionState::Expired,
                ..
            }
        ));
    }

    #[test]
    fn queued_messages_leave_the_queue_when_they_run() {
        let events = vec![
            ev(1, StreamEvent::UserMessage { text: "one".into() }),
            ev(2, StreamEvent::MessageQueued { text: "two".into() }),
            ev(
                3,
                StreamEvent::MessageQueued {
                    text: "three".into(),
                },
            ),
            ev(4, StreamEvent::UserMessage { text: "two".into() }),
        ];
        assert_eq!(fold(&events, false).queued, vec!["three".to_string()]);
    }
}
