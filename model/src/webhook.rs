//! Outbound webhooks (issue "Usage, budgets and attention", item 5): what the server posts
//! when something starts waiting for the user (`attention::Waiting`), in DevLog's own JSON, or
//! in the shape ntfy or a Slack incoming webhook expects. Declared where the server starts
//! (`--webhook PROJECT=URL`), never from the browser. Pure, so every shape is tested.

use crate::attention::{Waiting, WaitingKind};
use serde_json::json;

/// The body a receiver understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookShape {
    /// `{"event", "project", "task", "session", "tool", "reason", "message", "url"}`.
    Json,
    /// ntfy's publish: the message as text, `Title`, `Click` and `Tags` headers.
    Ntfy,
    /// A Slack (or Mattermost, Discord `/slack`) incoming webhook: `{"text"}` with a link.
    Slack,
}

/// Which projects a webhook is for, and where it posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSpec {
    /// A project's name or id, or `*` for every project.
    pub project: String,
    pub url: String,
    pub shape: WebhookShape,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookSpecError {
    #[error("a webhook is PROJECT=URL (a project's name or id, or *), got {0:?}")]
    Shape(String),
    #[error("a webhook's URL must start with http:// or https://, got {0:?}")]
    Url(String),
}

impl WebhookSpec {
    /// `PROJECT=URL`, the URL optionally prefixed with its shape: `repo=ntfy:https://ntfy.sh/t`,
    /// `*=slack:https://hooks.slack.com/services/…`, `7=https://example.test/hook` (JSON).
    pub fn from_flag(text: &str) -> Result<WebhookSpec, WebhookSpecError> {
        let (project, target) = text
            .split_once('=')
            .map(|(p, t)| (p.trim(), t.trim()))
            .filter(|(p, t)| !p.is_empty() && !t.is_empty())
            .ok_or_else(|| WebhookSpecError::Shape(text.to_string()))?;
        let (shape, url) = match target.split_once(':') {
            Some(("ntfy", url)) => (WebhookShape::Ntfy, url),
            Some(("slack", url)) => (WebhookShape::Slack, url),
            Some(("json", url)) => (WebhookShape::Json, url),
            _ => (WebhookShape::Json, target),
        };
        let scheme_ok = ["http://", "https://"].iter().any(|s| url.starts_with(s));
        if !scheme_ok || url.len() <= "https://".len() || url.chars().any(char::is_whitespace) {
            return Err(WebhookSpecError::Url(url.to_string()));
        }
        Ok(WebhookSpec {
            project: project.to_string(),
            url: url.to_string(),
            shape,
        })
    }

    /// Whether it is for the project with this id and name.
    pub fn is_for(&self, id: crate::ProjectId, name: &str) -> bool {
        self.project == "*" || self.project == name || self.project == id.0.to_string()
    }
}

/// What happened, in the project it happened in, with the page that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub project: crate::ProjectId,
    pub project_name: String,
    pub waiting: Waiting,
    /// Why a failed task failed.
    pub reason: Option<String>,
    /// The page to open: the session asking, else the task.
    pub url: String,
}

impl WebhookEvent {
    /// The event's name in the JSON shape.
    pub fn name(&self) -> &'static str {
        match self.waiting.kind {
            WaitingKind::Permission => "permission_requested",
            WaitingKind::Review => "task_review",
            WaitingKind::Failed => "task_failed",
        }
    }

    /// "repo: Task #4 Fix login failed: Invalid API key".
    pub fn text(&self) -> String {
        let mut text = format!("{}: {}", self.project_name, self.waiting.message());
        if let Some(reason) = &self.reason {
            text.push_str(": ");
            text.push_str(reason);
        }
        text
    }
}

/// One request's body, content type and extra headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookPayload {
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// The request `event` makes in `shape`.
pub fn payload(shape: WebhookShape, event: &WebhookEvent) -> WebhookPayload {
    match shape {
        WebhookShape::Json => WebhookPayload {
            content_type: "application/json",
            headers: Vec::new(),
            body: json!({
                "event": event.name(),
                "project": {"id": event.project, "name": event.project_name},
                "task": event.waiting.task.map(|id| json!({"id": id, "title": event.waiting.title})),
                "session": event.waiting.session,
                "tool": event.waiting.tool,
                "reason": event.reason,
                "message": event.text(),
                "url": event.url,
            })
            .to_string(),
        },
        WebhookShape::Ntfy => WebhookPayload {
            content_type: "text/plain; charset=utf-8",
            headers: vec![
                // Headers carry no line breaks, and ntfy reads them as UTF-8 only when asked
                // to: a plain title stays readable everywhere.
                ("Title", header_text(&format!("DevLog · {}", event.project_name))),
                ("Click", event.url.clone()),
                ("Tags", ntfy_tag(event.waiting.kind).to_string()),
            ],
            body: event.text(),
        },
        WebhookShape::Slack => WebhookPayload {
            content_type: "application/json",
            headers: Vec::new(),
            body: json!({
                "text": format!("{} <{}|Open in DevLog>", slack_escape(&event.text()), event.url)
            })
            .to_string(),
        },
    }
}

fn ntfy_tag(kind: WaitingKind) -> &'static str {
    match kind {
        WaitingKind::Permission => "raised_hand",
        WaitingKind::Review => "eyes",
        WaitingKind::Failed => "x",
    }
}

/// ASCII without control characters: what any HTTP header takes.
fn header_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '·' => '-',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .collect()
}

/// Slack's three escapes: text with `<`, `>` or `&` stays text, not a link or a mention.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
