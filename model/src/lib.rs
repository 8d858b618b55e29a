//! The shared contract of DevLog: plain serde types and pure rules.
//!
//! Both the server and the browser compile this crate, so a rule that decides what the UI
//! offers (can this task move there? is this title valid?) is the same code that decides what
//! the server accepts.

pub mod agent;
pub mod attention;
pub mod board;
pub mod board_filter;
pub mod board_window;
pub mod budget;
pub mod comment;
pub mod declared;
pub mod highlight;
pub mod ids;
pub mod merge;
pub mod prices;
pub mod project;
pub mod rate_limit;
pub mod review;
pub mod runtime;
pub mod schedule;
pub mod session;
pub mod setup;
pub mod snapshot;
pub mod stream;
pub mod task;
pub mod text;
pub mod time;
pub mod tool_input;
pub mod usage;
pub mod usage_report;
pub mod validation;
pub mod webhook;
pub mod wire;
pub mod work_report;

pub use agent::{AgentKind, ForeignPolicy, PermissionAnswer, PermissionPolicy};
pub use board::{BoardColumn, BoardCounts};
pub use board_window::{ColumnWindow, TaskSlot};
pub use declared::DeclaredAgent;
pub use ids::{ProjectId, SessionId, TaskId};
pub use merge::{MergeOutcome, MergePreview, MergeRequest, MergeStrategy};
pub use project::{Project, ProjectDraft, ProjectInspection, ProjectUpdate};
pub use runtime::{
    CliEnvVar, ConnectionReport, ExecutionMode, Provider, RuntimeProblem, RuntimeRequest,
    RuntimeSelection, Secret, TransientSecrets,
};
pub use session::{Session, SessionStart, SessionStatus, StoredEvent};
pub use stream::{ChoiceKind, PermissionChoice, PermissionOutcome, StreamEvent};
pub use task::{Priority, Task, TaskDraft, TaskStatus, TransitionError};
pub use validation::{Field, ValidationError};
