//! What a session page shows, as a state each stored event *updates* (DESIGN §6): chat
//! messages, tool calls paired with their results, permission requests with their outcome,
//! turn summaries, the follow-up queue and the status. Applying one event costs O(1)
//! amortised, whatever the length of the session: it appends a row, grows the assistant's
//! current text block, or settles one tool card or permission found by id. No Leptos in
//! here, so the same code folds the first render on the server and follows the stream in the
//! browser, and tests can compare both with a fold of the whole history.

use model::stream::PlanEntry;
use model::{PermissionChoice, PermissionOutcome, SessionStatus, StoredEvent, StreamEvent};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

#[derive(Debug, Clone, PartialEq)]
pub enum PermissionState {
    Pending,
    Resolved(PermissionOutcome),
    /// The CLI stopped waiting (withdrawn, turn over, or session ended).
    Expired,
}

/// Whether an assistant text block is still being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextState {
    /// Deltas are still arriving: shown as plain text, markdown once it is finished.
    Growing,
    Finished,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    User(String),
    Assistant {
        text: String,
        state: TextState,
    },
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
        /// The agent's own answers, as it named them; empty: Approve and Deny.
        options: Vec<PermissionChoice>,
        state: PermissionState,
    },
    TurnEnd {
        is_error: bool,
        /// Stopped on purpose (the user's Stop turn), not failed.
        stopped: bool,
        result: Option<String>,
        cost_usd: Option<f64>,
        duration_ms: Option<u64>,
        /// Every token its models read and wrote, as the CLI reported them.
        tokens: u64,
    },
    Error(String),
    Notice(String),
    Log(String),
    Raw(String),
    Files(Vec<String>),
    /// The agent's plan: one row a turn, replaced by each newer plan.
    Plan(Vec<PlanEntry>),
}

/// One row of the page: keyed by the seq of the event that opened it, with a revision that
/// grows each time a later event changes it (so a view can tell a changed row in O(1)).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub seq: i64,
    pub revision: u32,
    pub item: Item,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transcript {
    rows: Vec<Row>,
    /// Row of each tool call by its id, for its result.
    tools: HashMap<String, usize>,
    /// Row of each permission request by its id, for its answer.
    permissions: HashMap<String, usize>,
    /// Rows of the permission requests still pending: a turn's end expires them without
    /// scanning every row.
    pending: Vec<usize>,
    /// The assistant text block that deltas grow, while one is open.
    growing: Option<usize>,
    /// The current turn's plan row: a newer plan replaces it.
    plan: Option<usize>,
    /// Follow-ups waiting for the current turn, oldest first.
    queued: VecDeque<String>,
    status: Option<SessionStatus>,
    seen_agent_session: bool,
    last_seq: i64,
}

pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

impl Transcript {
    /// The whole of `events` applied in order (the first render). With `session_final`
    /// (the session row says it ended) nothing is pending any more.
    pub fn fold(events: &[StoredEvent], session_final: bool) -> Transcript {
        let mut transcript = Transcript::default();
        for event in events {
            transcript.apply(event);
        }
        if session_final {
            transcript.finish();
        }
        transcript
    }

    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn queued(&self) -> &VecDeque<String> {
        &self.queued
    }

    /// The latest status the events named, if any did.
    pub fn status(&self) -> Option<SessionStatus> {
        self.status
    }

    /// The seq of the latest event applied (0 before any): the stream resumes after it.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// Applies one event, unless it is not newer than the last one applied (a reconnect that
    /// overlaps what is shown). Returns whether it was applied.
    pub fn apply(&mut self, stored: &StoredEvent) -> bool {
        if stored.seq <= self.last_seq {
            return false;
        }
        self.last_seq = stored.seq;
        let seq = stored.seq;
        match &stored.event {
            StreamEvent::UserMessage { text } => {
                self.close_text();
                if self.queued.front() == Some(text) {
                    self.queued.pop_front();
                }
                self.push(seq, Item::User(text.clone()));
            }
            StreamEvent::MessageQueued { text } => self.queued.push_back(text.clone()),
            StreamEvent::AssistantDelta { text } => match self.growing {
                Some(index) => self.update(index, |item| {
                    if let Item::Assistant { text: shown, .. } = item {
                        shown.push_str(text);
                    }
                }),
                None => {
                    self.growing = Some(self.rows.len());
                    let state = TextState::Growing;
                    self.push(
                        seq,
                        Item::Assistant {
                            text: text.clone(),
                            state,
                        },
                    );
                }
            },
            // The complete message supersedes the deltas that grew its block.
            StreamEvent::AssistantText { text } => {
                let complete = Item::Assistant {
                    text: text.clone(),
                    state: TextState::Finished,
                };
                match self.growing.take() {
                    Some(index) => self.update(index, |item| *item = complete),
                    None => self.push(seq, complete),
                }
            }
            StreamEvent::Reasoning { text } => {
                self.close_text();
                self.push(seq, Item::Thinking(text.clone()));
            }
            StreamEvent::ToolCall { id, name, input } => {
                self.close_text();
                self.tools.insert(id.clone(), self.rows.len());
                let input = pretty(input);
                let name = name.clone();
                self.push(
                    seq,
                    Item::Tool {
                        name,
                        input,
                        result: None,
                    },
                );
            }
            StreamEvent::ToolResult {
                id,
                output,
                is_error,
            } => self.tool_result(seq, id, output, *is_error),
            StreamEvent::FileChange { paths } => self.push(seq, Item::Files(paths.clone())),
            StreamEvent::Plan { entries } => match self.plan {
                Some(index) => self.update(index, |item| *item = Item::Plan(entries.clone())),
                None => {
                    self.close_text();
                    self.plan = Some(self.rows.len());
                    self.push(seq, Item::Plan(entries.clone()));
                }
            },
            StreamEvent::PermissionRequest {
                request_id,
                tool,
                input,
                description,
                options,
                ..
            } => {
                let index = self.rows.len();
                self.permissions.insert(request_id.clone(), index);
                self.pending.push(index);
                let item = Item::Permission {
                    request_id: request_id.clone(),
                    tool: tool.clone(),
                    input: pretty(input),
                    description: description.clone(),
                    options: options.clone(),
                    state: PermissionState::Pending,
                };
                self.push(seq, item);
            }
            StreamEvent::PermissionResolved {
                request_id,
                outcome,
            } => self.settle(request_id, PermissionState::Resolved(*outcome)),
            StreamEvent::PermissionWithdrawn { request_id } => {
                self.settle(request_id, PermissionState::Expired)
            }
            StreamEvent::TurnEnded {
                is_error,
                result,
                reason,
                cost_usd,
                duration_ms,
                models,
                ..
            } => {
                self.close_text();
                self.expire_pending();
                self.plan = None;
                let stopped = reason.as_deref().is_some_and(model::stream::is_stop_reason);
                let item = Item::TurnEnd {
                    is_error: *is_error,
                    stopped,
                    result: result.clone(),
                    cost_usd: model::usage::reported_cost(models).or(*cost_usd),
                    duration_ms: *duration_ms,
                    tokens: models.iter().map(|m| m.tokens.total()).sum(),
                };
                self.push(seq, item);
            }
            StreamEvent::Error { message, retrying } => {
                let message = message.clone();
                let item = if *retrying {
                    Item::Notice(message)
                } else {
                    Item::Error(message)
                };
                self.push(seq, item);
            }
            StreamEvent::AgentSession {
                agent_session_id,
                model,
            } => {
                if !self.seen_agent_session {
                    self.seen_agent_session = true;
                    let model = model
                        .as_deref()
                        .map(|m| format!(" · model {m}"))
                        .unwrap_or_default();
                    let notice = format!("Agent session {agent_session_id}{model}");
                    self.push(seq, Item::Notice(notice));
                }
            }
            StreamEvent::Log { line } => self.push(seq, Item::Log(line.clone())),
            StreamEvent::Raw { line } => self.push(seq, Item::Raw(line.clone())),
            StreamEvent::StatusChanged { status } => self.status = Some(*status),
            StreamEvent::QueueDrained => {}
        }
        // Nothing follows a final status in a stream; should anything, it waits for nobody.
        if self.status.is_some_and(SessionStatus::is_final) {
            self.finish();
        }
        true
    }

    /// The session ended: nothing waits for an answer, and no text grows any more.
    pub fn finish(&mut self) {
        self.close_text();
        self.expire_pending();
    }

    fn push(&mut self, seq: i64, item: Item) {
        self.rows.push(Row {
            seq,
            revision: 0,
            item,
        });
    }

    fn update(&mut self, index: usize, change: impl FnOnce(&mut Item)) {
        if let Some(row) = self.rows.get_mut(index) {
            change(&mut row.item);
            row.revision += 1;
        }
    }

    /// The growing text block (if any) is as complete as it will get.
    fn close_text(&mut self) {
        if let Some(index) = self.growing.take() {
            self.update(index, |item| {
                if let Item::Assistant { state, .. } = item {
                    *state = TextState::Finished;
                }
            });
        }
    }

    fn tool_result(&mut self, seq: i64, id: &str, output: &str, is_error: bool) {
        let outcome = Some((output.to_string(), is_error));
        let call = self.tools.get(id).copied().filter(|&index| {
            matches!(
                self.rows.get(index),
                Some(Row {
                    item: Item::Tool { .. },
                    ..
                })
            )
        });
        match call {
            Some(index) => self.update(index, |item| {
                if let Item::Tool { result, .. } = item {
                    *result = outcome;
                }
            }),
            None => self.push(
                seq,
                Item::Tool {
                    name: "tool".into(),
                    input: String::new(),
                    result: outcome,
                },
            ),
        }
    }

    fn settle(&mut self, request_id: &str, to: PermissionState) {
        let Some(&index) = self.permissions.get(request_id) else {
            return;
        };
        let pending = matches!(
            self.rows.get(index),
            Some(Row {
                item: Item::Permission {
                    state: PermissionState::Pending,
                    ..
                },
                ..
            })
        );
        if pending {
            self.pending.retain(|&p| p != index);
            self.update(index, |item| {
                if let Item::Permission { state, .. } = item {
                    *state = to;
                }
            });
        }
    }

    fn expire_pending(&mut self) {
        for index in std::mem::take(&mut self.pending) {
            self.update(index, |item| {
                if let Item::Permission { state, .. } = item {
                    *state = PermissionState::Expired;
                }
            });
        }
    }
}

#[cfg(test)]
#[path = "transcript_tests.rs"]
mod tests;
