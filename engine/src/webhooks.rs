//! Outbound webhooks (`model::webhook`): when a session asks for a permission, or a task
//! reaches review or fails, each webhook declared for its project gets a POST. Never in a
//! session's way: the engine hands the news to a channel and goes on; a worker of its own
//! looks up what the message names and posts, each delivery on its own task, retried with a
//! doubling back-off.
//!
//! The request is made by `curl`, like git and gh are run by DevLog: a TLS stack compiled into
//! DevLog for this one request would add minutes to every fresh build, and curl (on every
//! machine a developer uses, with the system's certificates and proxy settings) does HTTPS.

use crate::Engine;
use crate::store::{self, Db, StoreError};
use model::attention::{Waiting, WaitingKind};
use model::webhook::{WebhookEvent, WebhookPayload, WebhookSpec, payload};
use model::{ProjectId, SessionId, TaskId};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

/// Tries per delivery: the first, then this many minus one retries.
const ATTEMPTS: u32 = 5;
/// A receiver that does not answer in this long has failed this try.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where webhooks go and how they are sent.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub hooks: Vec<WebhookSpec>,
    /// The address links in a message point at: `http://127.0.0.1:3000`.
    pub public_url: String,
    /// The wait before the first retry; each next one doubles.
    pub first_retry: Duration,
    pub curl_bin: PathBuf,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            hooks: Vec::new(),
            public_url: "http://127.0.0.1:3000".into(),
            first_retry: Duration::from_secs(2),
            curl_bin: PathBuf::from("curl"),
        }
    }
}

/// Something that started waiting for the user, as the engine sees it (the worker looks up
/// the names).
#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub project: ProjectId,
    pub kind: WaitingKind,
    pub task: Option<TaskId>,
    pub session: Option<SessionId>,
    pub tool: Option<String>,
}

/// The engine's end of the worker's channel; nothing when no webhook is declared.
#[derive(Debug, Clone, Default)]
pub(crate) struct Webhooks(Option<mpsc::UnboundedSender<Notice>>);

impl Webhooks {
    pub(crate) fn start(db: Db, config: WebhookConfig) -> Webhooks {
        if config.hooks.is_empty() {
            return Webhooks(None);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(work(db, Arc::new(config), rx));
        Webhooks(Some(tx))
    }
}

impl Engine {
    /// Tells the webhooks; returns at once, whatever they do.
    pub(crate) fn notify(&self, notice: Notice) {
        if let Some(tx) = &self.webhooks.0 {
            // The worker ends only with the engine.
            let _ = tx.send(notice);
        }
    }
}

async fn work(db: Db, config: Arc<WebhookConfig>, mut rx: mpsc::UnboundedReceiver<Notice>) {
    while let Some(notice) = rx.recv().await {
        let event = match describe(&db, &config.public_url, notice).await {
            Ok(Some(event)) => event,
            Ok(None) => continue,
            Err(e) => {
                tracing::error!(error = %e, "reading what a webhook tells");
                continue;
            }
        };
        for hook in config
            .hooks
            .iter()
            .filter(|h| h.is_for(event.project, &event.project_name))
        {
            let request = payload(hook.shape, &event);
            let (config, url) = (config.clone(), hook.url.clone());
            tokio::spawn(async move { deliver(&config, &url, &request).await });
        }
    }
}

/// The notice with the project's name, the task's title and failure, and the page's link
/// (`None` when the project is gone).
async fn describe(
    db: &Db,
    public_url: &str,
    notice: Notice,
) -> Result<Option<WebhookEvent>, StoreError> {
    let base = public_url.trim_end_matches('/').to_string();
    db.read(move |conn| -> Result<_, StoreError> {
        let Some(project) = store::projects::get(conn, notice.project)? else {
            return Ok(None);
        };
        let task = match notice.task {
            Some(id) => store::tasks::get(conn, project.id, id)?,
            None => None,
        };
        // The session asking (or a standalone session's), else the task.
        let session_page = notice
            .session
            .filter(|_| notice.kind == WaitingKind::Permission || notice.task.is_none());
        let url = match (session_page, notice.task) {
            (Some(session), _) => format!("{base}/p/{}/sessions/{session}", project.id),
            (None, Some(task)) => format!("{base}/p/{}/tasks/{task}", project.id),
            (None, None) => format!("{base}/p/{}/board", project.id),
        };
        let title = match (&task, notice.session) {
            (Some(task), _) => task.title.clone(),
            (None, Some(session)) => format!("Session {session}"),
            (None, None) => String::new(),
        };
        let reason = task
            .as_ref()
            .filter(|_| notice.kind == WaitingKind::Failed)
            .and_then(|t| t.fail_reason.clone());
        Ok(Some(WebhookEvent {
            project: project.id,
            project_name: project.name,
            waiting: Waiting {
                kind: notice.kind,
                task: notice.task,
                title,
                session: notice.session,
                tool: notice.tool,
            },
            reason,
            url,
        }))
    })
    .await
}

/// Posts until the receiver answers 2xx, at most [`ATTEMPTS`] times.
async fn deliver(config: &WebhookConfig, url: &str, request: &WebhookPayload) {
    let mut wait = config.first_retry;
    for attempt in 1..=ATTEMPTS {
        match post(&config.curl_bin, url, request).await {
            Ok(status) if (200..300).contains(&status) => return,
            Ok(status) => tracing::warn!(url, attempt, status, "a webhook was refused"),
            Err(e) => tracing::warn!(url, attempt, error = %e, "a webhook was not delivered"),
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
    }
    tracing::error!(url, "a webhook was given up after {ATTEMPTS} tries");
}

/// One POST; the receiver's HTTP status.
async fn post(curl: &std::path::Path, url: &str, request: &WebhookPayload) -> Result<u16, String> {
    let mut command = tokio::process::Command::new(curl);
    // -q first: no ~/.curlrc changes what is sent.
    command.args(["-q", "--silent", "--show-error", "--proto", "=http,https"]);
    command
        .arg("--max-time")
        .arg(REQUEST_TIMEOUT.as_secs().to_string());
    command.args([
        "--output",
        "/dev/null",
        "--write-out",
        "%{http_code}",
        "-X",
        "POST",
    ]);
    command
        .arg("-H")
        .arg(format!("Content-Type: {}", request.content_type));
    for (name, value) in &request.headers {
        command.arg("-H").arg(format!("{name}: {value}"));
    }
    command.args(["--data-binary", "@-", "--url", url]);
    // Only what curl needs to reach the receiver: the server's secrets stay out.
    command.env_clear();
    for var in PASSED_VARS {
        if let Some(value) = std::env::var_os(var) {
            command.env(var, value);
        }
    }
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", curl.display()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(request.body.as_bytes())
            .await
            .map_err(|e| format!("writing the body: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .await
        .map_err(|e| format!("waiting for curl: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|_| "curl said no HTTP status".to_string())
}

/// What curl reads from the environment to reach a receiver: the path, proxies, certificates.
const PASSED_VARS: &[&str] = &[
    "PATH",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
];
