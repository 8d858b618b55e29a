//! The Agent Client Protocol, spoken as the client (DESIGN §5): JSON-RPC 2.0 over the agent's
//! stdio, one message a line, with the protocol's own types (`agent-client-protocol-schema`).
//! One process serves a whole session: `initialize`, then `session/new` in the worktree (or
//! `session/load` of the conversation a restart resumes, where the agent can), then one
//! `session/prompt` per turn. What the agent streams meanwhile (`session/update`) becomes the
//! session's events ([`updates`]); its permission requests become permission cards, answered
//! with the options it offered; Stop turn is `session/cancel`.
//!
//! [`AcpConversation`] is that state machine and nothing else: it is given the agent's lines
//! and says what they mean and what to write back, so it is tested against recorded
//! transcripts without a process.

mod messages;
mod updates;

use messages::{describe, failed_turn, line, quota_models, response};

pub use updates::EDIT_KINDS;

use super::{Conversation, Heard};
use agent_client_protocol_schema::v1 as acp;
use model::{PermissionAnswer, StreamEvent};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use updates::Blocks;

/// JSON-RPC's "method not found": the answer to an agent request this client does not serve.
const METHOD_NOT_FOUND: i32 = -32601;

/// What one of our requests asked, so its answer can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Asked {
    Initialize,
    NewSession,
    LoadSession,
    Prompt,
}

/// A permission request of the agent not answered yet.
#[derive(Debug)]
struct Pending {
    id: acp::RequestId,
    options: Vec<acp::PermissionOption>,
}

/// The conversation a new process continues: the agent's id of it (from an `AgentSession`
/// event), and the conversation so far in words, given as context to a new one when the agent
/// cannot load it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resume {
    pub id: String,
    pub history: Option<String>,
}

/// One ACP agent process's conversation, from the client's side.
#[derive(Debug)]
pub struct AcpConversation {
    cwd: PathBuf,
    resume: Option<Resume>,
    /// The conversation so far, put before the next prompt: it could not be resumed.
    context: Option<String>,
    /// The agent's session, once `session/new` or `session/load` answered.
    session: Option<acp::SessionId>,
    /// `session/load` is running: the agent replays the old conversation, already stored.
    loading: bool,
    next_id: i64,
    asked: HashMap<i64, Asked>,
    /// Prompts waiting for the session, or for the running prompt to end.
    prompts: VecDeque<String>,
    prompting: bool,
    /// `session/cancel` was sent for the running prompt.
    cancelling: bool,
    permissions: HashMap<String, Pending>,
    blocks: Blocks,
}

impl AcpConversation {
    /// A conversation that opens with `prompt`, in `cwd`; it resumes `resume` where the
    /// agent can load it, else starts a new one given the conversation so far.
    pub fn new(cwd: PathBuf, prompt: String, resume: Option<Resume>) -> AcpConversation {
        AcpConversation {
            cwd,
            resume,
            context: None,
            session: None,
            loading: false,
            next_id: 0,
            asked: HashMap::new(),
            prompts: VecDeque::from([prompt]),
            prompting: false,
            cancelling: false,
            permissions: HashMap::new(),
            blocks: Blocks::default(),
        }
    }

    /// A request line, remembered so that its answer can be read.
    fn request(&mut self, asked: Asked, method: &str, params: impl Serialize) -> String {
        self.next_id += 1;
        self.asked.insert(self.next_id, asked);
        line(&json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}))
    }

    /// The next prompt, if the session is there and no prompt is running.
    fn next_prompt(&mut self) -> Vec<String> {
        let Some(session) = self.session.clone() else {
            return Vec::new();
        };
        if self.prompting {
            return Vec::new();
        }
        let Some(text) = self.prompts.pop_front() else {
            return Vec::new();
        };
        // The conversation so far is a block of its own before the user's words, so it is
        // never read as what the user says now.
        let blocks = self
            .context
            .take()
            .into_iter()
            .chain([text])
            .map(|text| acp::ContentBlock::Text(acp::TextContent::new(text)))
            .collect();
        self.prompting = true;
        let prompt = acp::PromptRequest::new(session, blocks);
        vec![self.request(Asked::Prompt, "session/prompt", prompt)]
    }

    fn new_session(&mut self) -> String {
        let request = acp::NewSessionRequest::new(self.cwd.clone());
        self.request(Asked::NewSession, "session/new", request)
    }

    fn answered(&mut self, asked: Asked, answer: Result<Value, acp::Error>) -> Heard {
        match (asked, answer) {
            (Asked::Initialize, Ok(result)) => {
                let can_load = serde_json::from_value::<acp::InitializeResponse>(result)
                    .is_ok_and(|r| r.agent_capabilities.load_session);
                match self.resume.clone() {
                    Some(resume) if can_load => {
                        self.loading = true;
                        let load = acp::LoadSessionRequest::new(resume.id, self.cwd.clone());
                        Heard::replies(vec![self.request(Asked::LoadSession, "session/load", load)])
                    }
                    Some(_) => Heard {
                        events: vec![self.cannot_resume("it cannot load a conversation")],
                        replies: vec![self.new_session()],
                        ..Heard::default()
                    },
                    None => Heard::replies(vec![self.new_session()]),
                }
            }
            (Asked::NewSession, Ok(result)) => {
                match serde_json::from_value::<acp::NewSessionResponse>(result) {
                    Ok(session) => self.opened(session.session_id),
                    Err(e) => self.failed_to_open(format!("an unreadable session/new answer: {e}")),
                }
            }
            (Asked::LoadSession, Ok(_)) => {
                self.loading = false;
                let id = self.resume.clone().map(|r| r.id).unwrap_or_default();
                self.opened(acp::SessionId::new(id))
            }
            (Asked::LoadSession, Err(error)) => {
                self.loading = false;
                Heard {
                    events: vec![
                        self.cannot_resume(describe(&error).lines().next().unwrap_or_default()),
                    ],
                    replies: vec![self.new_session()],
                    ..Heard::default()
                }
            }
            (Asked::Initialize | Asked::NewSession, Err(error)) => {
                self.failed_to_open(describe(&error))
            }
            (Asked::Prompt, answer) => self.prompt_ended(answer),
        }
    }

    /// The session is there: say which it is (a restart resumes it) and send the prompt.
    fn opened(&mut self, session: acp::SessionId) -> Heard {
        self.session = Some(session.clone());
        Heard {
            events: vec![StreamEvent::AgentSession {
                agent_session_id: session.0.to_string(),
                model: None,
            }],
            replies: self.next_prompt(),
            ..Heard::default()
        }
    }

    /// No session could be opened: the turn the prompt was for fails with the agent's reason.
    fn failed_to_open(&mut self, message: String) -> Heard {
        self.prompts.clear();
        Heard::events(failed_turn(message))
    }

    fn prompt_ended(&mut self, answer: Result<Value, acp::Error>) -> Heard {
        self.prompting = false;
        let cancelled = std::mem::take(&mut self.cancelling);
        let mut events = self.blocks.close();
        let answer_text = self.blocks.take_answer();
        let (stop, usage) = match answer {
            Ok(result) => {
                let usage = result.get("_meta").and_then(|m| m.get("quota")).cloned();
                let stop = serde_json::from_value::<acp::PromptResponse>(result)
                    .map(|r| r.stop_reason)
                    .unwrap_or(acp::StopReason::EndTurn);
                (stop, usage)
            }
            // Qwen Code answers a cancelled prompt with an error ("Request was aborted."):
            // after a cancel, that is the stop that was asked for.
            Err(_) if cancelled => (acp::StopReason::Cancelled, None),
            Err(error) => {
                events.extend(failed_turn(describe(&error)));
                return Heard {
                    events,
                    replies: self.next_prompt(),
                    ..Heard::default()
                };
            }
        };
        let (is_error, reason) = match stop {
            acp::StopReason::EndTurn => (false, None),
            acp::StopReason::Cancelled => (true, Some("interrupted")),
            acp::StopReason::MaxTokens => (true, Some("max_tokens")),
            acp::StopReason::MaxTurnRequests => (true, Some("max_turn_requests")),
            acp::StopReason::Refusal => (true, Some("refusal")),
            _ => (true, Some("stopped")),
        };
        events.push(StreamEvent::TurnEnded {
            is_error,
            result: (!is_error).then_some(answer_text).filter(|t| !t.is_empty()),
            reason: reason.map(str::to_string),
            cost_usd: None,
            duration_ms: None,
            num_turns: None,
            models: usage.as_ref().map(quota_models).unwrap_or_default(),
            usage,
        });
        Heard {
            events,
            replies: self.next_prompt(),
            ..Heard::default()
        }
    }

    /// A request the agent sent: a permission request becomes a card; anything else is
    /// refused at once (this client declares no file system and no terminal).
    fn agent_request(&mut self, id: acp::RequestId, method: &str, params: Value) -> Heard {
        if method == "session/request_permission"
            && let Ok(request) = serde_json::from_value::<acp::RequestPermissionRequest>(params)
        {
            let request_id = format!("acp-{id}");
            let event = self.blocks.permission_request(&request_id, &request);
            self.permissions.insert(
                request_id,
                Pending {
                    id,
                    options: request.options,
                },
            );
            return Heard {
                events: self.blocks.close().into_iter().chain([event]).collect(),
                ..Heard::default()
            };
        }
        let error = acp::Error::new(METHOD_NOT_FOUND, format!("DevLog does not serve {method}"));
        Heard::replies(vec![response(&id, Err::<Value, _>(error))])
    }

    fn notification(&mut self, method: &str, params: Value) -> Heard {
        if method != "session/update" || self.loading {
            return Heard::default();
        }
        match serde_json::from_value::<acp::SessionNotification>(params) {
            Ok(notification) => Heard::events(self.blocks.update(notification.update)),
            // An update kind newer than these types: kept as it came.
            Err(_) => Heard::default(),
        }
    }
}

impl Conversation for AcpConversation {
    fn opening(&mut self) -> Vec<String> {
        let capabilities = acp::ClientCapabilities::new()
            .fs(acp::FileSystemCapabilities::new())
            .terminal(false);
        let initialize =
            acp::InitializeRequest::new(agent_client_protocol_schema::ProtocolVersion::V1)
                .client_capabilities(capabilities)
                .client_info(acp::Implementation::new(
                    "devlog",
                    env!("CARGO_PKG_VERSION"),
                ));
        vec![self.request(Asked::Initialize, "initialize", initialize)]
    }

    fn hear(&mut self, line: &str) -> Heard {
        let Some(Value::Object(mut message)) = serde_json::from_str::<Value>(line).ok() else {
            return Heard::events(super::raw(line));
        };
        let id = message
            .remove("id")
            .and_then(|id| serde_json::from_value::<acp::RequestId>(id).ok());
        let method = message
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_string);
        let params = message.remove("params").unwrap_or(Value::Null);
        match (id, method) {
            (Some(id), Some(method)) => self.agent_request(id, &method, params),
            (None, Some(method)) => self.notification(&method, params),
            (Some(acp::RequestId::Number(n)), None) => {
                let Some(asked) = self.asked.remove(&n) else {
                    return Heard::events(super::raw(line));
                };
                let answer = match message.remove("error") {
                    Some(error) => Err(serde_json::from_value(error).unwrap_or_else(|_| {
                        acp::Error::new(-32603, "the agent answered an unreadable error")
                    })),
                    None => Ok(message.remove("result").unwrap_or(Value::Null)),
                };
                self.answered(asked, answer)
            }
            _ => Heard::events(super::raw(line)),
        }
    }

    /// A message while a prompt runs waits for its end: a session takes one prompt at a time.
    /// After a session could not be opened (say, the agent was not logged in), the next
    /// message tries again.
    fn user_message(&mut self, text: &str) -> Option<Vec<String>> {
        self.prompts.push_back(text.to_string());
        let opening = self.asked.values().any(|asked| *asked != Asked::Prompt);
        if self.session.is_none() && !opening {
            return Some(vec![self.new_session()]);
        }
        Some(self.next_prompt())
    }

    fn permission_answer(
        &mut self,
        request_id: &str,
        answer: &PermissionAnswer,
    ) -> Option<Vec<String>> {
        let pending = self.permissions.remove(request_id)?;
        let mut lines = vec![response(
            &pending.id,
            Ok(updates::chosen(&pending.options, answer)),
        )];
        if let (
            PermissionAnswer::Deny {
                interrupt: true, ..
            },
            Some(session),
        ) = (answer, self.session.clone())
        {
            lines.extend(self.cancel(session));
        }
        Some(lines)
    }

    /// `session/cancel`; the prompt then answers `cancelled`, which ends the turn.
    fn interrupt(&mut self, _request_id: &str) -> Option<Vec<String>> {
        match self.session.clone() {
            Some(session) if self.prompting => Some(self.cancel(session)),
            _ => None,
        }
    }
}

impl AcpConversation {
    /// `session/cancel`, after answering every open permission request "cancelled" (the
    /// protocol asks the client to).
    fn cancel(&mut self, session: acp::SessionId) -> Vec<String> {
        let mut lines: Vec<String> = self
            .permissions
            .drain()
            .map(|(_, pending)| {
                let cancelled =
                    acp::RequestPermissionResponse::new(acp::RequestPermissionOutcome::Cancelled);
                response(&pending.id, Ok(cancelled))
            })
            .collect();
        self.cancelling = self.prompting;
        let cancel = acp::CancelNotification::new(session);
        lines.push(line(
            &json!({"jsonrpc": "2.0", "method": "session/cancel", "params": cancel}),
        ));
        lines
    }
}

impl AcpConversation {
    /// The earlier conversation cannot be loaded: a new one starts, given the conversation
    /// so far (when there is one) before its first prompt, and the session says so.
    fn cannot_resume(&mut self, why: &str) -> StreamEvent {
        self.context = self.resume.as_ref().and_then(|r| r.history.clone());
        let how = if self.context.is_some() {
            "a new one, given the conversation so far"
        } else {
            "a new one"
        };
        StreamEvent::Log {
            line: format!(
                "The agent could not resume its earlier conversation ({why}): this turn starts {how}."
            ),
        }
    }
}

#[cfg(test)]
mod tests;
