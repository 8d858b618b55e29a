//! The typed events of a session's stream (DESIGN §6): what the agent said and did, parsed
//! from its CLI's stdout, plus what the supervisor itself reports. Every event is stored with
//! its `kind` and sent to the browser as JSON, so both sides share this one definition.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One step of an agent's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEntry {
    pub content: String,
    pub status: PlanStatus,
}

crate::wire_enum! {
    /// How far a plan's step is.
    pub enum PlanStatus {
        Pending = "pending",
        InProgress = "in_progress",
        Completed = "completed",
    }
}

crate::wire_enum! {
    /// What one of an agent's own answers to a permission request does (ACP's option kinds).
    pub enum ChoiceKind {
        AllowOnce = "allow_once",
        AllowAlways = "allow_always",
        RejectOnce = "reject_once",
        RejectAlways = "reject_always",
    }
}

impl ChoiceKind {
    /// Whether choosing it lets the tool run.
    pub fn allows(self) -> bool {
        matches!(self, ChoiceKind::AllowOnce | ChoiceKind::AllowAlways)
    }
}

/// One of an agent's own answers to a permission request, as it named it ("Allow for this
/// session"); the user's answer picks it by `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionChoice {
    pub id: String,
    pub name: String,
    pub kind: ChoiceKind,
}

/// How a permission request was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionOutcome {
    Allowed,
    Denied,
    /// Nobody answered within the permission timeout: denied.
    TimedOut,
}

/// One event of a session. Agent-agnostic: the adapters map each CLI's protocol onto it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    // ---- from the agent CLI ----------------------------------------------------------------
    /// The CLI's own id for this conversation (Claude `session_id`, Codex `thread_id`): what a
    /// continuation resumes. Claude repeats it at the start of every turn.
    AgentSession {
        agent_session_id: String,
        model: Option<String>,
    },
    /// Text the model wrote for the user: one complete block. After `AssistantDelta`s it is
    /// their block, complete (it supersedes them).
    AssistantText { text: String },
    /// More of the text block the model is writing (Claude Code's `text_delta`s with
    /// `--include-partial-messages`), coalesced by the supervisor: never one event per token.
    /// The block's `AssistantText` follows once it is complete.
    AssistantDelta { text: String },
    /// The model's visible reasoning (Claude thinking, Codex reasoning summary).
    Reasoning { text: String },
    /// The agent invoked a tool. `id` pairs it with its `ToolResult`.
    ToolCall {
        id: String,
        name: String,
        input: Value,
    },
    /// A tool's outcome, shown under its `ToolCall`.
    ToolResult {
        id: String,
        output: String,
        is_error: bool,
    },
    /// Files the agent changed (Codex `file_change` once applied). Paths as the CLI gave them.
    FileChange { paths: Vec<String> },
    /// The agent's plan for the turn, complete each time (an ACP agent's `plan`).
    Plan { entries: Vec<PlanEntry> },
    /// The agent waits for the user to allow or deny a tool (Claude `can_use_tool`); answer
    /// with `request_id`. `tool_use_id` matches the `ToolCall` that asked. `options` are the
    /// agent's own answers (an ACP agent's allow once / allow always / reject); empty for an
    /// agent that takes a plain allow or deny.
    PermissionRequest {
        request_id: String,
        tool_use_id: Option<String>,
        tool: String,
        input: Value,
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        options: Vec<PermissionChoice>,
    },
    /// A pending permission request the CLI no longer waits for (e.g. after an interrupt).
    PermissionWithdrawn { request_id: String },
    /// DevLog answered a permission request: the user's answer, or a deny on timeout.
    PermissionResolved {
        request_id: String,
        outcome: PermissionOutcome,
    },
    /// A turn is over. `is_error` is the CLI's verdict; on error `result` holds the error text,
    /// otherwise the turn's answer when the CLI reports one. `reason` is the CLI's own word
    /// for why it stopped (Claude `terminal_reason`, e.g. `aborted_streaming` after an
    /// interrupt).
    TurnEnded {
        is_error: bool,
        result: Option<String>,
        #[serde(default)]
        reason: Option<String>,
        cost_usd: Option<f64>,
        duration_ms: Option<u64>,
        num_turns: Option<u32>,
        usage: Option<Value>,
        /// What each model used, read from the CLI's report by its adapter.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        models: Vec<crate::usage::ModelUsage>,
    },
    /// Something went wrong. With `retrying` the CLI is retrying by itself (Codex reconnects,
    /// Claude API retries): the turn goes on and this is never its outcome.
    Error {
        message: String,
        #[serde(default)]
        retrying: bool,
    },
    /// A stdout line no adapter understands (unknown type, malformed JSON), kept verbatim so
    /// nothing the CLI said is lost.
    Raw { line: String },

    // ---- from the supervisor ---------------------------------------------------------------
    /// A message the user sent to the agent (the first prompt or a follow-up).
    UserMessage { text: String },
    /// A message the user sent while the agent was busy; it runs after the current turn.
    MessageQueued { text: String },
    /// Every queued message has been handed to the agent.
    QueueDrained,
    /// A line of the CLI's stderr.
    Log { line: String },
    /// The session's status changed.
    StatusChanged { status: crate::SessionStatus },
}

/// Whether a turn's end `reason` says it was stopped on purpose: by DevLog (`interrupted`) or
/// by Claude Code after an interrupt or a deny-and-stop (`aborted_streaming`, `aborted_tools`).
pub fn is_stop_reason(reason: &str) -> bool {
    matches!(
        reason,
        "interrupted" | "aborted_streaming" | "aborted_tools"
    )
}

impl StreamEvent {
    /// The serde tag of this event: the SQLite `kind` column and the browser's switch.
    pub fn kind(&self) -> &'static str {
        match self {
            StreamEvent::AgentSession { .. } => "agent_session",
            StreamEvent::AssistantText { .. } => "assistant_text",
            StreamEvent::AssistantDelta { .. } => "assistant_delta",
            StreamEvent::Reasoning { .. } => "reasoning",
            StreamEvent::ToolCall { .. } => "tool_call",
            StreamEvent::ToolResult { .. } => "tool_result",
            StreamEvent::FileChange { .. } => "file_change",
            StreamEvent::Plan { .. } => "plan",
            StreamEvent::PermissionRequest { .. } => "permission_request",
            StreamEvent::PermissionWithdrawn { .. } => "permission_withdrawn",
            StreamEvent::PermissionResolved { .. } => "permission_resolved",
            StreamEvent::TurnEnded { .. } => "turn_ended",
            StreamEvent::Error { .. } => "error",
            StreamEvent::Raw { .. } => "raw",
            StreamEvent::UserMessage { .. } => "user_message",
            StreamEvent::MessageQueued { .. } => "message_queued",
            StreamEvent::QueueDrained => "queue_drained",
            StreamEvent::Log { .. } => "log",
            StreamEvent::StatusChanged { .. } => "status_changed",
        }
    }

    /// The session reached a final status: nothing follows this event in its stream.
    pub fn is_final_status(&self) -> bool {
        matches!(self, StreamEvent::StatusChanged { status } if status.is_final())
    }

    /// Whether the worktree's files may have changed by the time this event is stored: a
    /// tool's result, a file change, a turn's end, the session's end. What a live diff
    /// follows.
    pub fn may_change_files(&self) -> bool {
        matches!(
            self,
            StreamEvent::ToolResult { .. }
                | StreamEvent::FileChange { .. }
                | StreamEvent::TurnEnded { .. }
        ) || self.is_final_status()
    }

    /// An error the CLI will not retry by itself.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            StreamEvent::Error {
                retrying: false,
                ..
            } | StreamEvent::TurnEnded { is_error: true, .. }
        )
    }
}

/// What a board card shows of a running session: one line for the latest message or tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub session: crate::ids::SessionId,
    pub task: crate::ids::TaskId,
    #[serde(flatten)]
    pub line: ActivityLine,
}

/// The line itself, and whether it announces the session's end (then the card's task has
/// changed too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    pub line: String,
    pub ended: bool,
}

impl ActivityLine {
    /// The line `event` makes, if it is worth one (see [`activity_line`]).
    pub fn of(event: &StreamEvent) -> Option<ActivityLine> {
        Some(ActivityLine {
            line: activity_line(event)?,
            ended: event.is_final_status(),
        })
    }
}

/// Longest activity line shown on a card.
const ACTIVITY_CHARS: usize = 120;

/// The activity line an event makes, if it is worth one: the agent's words (first line) or
/// the tool it calls, with the tool's main argument.
pub fn activity_line(event: &StreamEvent) -> Option<String> {
    let line = match event {
        StreamEvent::AssistantText { text } => text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())?
            .to_string(),
        StreamEvent::ToolCall { name, input, .. } => {
            let argument = [
                "file_path",
                "command",
                "path",
                "pattern",
                "url",
                "description",
            ]
            .iter()
            .find_map(|key| input.get(key).and_then(Value::as_str))
            .map(|a| a.lines().next().unwrap_or_default().trim().to_string());
            match argument {
                Some(argument) if !argument.is_empty() => format!("▸ {name}: {argument}"),
                _ => format!("▸ {name}"),
            }
        }
        StreamEvent::PermissionRequest { tool, .. } => format!("⚑ Waiting for permission: {tool}"),
        // The board refreshes a card whose session ended.
        StreamEvent::StatusChanged { status } if status.is_final() => {
            format!("■ Session {}", status.as_str())
        }
        _ => return None,
    };
    Some(crate::text::cut_chars(&line, ACTIVITY_CHARS))
}

#[cfg(test)]
mod tests {

    #[test]
    fn results_file_changes_and_ends_may_change_files() {
        let result = StreamEvent::ToolResult {
            id: "t".into(),
            output: String::new(),
            is_error: false,
        };
        assert!(result.may_change_files());
        assert!(StreamEvent::FileChange { paths: vec![] }.may_change_files());
        let done = StreamEvent::StatusChanged {
            status: crate::SessionStatus::Completed,
        };
        assert!(done.may_change_files());
        assert!(!StreamEvent::UserMessage { text: "hi".into() }.may_change_files());
        let running = StreamEvent::StatusChanged {
            status: crate::SessionStatus::Running,
        };
        assert!(!running.may_change_files());
    }

    use super::*;
    use crate::SessionStatus;

    #[test]
    fn stop_reasons_are_ours_and_claudes_interrupts() {
        for reason in ["interrupted", "aborted_streaming", "aborted_tools"] {
            assert!(is_stop_reason(reason), "{reason}");
        }
        for reason in ["timeout", "max_turns", "completed", ""] {
            assert!(!is_stop_reason(reason), "{reason}");
        }
    }

    #[test]
    fn activity_lines_name_the_words_or_the_tool() {
        let text = StreamEvent::AssistantText {
            text: "\n  Looking at the code.\nMore".into(),
        };
        assert_eq!(
            activity_line(&text).as_deref(),
            Some("Looking at the code.")
        );
        let tool = StreamEvent::ToolCall {
            id: "1".into(),
            name: "Bash".into(),
            input: serde_json::json!({"command": "cargo test\n--quiet"}),
        };
        assert_eq!(activity_line(&tool).as_deref(), Some("▸ Bash: cargo test"));
        let bare = StreamEvent::ToolCall {
            id: "2".into(),
            name: "TodoWrite".into(),
            input: serde_json::json!({}),
        };
        assert_eq!(activity_line(&bare).as_deref(), Some("▸ TodoWrite"));
        let long = StreamEvent::AssistantText {
            text: "x".repeat(500),
        };
        assert_eq!(
            activity_line(&long).unwrap().chars().count(),
            ACTIVITY_CHARS + 1
        );
        assert_eq!(activity_line(&StreamEvent::QueueDrained), None);
        // A card shows whole messages: the complete text follows its deltas.
        let delta = StreamEvent::AssistantDelta {
            text: "Looking".into(),
        };
        assert_eq!(activity_line(&delta), None);
        let ended = StreamEvent::StatusChanged {
            status: SessionStatus::Completed,
        };
        assert_eq!(
            activity_line(&ended).as_deref(),
            Some("■ Session completed")
        );
        assert!(ended.is_final_status());
        assert!(ActivityLine::of(&ended).is_some_and(|a| a.ended));
        let idle = StreamEvent::StatusChanged {
            status: SessionStatus::Idle,
        };
        assert_eq!(activity_line(&idle), None);
        assert!(!idle.is_final_status());
        assert_eq!(
            activity_line(&StreamEvent::AssistantText { text: "  ".into() }),
            None
        );
    }
    use serde_json::json;

    fn samples() -> Vec<StreamEvent> {
        vec![
            StreamEvent::AgentSession {
                agent_session_id: "a3d62e19".into(),
                model: Some("claude-opus".into()),
            },
            StreamEvent::AssistantText { text: "ok".into() },
            StreamEvent::AssistantDelta { text: "o".into() },
            StreamEvent::Reasoning {
                text: "thinking".into(),
            },
            StreamEvent::ToolCall {
                id: "toolu_1".into(),
                name: "Write".into(),
                input: json!({"file_path": "/p/a.txt", "content": "hi\n"}),
            },
            StreamEvent::ToolResult {
                id: "toolu_1".into(),
                output: "done".into(),
                is_error: false,
            },
            StreamEvent::FileChange {
                paths: vec!["/p/a.txt".into()],
            },
            StreamEvent::PermissionRequest {
                request_id: "req".into(),
                tool_use_id: Some("toolu_1".into()),
                tool: "Write".into(),
                input: json!({"file_path": "/p/a.txt"}),
                description: None,
                options: Vec::new(),
            },
            StreamEvent::PermissionWithdrawn {
                request_id: "req".into(),
            },
            StreamEvent::PermissionResolved {
                request_id: "req".into(),
                outcome: PermissionOutcome::TimedOut,
            },
            StreamEvent::TurnEnded {
                is_error: false,
                result: Some("ok".into()),
                reason: Some("completed".into()),
                cost_usd: Some(0.050012),
                duration_ms: Some(219),
                num_turns: Some(1),
                usage: Some(json!({"input_tokens": 12468, "output_tokens": 7})),
                models: vec![crate::usage::ModelUsage {
                    model: Some("claude-opus-5-5".into()),
                    tokens: crate::usage::Tokens {
                        input: 12468,
                        output: 7,
                        ..Default::default()
                    },
                    cost_usd: Some(0.050012),
                    cumulative: false,
                }],
            },
            StreamEvent::Error {
                message: "Reconnecting... 1/5".into(),
                retrying: true,
            },
            StreamEvent::Raw {
                line: "{not json".into(),
            },
            StreamEvent::UserMessage { text: "hi".into() },
            StreamEvent::MessageQueued {
                text: "next".into(),
            },
            StreamEvent::QueueDrained,
            StreamEvent::Log {
                line: "warn".into(),
            },
            StreamEvent::StatusChanged {
                status: SessionStatus::Running,
            },
        ]
    }

    #[test]
    fn every_event_round_trips_through_json() {
        for event in samples() {
            let json = serde_json::to_string(&event).unwrap();
            let back: StreamEvent = serde_json::from_str(&json).unwrap();
            assert_eq!(back, event, "{json}");
        }
    }

    #[test]
    fn an_agents_own_options_travel_with_its_request_and_are_absent_otherwise() {
        let request = StreamEvent::PermissionRequest {
            request_id: "acp-0".into(),
            tool_use_id: Some("write_file_1".into()),
            tool: "edit".into(),
            input: json!({"title": "Writing to a.txt"}),
            description: Some("Writing to a.txt".into()),
            options: vec![PermissionChoice {
                id: "proceed_always".into(),
                name: "Allow for this session".into(),
                kind: ChoiceKind::AllowAlways,
            }],
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["options"][0]["kind"], "allow_always");
        assert_eq!(
            serde_json::from_value::<StreamEvent>(json).unwrap(),
            request
        );
        // An event stored before options existed reads as having none.
        let older = json!({"type": "permission_request", "request_id": "r", "tool_use_id": null,
                           "tool": "Write", "input": {}, "description": null});
        let StreamEvent::PermissionRequest { options, .. } = serde_json::from_value(older).unwrap()
        else {
            unreachable!()
        };
        assert!(options.is_empty());
    }

    #[test]
    fn kind_is_the_serde_tag() {
        let events = samples();
        assert_eq!(events.len(), 18, "a sample per variant");
        for event in events {
            let value = serde_json::to_value(&event).unwrap();
            assert_eq!(value["type"], event.kind());
        }
    }

    #[test]
    fn the_wire_shape_is_flat_and_tagged() {
        let value = serde_json::to_value(StreamEvent::ToolResult {
            id: "t".into(),
            output: "o".into(),
            is_error: true,
        })
        .unwrap();
        assert_eq!(
            value,
            json!({"type": "tool_result", "id": "t", "output": "o", "is_error": true})
        );
        assert_eq!(
            serde_json::to_value(StreamEvent::QueueDrained).unwrap(),
            json!({"type": "queue_drained"})
        );
    }

    #[test]
    fn optional_fields_may_be_missing_on_the_wire() {
        let ended: StreamEvent =
            serde_json::from_str(r#"{"type":"turn_ended","is_error":true}"#).unwrap();
        assert_eq!(
            ended,
            StreamEvent::TurnEnded {
                is_error: true,
                result: None,
                reason: None,
                cost_usd: None,
                duration_ms: None,
                num_turns: None,
                usage: None,
                models: Vec::new(),
            }
        );
        let error: StreamEvent = serde_json::from_str(r#"{"type":"error","message":"x"}"#).unwrap();
        assert_eq!(
            error,
            StreamEvent::Error {
                message: "x".into(),
                retrying: false
            }
        );
        assert!(error.is_failure());
        assert!(ended.is_failure());
    }

    #[test]
    fn unknown_kinds_are_refused() {
        assert!(serde_json::from_str::<StreamEvent>(r#"{"type":"nope"}"#).is_err());
    }
}
