//! What an ACP agent's `session/update`s and permission requests become:
//!
//! | ACP | events |
//! |---|---|
//! | `agent_message_chunk` | `AssistantDelta` as it streams; the block's `AssistantText` once anything else comes |
//! | `agent_thought_chunk` | one `Reasoning` for the thought, once it is complete |
//! | `tool_call` | `ToolCall` (name = its kind, input = title, paths, diffs and raw input) |
//! | `tool_call_update` completed / failed | `ToolResult` (+ `FileChange` for an edit) |
//! | `plan` | `Plan` |
//! | `session/request_permission` | `PermissionRequest` with the agent's own options |
//!
//! Other updates (available commands, mode and config changes, user message chunks: the
//! user's message is stored by the supervisor) carry nothing a session shows.

use agent_client_protocol_schema::v1 as acp;
use model::stream::{PlanEntry, PlanStatus};
use model::{ChoiceKind, PermissionAnswer, PermissionChoice, StreamEvent};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// The kinds of tool call that change files: their paths are locked and reported edited.
pub const EDIT_KINDS: [&str; 3] = ["edit", "delete", "move"];

/// The text blocks being streamed, the turn's answer, and each tool call's kind.
#[derive(Debug, Default)]
pub struct Blocks {
    message: String,
    thought: String,
    /// The turn's last message block: its answer, as a Codex turn's last message is.
    answer: String,
    kinds: HashMap<String, String>,
    /// The tool calls shown: an update of one never announced (Gemini asks permission first
    /// and then only updates the call) shows it before its result.
    shown: HashSet<String>,
}

impl Blocks {
    pub fn update(&mut self, update: acp::SessionUpdate) -> Vec<StreamEvent> {
        match update {
            acp::SessionUpdate::AgentMessageChunk(chunk) => {
                let mut events = self.close_thought();
                let text = content_text(&chunk.content);
                if !text.is_empty() {
                    self.message.push_str(&text);
                    events.push(StreamEvent::AssistantDelta { text });
                }
                events
            }
            acp::SessionUpdate::AgentThoughtChunk(chunk) => {
                let events = self.close_message();
                self.thought.push_str(&content_text(&chunk.content));
                events
            }
            acp::SessionUpdate::ToolCall(call) => {
                let mut events = self.close();
                let id = call.tool_call_id.0.to_string();
                let kind = kind_name(call.kind);
                self.kinds.insert(id.clone(), kind.clone());
                self.shown.insert(id.clone());
                events.push(StreamEvent::ToolCall {
                    id: id.clone(),
                    name: kind.clone(),
                    input: tool_input(
                        &call.title,
                        &kind,
                        &call.locations,
                        &call.content,
                        call.raw_input.as_ref(),
                    ),
                });
                events.extend(self.finished(&id, call.status, &call.content, &call.locations));
                events
            }
            acp::SessionUpdate::ToolCallUpdate(update) => {
                let id = update.tool_call_id.0.to_string();
                let fields = update.fields;
                match fields.status {
                    Some(status) => {
                        let mut events = self.close();
                        if let Some(kind) = fields.kind {
                            self.kinds.insert(id.clone(), kind_name(kind));
                        }
                        let content = fields.content.unwrap_or_default();
                        let locations = fields.locations.unwrap_or_default();
                        if self.shown.insert(id.clone()) {
                            let kind = self
                                .kinds
                                .get(&id)
                                .cloned()
                                .unwrap_or_else(|| "other".into());
                            let title = fields.title.clone().unwrap_or_else(|| kind.clone());
                            events.push(StreamEvent::ToolCall {
                                id: id.clone(),
                                name: kind.clone(),
                                input: tool_input(
                                    &title,
                                    &kind,
                                    &locations,
                                    &content,
                                    fields.raw_input.as_ref(),
                                ),
                            });
                        }
                        events.extend(self.finished(&id, status, &content, &locations));
                        events
                    }
                    None => Vec::new(),
                }
            }
            acp::SessionUpdate::Plan(plan) => {
                let mut events = self.close();
                events.push(StreamEvent::Plan {
                    entries: plan
                        .entries
                        .into_iter()
                        .map(|entry| PlanEntry {
                            content: entry.content,
                            status: match entry.status {
                                acp::PlanEntryStatus::InProgress => PlanStatus::InProgress,
                                acp::PlanEntryStatus::Completed => PlanStatus::Completed,
                                _ => PlanStatus::Pending,
                            },
                        })
                        .collect(),
                });
                events
            }
            _ => Vec::new(),
        }
    }

    /// A tool call's result once it has one, and the files it edited.
    fn finished(
        &self,
        id: &str,
        status: acp::ToolCallStatus,
        content: &[acp::ToolCallContent],
        locations: &[acp::ToolCallLocation],
    ) -> Vec<StreamEvent> {
        let is_error = match status {
            acp::ToolCallStatus::Completed => false,
            acp::ToolCallStatus::Failed => true,
            _ => return Vec::new(),
        };
        let mut events = vec![StreamEvent::ToolResult {
            id: id.to_string(),
            output: content_summary(content),
            is_error,
        }];
        let edits = self
            .kinds
            .get(id)
            .is_some_and(|kind| EDIT_KINDS.contains(&kind.as_str()));
        let paths = paths(locations, content);
        if edits && !is_error && !paths.is_empty() {
            events.push(StreamEvent::FileChange { paths });
        }
        events
    }

    fn close_message(&mut self) -> Vec<StreamEvent> {
        if self.message.is_empty() {
            return Vec::new();
        }
        let text = std::mem::take(&mut self.message);
        self.answer.clone_from(&text);
        vec![StreamEvent::AssistantText { text }]
    }

    fn close_thought(&mut self) -> Vec<StreamEvent> {
        if self.thought.trim().is_empty() {
            self.thought.clear();
            return Vec::new();
        }
        vec![StreamEvent::Reasoning {
            text: std::mem::take(&mut self.thought),
        }]
    }

    /// Whatever block is open, complete: something else is about to be shown.
    pub fn close(&mut self) -> Vec<StreamEvent> {
        let mut events = self.close_thought();
        events.extend(self.close_message());
        events
    }

    /// The turn's answer, for its `TurnEnded`; the next turn starts without one.
    pub fn take_answer(&mut self) -> String {
        std::mem::take(&mut self.answer)
    }
}

impl Blocks {
    /// The permission card for an agent's request: the tool call it is about, and the
    /// options the agent offers, as it named them.
    pub fn permission_request(
        &mut self,
        request_id: &str,
        request: &acp::RequestPermissionRequest,
    ) -> StreamEvent {
        let event = permission_card(request_id, request);
        if let StreamEvent::PermissionRequest {
            tool,
            tool_use_id: Some(id),
            ..
        } = &event
        {
            self.kinds.entry(id.clone()).or_insert_with(|| tool.clone());
        }
        event
    }
}

fn permission_card(request_id: &str, request: &acp::RequestPermissionRequest) -> StreamEvent {
    let call = &request.tool_call;
    let fields = &call.fields;
    let kind = fields.kind.map(kind_name).unwrap_or_else(|| "other".into());
    let title = fields.title.clone().unwrap_or_else(|| kind.clone());
    let input = tool_input(
        &title,
        &kind,
        fields.locations.as_deref().unwrap_or_default(),
        fields.content.as_deref().unwrap_or_default(),
        fields.raw_input.as_ref(),
    );
    // An option of a kind this protocol version does not name could not be told apart as an
    // allow or a reject: it is not offered.
    let options = request
        .options
        .iter()
        .filter_map(|o| {
            Some(PermissionChoice {
                id: o.option_id.0.to_string(),
                name: o.name.clone(),
                kind: ChoiceKind::parse(&kind_name(o.kind))?,
            })
        })
        .collect();
    StreamEvent::PermissionRequest {
        request_id: request_id.to_string(),
        tool_use_id: Some(call.tool_call_id.0.to_string()),
        tool: kind,
        input,
        description: Some(title),
        options,
    }
}

/// The agent's own option for an answer: the one it picks (checked by the session against the
/// request's options), else allow once (else always), reject once (else always); "cancelled"
/// when it offered none of that kind.
pub fn chosen(
    options: &[acp::PermissionOption],
    answer: &PermissionAnswer,
) -> acp::RequestPermissionResponse {
    let picked = answer
        .option()
        .and_then(|id| options.iter().find(|o| o.option_id.0.as_ref() == id));
    if let Some(option) = picked {
        return acp::RequestPermissionResponse::new(acp::RequestPermissionOutcome::Selected(
            acp::SelectedPermissionOutcome::new(option.option_id.clone()),
        ));
    }
    let preference = if answer.allows() {
        [
            acp::PermissionOptionKind::AllowOnce,
            acp::PermissionOptionKind::AllowAlways,
        ]
    } else {
        [
            acp::PermissionOptionKind::RejectOnce,
            acp::PermissionOptionKind::RejectAlways,
        ]
    };
    let option = preference
        .iter()
        .find_map(|kind| options.iter().find(|o| o.kind == *kind));
    let outcome = match option {
        Some(option) => acp::RequestPermissionOutcome::Selected(
            acp::SelectedPermissionOutcome::new(option.option_id.clone()),
        ),
        None => acp::RequestPermissionOutcome::Cancelled,
    };
    acp::RequestPermissionResponse::new(outcome)
}

/// The protocol's own name of a unit variant (a tool kind `edit`, an option kind
/// `allow_once`, …), as its types serialise it.
fn kind_name(kind: impl serde::Serialize) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "other".into())
}

/// What a tool card and a permission card show: the title, the files, the diffs and the
/// agent's raw input; `paths` is what file locks read.
fn tool_input(
    title: &str,
    kind: &str,
    locations: &[acp::ToolCallLocation],
    content: &[acp::ToolCallContent],
    raw_input: Option<&Value>,
) -> Value {
    let diffs: Vec<Value> = content
        .iter()
        .filter_map(|c| match c {
            acp::ToolCallContent::Diff(diff) => Some(json!({
                "path": diff.path.display().to_string(),
                "old_text": diff.old_text,
                "new_text": diff.new_text,
            })),
            _ => None,
        })
        .collect();
    let mut input = json!({"title": title, "kind": kind, "paths": paths(locations, content)});
    if !diffs.is_empty() {
        input["diffs"] = Value::Array(diffs);
    }
    if let Some(raw) = raw_input {
        input["input"] = raw.clone();
    }
    input
}

/// The files a tool call names, each once: its locations and the files its diffs change.
fn paths(locations: &[acp::ToolCallLocation], content: &[acp::ToolCallContent]) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    let named = locations.iter().map(|l| l.path.display().to_string());
    let diffed = content.iter().filter_map(|c| match c {
        acp::ToolCallContent::Diff(diff) => Some(diff.path.display().to_string()),
        _ => None,
    });
    for path in named.chain(diffed) {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// A tool call's output in words: its text content, and a line per file it changed.
fn content_summary(content: &[acp::ToolCallContent]) -> String {
    content
        .iter()
        .filter_map(|c| match c {
            acp::ToolCallContent::Content(inner) => Some(content_text(&inner.content)),
            acp::ToolCallContent::Diff(diff) => Some(format!("Edited {}", diff.path.display())),
            acp::ToolCallContent::Terminal(_) => Some("(terminal output)".into()),
            _ => None,
        })
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of a content block; other kinds of content are named, not shown.
fn content_text(content: &acp::ContentBlock) -> String {
    match content {
        acp::ContentBlock::Text(text) => text.text.clone(),
        acp::ContentBlock::Image(_) => "[image]".into(),
        acp::ContentBlock::Audio(_) => "[audio]".into(),
        acp::ContentBlock::ResourceLink(link) => format!("[{}]", link.uri),
        acp::ContentBlock::Resource(_) => "[resource]".into(),
        _ => String::new(),
    }
}
