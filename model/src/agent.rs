//! Which agent CLI a session runs, what it may do without asking, and how the user answers
//! one of its permission requests. See DESIGN §5.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

crate::wire_enum! {
    /// An agent CLI DevLog can drive.
    pub enum AgentKind {
        ClaudeCode = "claude_code",
        Codex = "codex",
        /// Gemini CLI, spoken to over the Agent Client Protocol (`gemini --acp`).
        Gemini = "gemini",
        /// An agent declared on the server that speaks the Agent Client Protocol (Qwen Code,
        /// OpenCode, Copilot CLI, …): the selection's `acp_agent` names which.
        Acp = "acp",
    }
}

impl AgentKind {
    /// What the user reads in a picker.
    pub fn label(self) -> &'static str {
        match self {
            AgentKind::ClaudeCode => "Claude Code",
            AgentKind::Codex => "Codex CLI",
            AgentKind::Gemini => "Gemini CLI",
            AgentKind::Acp => "ACP agent",
        }
    }

    /// The agent as the user reads it, given the declared ACP agent an `Acp` one runs:
    /// "Codex CLI", "ACP agent qwen".
    pub fn label_with(self, acp_agent: Option<&str>) -> String {
        match (self, crate::validation::non_blank(acp_agent)) {
            (AgentKind::Acp, Some(name)) => format!("{} {name}", self.label()),
            (agent, _) => agent.label().to_string(),
        }
    }

    /// The npm package that installs the CLI; a declared agent says how it is installed.
    pub fn npm_package(self) -> Option<&'static str> {
        match self {
            AgentKind::ClaudeCode => Some("@anthropic-ai/claude-code"),
            AgentKind::Codex => Some("@openai/codex"),
            AgentKind::Gemini => Some("@google/gemini-cli"),
            AgentKind::Acp => None,
        }
    }

    /// The safe policy a new session starts with.
    pub fn default_permission(self) -> PermissionPolicy {
        match self {
            AgentKind::ClaudeCode => PermissionPolicy::Ask,
            AgentKind::Codex => PermissionPolicy::WorkspaceWrite,
            AgentKind::Gemini => PermissionPolicy::GeminiDefault,
            AgentKind::Acp => PermissionPolicy::AcpAsk,
        }
    }

    /// The policy a session of this agent runs with: `requested`, else the safe default. A
    /// policy of another agent is refused, never mapped: it says what the user meant.
    pub fn permission(
        self,
        requested: Option<PermissionPolicy>,
    ) -> Result<PermissionPolicy, ForeignPolicy> {
        match requested {
            None => Ok(self.default_permission()),
            Some(policy) if policy.agent() == self => Ok(policy),
            Some(policy) => Err(ForeignPolicy {
                policy,
                agent: self,
            }),
        }
    }

    /// The policies this agent understands, safest first.
    pub fn permissions(self) -> impl Iterator<Item = PermissionPolicy> {
        PermissionPolicy::ALL
            .into_iter()
            .filter(move |p| p.agent() == self)
    }
}

impl fmt::Display for AgentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

crate::wire_enum! {
    /// What an agent may do without asking, per session. One flat enum (rather than one per
    /// agent) so that it is one column in SQLite; each value belongs to exactly one agent.
    pub enum PermissionPolicy {
        /// Claude: every tool that needs permission is asked in the UI.
        Ask = "ask",
        /// Claude: file edits in the work tree run without asking; the rest is asked.
        AcceptEdits = "accept_edits",
        /// Claude: nothing is asked. Dangerous.
        Bypass = "bypass",
        /// Codex sandbox: the agent can read but not write.
        ReadOnly = "read_only",
        /// Codex sandbox: writes inside the work tree only.
        WorkspaceWrite = "workspace_write",
        /// Codex sandbox: no sandbox at all. Dangerous.
        DangerFullAccess = "danger_full_access",
        /// Gemini `--approval-mode default`: edits and commands are asked in the UI.
        GeminiDefault = "gemini_default",
        /// Gemini `autoEdit`: file edits run without asking; commands are asked.
        GeminiAutoEdit = "gemini_auto_edit",
        /// Gemini `yolo`: nothing is asked. Dangerous.
        GeminiYolo = "gemini_yolo",
        /// Gemini `plan`: the agent plans and reads; it writes nothing.
        GeminiPlan = "gemini_plan",
        /// A declared ACP agent with its own defaults: whatever it asks is asked in the UI.
        AcpAsk = "acp_ask",
    }
}

impl PermissionPolicy {
    /// What the user reads in a picker; the dangerous ones say so.
    pub fn label(self) -> &'static str {
        match self {
            PermissionPolicy::Ask => "Ask before using tools",
            PermissionPolicy::AcceptEdits => "Accept file edits",
            PermissionPolicy::Bypass => "Bypass permissions (dangerous)",
            PermissionPolicy::ReadOnly => "Read only",
            PermissionPolicy::WorkspaceWrite => "Write in the work tree",
            PermissionPolicy::DangerFullAccess => "Full access, no sandbox (dangerous)",
            PermissionPolicy::GeminiDefault => "Ask before edits and commands",
            PermissionPolicy::GeminiAutoEdit => "Accept file edits, ask for commands",
            PermissionPolicy::GeminiYolo => "Allow everything (dangerous)",
            PermissionPolicy::GeminiPlan => "Plan only: read, never write",
            PermissionPolicy::AcpAsk => "The agent's own defaults: what it asks is asked here",
        }
    }

    /// The agent this policy belongs to.
    pub fn agent(self) -> AgentKind {
        match self {
            PermissionPolicy::Ask | PermissionPolicy::AcceptEdits | PermissionPolicy::Bypass => {
                AgentKind::ClaudeCode
            }
            PermissionPolicy::ReadOnly
            | PermissionPolicy::WorkspaceWrite
            | PermissionPolicy::DangerFullAccess => AgentKind::Codex,
            PermissionPolicy::GeminiDefault
            | PermissionPolicy::GeminiAutoEdit
            | PermissionPolicy::GeminiYolo
            | PermissionPolicy::GeminiPlan => AgentKind::Gemini,
            PermissionPolicy::AcpAsk => AgentKind::Acp,
        }
    }

    /// Lets the agent run anything on the machine without a human or a sandbox in the way.
    pub fn is_dangerous(self) -> bool {
        matches!(
            self,
            PermissionPolicy::Bypass
                | PermissionPolicy::DangerFullAccess
                | PermissionPolicy::GeminiYolo
        )
    }

    /// This policy when it belongs to `agent`, else that agent's safe default: a policy meant
    /// for another agent must never widen what this one may do.
    pub fn for_agent(self, agent: AgentKind) -> PermissionPolicy {
        if self.agent() == agent {
            self
        } else {
            agent.default_permission()
        }
    }
}

/// A permission policy asked for an agent it does not belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("The permission policy '{}' is for {}, not {}.", policy.label(), policy.agent().label(), agent.label())]
pub struct ForeignPolicy {
    pub policy: PermissionPolicy,
    pub agent: AgentKind,
}

impl fmt::Display for PermissionPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The user's answer to a permission request (Claude's `can_use_tool`). `option` picks one of
/// the request's own [`options`](crate::stream::StreamEvent::PermissionRequest) of the same
/// kind (allow or reject) by id; without it the agent's "once" answer is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "behavior", rename_all = "snake_case")]
pub enum PermissionAnswer {
    /// Run the tool; with `updated_input`, run that input instead of the proposed one.
    Allow {
        #[serde(default)]
        updated_input: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        option: Option<String>,
    },
    /// Refuse. `message` is shown to the model; with `interrupt` the whole turn stops instead.
    Deny {
        message: String,
        #[serde(default)]
        interrupt: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        option: Option<String>,
    },
}

impl PermissionAnswer {
    /// A plain allow of the proposed input.
    pub fn allow() -> PermissionAnswer {
        PermissionAnswer::Allow {
            updated_input: None,
            option: None,
        }
    }

    /// A plain deny, the turn going on with `message` told to the model.
    pub fn deny(message: impl Into<String>) -> PermissionAnswer {
        PermissionAnswer::Deny {
            message: message.into(),
            interrupt: false,
            option: None,
        }
    }

    pub fn allows(&self) -> bool {
        matches!(self, PermissionAnswer::Allow { .. })
    }

    /// The agent's own option it picks, by id.
    pub fn option(&self) -> Option<&str> {
        match self {
            PermissionAnswer::Allow { option, .. } | PermissionAnswer::Deny { option, .. } => {
                option.as_deref()
            }
        }
    }

    /// Why this answer cannot settle a request offering `options`: it names an option the
    /// request does not have, or one of the other kind (an allow picking a reject).
    pub fn check_option(&self, options: &[crate::stream::PermissionChoice]) -> Result<(), String> {
        let Some(id) = self.option() else {
            return Ok(());
        };
        match options.iter().find(|o| o.id == id) {
            Some(choice) if choice.kind.allows() == self.allows() => Ok(()),
            Some(choice) => Err(format!(
                "'{}' does not {} the tool: answer with {}.",
                choice.name,
                if self.allows() { "allow" } else { "deny" },
                if choice.kind.allows() {
                    "Allow"
                } else {
                    "Deny"
                },
            )),
            None if options.is_empty() => Err(format!(
                "This request takes a plain allow or deny, not the option '{id}'."
            )),
            None => Err(format!(
                "'{id}' is not one of this request's options ({}).",
                options
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in AgentKind::ALL {
            assert_eq!(AgentKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        for policy in PermissionPolicy::ALL {
            assert_eq!(PermissionPolicy::parse(policy.as_str()), Some(policy));
            let json = serde_json::to_string(&policy).unwrap();
            assert_eq!(json, format!("\"{}\"", policy.as_str()));
        }
        assert_eq!(AgentKind::parse("cursor"), None);
        assert_eq!(PermissionPolicy::parse("yolo"), None);
    }

    #[test]
    fn a_session_runs_with_the_policy_asked_or_the_default_never_another_agents() {
        assert_eq!(
            AgentKind::Codex.permission(None),
            Ok(PermissionPolicy::WorkspaceWrite)
        );
        assert_eq!(
            AgentKind::ClaudeCode.permission(Some(PermissionPolicy::AcceptEdits)),
            Ok(PermissionPolicy::AcceptEdits)
        );
        let foreign = AgentKind::Codex
            .permission(Some(PermissionPolicy::Bypass))
            .unwrap_err();
        assert_eq!(
            foreign.to_string(),
            "The permission policy 'Bypass permissions (dangerous)' is for Claude Code, not Codex CLI."
        );
    }

    #[test]
    fn defaults_are_safe_and_belong_to_their_agent() {
        for kind in AgentKind::ALL {
            let default = kind.default_permission();
            assert_eq!(default.agent(), kind);
            assert!(!default.is_dangerous());
            assert!(kind.permissions().any(|p| p == default));
            let count = match kind {
                AgentKind::Gemini => 4,
                AgentKind::Acp => 1,
                _ => 3,
            };
            assert_eq!(kind.permissions().count(), count, "{kind}");
        }
        let dangerous: Vec<_> = PermissionPolicy::ALL
            .into_iter()
            .filter(|p| p.is_dangerous())
            .collect();
        assert_eq!(
            dangerous,
            [
                PermissionPolicy::Bypass,
                PermissionPolicy::DangerFullAccess,
                PermissionPolicy::GeminiYolo
            ]
        );
        for policy in dangerous {
            assert!(policy.label().contains("dangerous"), "{policy:?}");
        }
    }

    #[test]
    fn a_foreign_policy_falls_back_to_the_safe_default() {
        assert_eq!(
            PermissionPolicy::DangerFullAccess.for_agent(AgentKind::ClaudeCode),
            PermissionPolicy::Ask
        );
        assert_eq!(
            PermissionPolicy::Bypass.for_agent(AgentKind::Codex),
            PermissionPolicy::WorkspaceWrite
        );
        assert_eq!(
            PermissionPolicy::AcceptEdits.for_agent(AgentKind::ClaudeCode),
            PermissionPolicy::AcceptEdits
        );
    }

    #[test]
    fn answers_round_trip() {
        let allow = PermissionAnswer::Allow {
            updated_input: Some(serde_json::json!({"file_path": "a.txt"})),
            option: None,
        };
        let deny = PermissionAnswer::Deny {
            message: "no".into(),
            interrupt: true,
            option: Some("cancel".into()),
        };
        for answer in [allow, deny] {
            let json = serde_json::to_string(&answer).unwrap();
            assert_eq!(
                serde_json::from_str::<PermissionAnswer>(&json).unwrap(),
                answer
            );
        }
        let bare: PermissionAnswer = serde_json::from_str(r#"{"behavior":"allow"}"#).unwrap();
        assert_eq!(bare, PermissionAnswer::allow());
    }

    #[test]
    fn an_answer_may_pick_only_an_option_of_its_own_kind() {
        use crate::stream::{ChoiceKind, PermissionChoice};
        let options = [
            (
                "proceed_always",
                "Allow for this session",
                ChoiceKind::AllowAlways,
            ),
            ("proceed_once", "Allow", ChoiceKind::AllowOnce),
            ("cancel", "Reject", ChoiceKind::RejectOnce),
        ]
        .map(|(id, name, kind)| PermissionChoice {
            id: id.into(),
            name: name.into(),
            kind,
        });
        let allow = |option: &str| PermissionAnswer::Allow {
            updated_input: None,
            option: Some(option.into()),
        };
        assert_eq!(allow("proceed_always").check_option(&options), Ok(()));
        assert_eq!(PermissionAnswer::allow().check_option(&options), Ok(()));
        assert_eq!(PermissionAnswer::allow().check_option(&[]), Ok(()));
        assert!(allow("proceed_once").check_option(&[]).is_err());
        let wrong_kind = allow("cancel").check_option(&options).unwrap_err();
        assert!(
            wrong_kind.contains("'Reject' does not allow"),
            "{wrong_kind}"
        );
        let unknown = allow("rm -rf").check_option(&options).unwrap_err();
        assert!(
            unknown.contains("proceed_always, proceed_once, cancel"),
            "{unknown}"
        );
        let deny = PermissionAnswer::Deny {
            message: "no".into(),
            interrupt: false,
            option: Some("proceed_once".into()),
        };
        assert!(deny.check_option(&options).is_err());
    }
}
