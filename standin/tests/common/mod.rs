//! The bench the stand-in integration tests share: an engine whose `claude` and `codex` are
//! this stand-in, a registered one-commit repository, and waits bounded by [`WAIT`].
#![allow(dead_code)] // each test file uses its own subset

use engine::{Engine, EngineConfig};
use model::{
    AgentKind, Project, RuntimeRequest, RuntimeSelection, Session, SessionStart, SessionStatus,
    StoredEvent, StreamEvent, TaskDraft, TransientSecrets,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The ACP agent every bench declares: the stand-in, forced to speak ACP (a selection of
/// [`AgentKind::Acp`] made by [`local`] names it).
pub const DECLARED_ACP: &str = "standin-acp";

/// The declaration of [`DECLARED_ACP`], as `--agent` would make it.
pub fn declared_acp() -> engine::agents::AcpAgentSpec {
    let standin = env!("CARGO_BIN_EXE_devlog-standin-agent");
    let mut spec = engine::agents::AcpAgentSpec::from_flag(&format!(
        "{DECLARED_ACP}={standin} --standin-protocol=acp --acp"
    ))
    .unwrap();
    spec.key_var = Some("STANDIN_ACP_API_KEY".into());
    spec.base_url_var = Some("STANDIN_ACP_BASE_URL".into());
    spec
}

/// Bounds every wait: a hung test fails instead of blocking CI.
pub const WAIT: Duration = Duration::from_secs(20);

pub struct Bench {
    pub engine: Engine,
    pub project: Project,
    pub repo: tempfile::TempDir,
    _data: tempfile::TempDir,
    _bin: tempfile::TempDir,
}

/// `claude`, `codex` and `gemini` in a temp dir, all the stand-in (it picks its protocol by
/// name).
pub fn agent_bins() -> (tempfile::TempDir, [PathBuf; 3]) {
    let dir = tempfile::tempdir().unwrap();
    let standin = Path::new(env!("CARGO_BIN_EXE_devlog-standin-agent"));
    let bins = ["claude", "codex", "gemini"].map(|name| dir.path().join(name));
    for bin in &bins {
        std::os::unix::fs::symlink(standin, bin).unwrap();
    }
    (dir, bins)
}

pub async fn bench_with(config: impl FnOnce(&mut EngineConfig)) -> Bench {
    let (bin, [claude, codex, gemini]) = agent_bins();
    let mut cfg = EngineConfig {
        claude_bin: claude,
        codex_bin: codex,
        gemini_bin: gemini,
        acp_agents: engine::agents::merge_agents(
            engine::agents::builtin_agents(),
            vec![declared_acp()],
        ),
        kill_grace: Duration::from_millis(300),
        stop_grace: Duration::from_millis(500),
        ..EngineConfig::default()
    };
    config(&mut cfg);
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open_with(data.path(), cfg).await.unwrap();
    let repo = testkit::repo();
    let project = engine
        .register_project(model::ProjectDraft {
            path: repo.path().display().to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    Bench {
        engine,
        project,
        repo,
        _data: data,
        _bin: bin,
    }
}

pub async fn bench() -> Bench {
    bench_with(|_| {}).await
}

/// The session of a start that must not have been queued.
pub fn started(outcome: model::schedule::StartOutcome) -> Session {
    match outcome {
        model::schedule::StartOutcome::Started { session, .. } => session,
        queued => panic!("expected a start, got {queued:?}"),
    }
}

/// A session to start, with the Local CLI runtime of `agent`.
pub fn start(agent: AgentKind, prompt: &str) -> (SessionStart, RuntimeRequest) {
    let start = SessionStart {
        prompt: prompt.into(),
        permission: None,
    };
    (start, local(agent))
}

pub fn local(agent: AgentKind) -> RuntimeRequest {
    RuntimeRequest {
        selection: RuntimeSelection {
            agent,
            acp_agent: (agent == AgentKind::Acp).then(|| DECLARED_ACP.to_string()),
            ..RuntimeSelection::default()
        },
        secrets: TransientSecrets::default(),
    }
}

impl Bench {
    pub async fn begin(
        &self,
        (start, runtime): (SessionStart, RuntimeRequest),
    ) -> Result<Session, engine::EngineError> {
        self.engine
            .start_session(self.project.id, start, runtime)
            .await
    }

    /// A follow-up with no secrets (Local CLI sessions need none).
    pub async fn send(
        &self,
        session: model::SessionId,
        text: String,
    ) -> Result<(), engine::EngineError> {
        let runtime = RuntimeRequest::default();
        self.engine
            .send_message(self.project.id, session, text, runtime)
            .await
    }

    pub async fn events(&self, session: &Session) -> Vec<StoredEvent> {
        self.engine.events().flush().await;
        self.engine
            .session_events(self.project.id, session.id, 0, 100_000)
            .await
            .unwrap()
    }

    /// Waits until the session's row satisfies `done`. For what no event announces, like a
    /// process's exit being recorded after its last turn's events: polled every 10 ms.
    pub async fn session_when(
        &self,
        session: &Session,
        done: impl Fn(&Session) -> bool,
    ) -> Session {
        let waited = tokio::time::timeout(WAIT, async {
            loop {
                let row = self
                    .engine
                    .session(self.project.id, session.id)
                    .await
                    .unwrap();
                if done(&row) {
                    return row;
                }
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        })
        .await;
        waited.unwrap_or_else(|_| panic!("timed out waiting on session {}", session.id))
    }

    /// Waits until the stored events satisfy `done` (re-checked on every new live event).
    pub async fn wait_until(
        &self,
        session: &Session,
        done: impl Fn(&[StoredEvent]) -> bool,
    ) -> Vec<StoredEvent> {
        let mut live = self.engine.events().subscribe(session.id);
        let waited = tokio::time::timeout(WAIT, async {
            loop {
                let events = self.events(session).await;
                if done(&events) {
                    return events;
                }
                let _ = live.recv().await;
            }
        })
        .await;
        match waited {
            Ok(events) => events,
            Err(_) => panic!("timed out; events: {:#?}", self.events(session).await),
        }
    }

    /// A task whose prompt is `prompt` (the stand-in's script).
    pub async fn task_with(&self, title: &str, prompt: &str) -> model::Task {
        let draft = TaskDraft {
            title: title.into(),
            prompt: prompt.into(),
            ..Default::default()
        };
        self.engine
            .create_task(self.project.id, draft)
            .await
            .unwrap()
    }

    pub async fn task(&self, title: &str) -> model::Task {
        let draft = TaskDraft {
            title: title.into(),
            ..Default::default()
        };
        self.engine
            .create_task(self.project.id, draft)
            .await
            .unwrap()
    }

    /// A task the stand-in (as Codex, which asks nothing) took to review with `script`.
    pub async fn reviewed(&self, title: &str, script: &str) -> model::Task {
        let draft = TaskDraft {
            title: title.into(),
            prompt: script.into(),
            ..Default::default()
        };
        let task = self
            .engine
            .create_task(self.project.id, draft)
            .await
            .unwrap();
        let session = started(
            self.engine
                .execute_task(
                    self.project.id,
                    task.id,
                    local(AgentKind::Codex),
                    Default::default(),
                )
                .await
                .unwrap(),
        );
        self.until_ended(&session).await;
        let task = self.engine.task(self.project.id, task.id).await.unwrap();
        assert_eq!(task.status, model::TaskStatus::Review, "{task:?}");
        task
    }

    /// The session's events once it has ended.
    pub async fn until_ended(&self, session: &model::Session) -> Vec<model::StoredEvent> {
        self.wait_until(session, |events| {
            events.iter().any(
                |e| matches!(&e.event, StreamEvent::StatusChanged { status } if status.is_final()),
            )
        })
        .await
    }

    pub fn main_tree(&self) -> PathBuf {
        self.repo.path().to_path_buf()
    }

    /// Creates a task with `prompt` as its instructions and starts it with Claude Code.
    pub async fn run_task(&self, prompt: &str) -> (model::Task, Session) {
        self.run_task_with(prompt, local(AgentKind::ClaudeCode))
            .await
    }

    /// Creates a task with `prompt` as its instructions and starts it with `runtime`.
    pub async fn run_task_with(
        &self,
        prompt: &str,
        runtime: RuntimeRequest,
    ) -> (model::Task, Session) {
        let draft = TaskDraft {
            title: "t".into(),
            prompt: prompt.into(),
            ..Default::default()
        };
        let task = self
            .engine
            .create_task(self.project.id, draft)
            .await
            .unwrap();
        let outcome = self
            .engine
            .execute_task(self.project.id, task.id, runtime, Default::default())
            .await
            .unwrap();
        (task, started(outcome))
    }

    pub async fn pgid(&self, session: &Session) -> i32 {
        let id = session.id.0;
        self.engine
            .db()
            .read(move |c| -> Result<i32, engine::EngineError> {
                Ok(
                    c.query_row("SELECT pgid FROM sessions WHERE id = ?1", [id], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .unwrap()
    }

    pub async fn status_of(&self, task: &model::Task) -> model::TaskStatus {
        self.engine
            .task(self.project.id, task.id)
            .await
            .unwrap()
            .status
    }

    /// Polls the store (bounded by [`WAIT`]) until `task` reaches `status`.
    pub async fn until_status(&self, task: &model::Task, status: model::TaskStatus) -> model::Task {
        let reached = tokio::time::timeout(WAIT, async {
            loop {
                let now = self.engine.task(self.project.id, task.id).await.unwrap();
                if now.status == status {
                    return now;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
        .await;
        match reached {
            Ok(task) => task,
            Err(_) => panic!(
                "task {} never became {status:?}; it is {:?}",
                task.id,
                self.status_of(task).await
            ),
        }
    }

    pub async fn status(&self, session: &Session) -> SessionStatus {
        self.engine
            .session(self.project.id, session.id)
            .await
            .unwrap()
            .status
    }
}

pub fn count(events: &[StoredEvent], pred: impl Fn(&StreamEvent) -> bool) -> usize {
    events.iter().filter(|e| pred(&e.event)).count()
}

pub fn turns_ended(events: &[StoredEvent]) -> usize {
    count(events, |e| matches!(e, StreamEvent::TurnEnded { .. }))
}

/// The first message the agent was given: the attempt's prompt.
pub fn first_prompt(events: &[StoredEvent]) -> String {
    events
        .iter()
        .find_map(|e| match &e.event {
            StreamEvent::UserMessage { text } => Some(text.clone()),
            _ => None,
        })
        .expect("the session was given a prompt")
}

/// The id of the first permission request among `events`.
pub fn permission_request_id(events: &[StoredEvent]) -> String {
    events
        .iter()
        .find_map(|e| match &e.event {
            StreamEvent::PermissionRequest { request_id, .. } => Some(request_id.clone()),
            _ => None,
        })
        .expect("a permission request")
}

pub fn texts(events: &[StoredEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            StreamEvent::AssistantText { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

pub fn agent_ids(events: &[StoredEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            StreamEvent::AgentSession {
                agent_session_id, ..
            } => Some(agent_session_id.clone()),
            _ => None,
        })
        .collect()
}
