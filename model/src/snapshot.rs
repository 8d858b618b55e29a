//! Snapshots of task worktrees: the commit DevLog records of a worktree's whole state before it
//! removes the worktree or deletes its task, kept under `refs/devlog/snapshots/<task>/<time>`
//! in the project's repository so that no work is ever lost to a cleanup.

use crate::ids::TaskId;
use serde::{Deserialize, Serialize};

/// Where every snapshot ref lives.
pub const SNAPSHOT_REFS: &str = "refs/devlog/snapshots/";

/// The ref a snapshot of `task`'s worktree taken at `taken_at_ms` (unix ms) is kept under.
pub fn snapshot_ref(task: TaskId, taken_at_ms: i64) -> String {
    format!(
        "{SNAPSHOT_REFS}{task}/{}",
        crate::time::format_stamp(taken_at_ms)
    )
}

/// The task a snapshot ref belongs to; `None` for anything that is not a snapshot ref of
/// DevLog's shape (a name a request made up, say).
pub fn task_of_ref(refname: &str) -> Option<TaskId> {
    let rest = refname.strip_prefix(SNAPSHOT_REFS)?;
    let (task, stamp) = rest.split_once('/')?;
    let stamp_ok = !stamp.is_empty()
        && stamp
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !stamp_ok || !task.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    task.parse().ok()
}

/// One snapshot, as the Worktrees page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub refname: String,
    pub task: TaskId,
    /// `None` once the task was deleted.
    pub task_title: Option<String>,
    /// The branch the worktree was on.
    pub branch: Option<String>,
    pub commit: String,
    pub taken_at_ms: i64,
    /// Why it was taken ("before its worktree was removed").
    pub summary: String,
}

/// Where a restored snapshot now is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredSnapshot {
    pub path: String,
    pub branch: String,
    /// The task whose worktree it became again; `None` when it was restored beside it (the
    /// task is gone, or its branch or worktree moved on since).
    pub task: Option<TaskId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_name_their_task_and_time() {
        let name = snapshot_ref(TaskId(12), 1_795_759_080_600);
        assert_eq!(name, "refs/devlog/snapshots/12/20261127T055800.600Z");
        assert_eq!(task_of_ref(&name), Some(TaskId(12)));
    }

    #[test]
    fn anything_else_is_not_a_snapshot_ref() {
        for name in [
            "refs/heads/main",
            "refs/devlog/snapshots/12",
            "refs/devlog/snapshots/12/",
            "refs/devlog/snapshots/x/20261127T055800.600Z",
            "refs/devlog/snapshots/12/a b",
            "refs/devlog/snapshots/12/../../heads/main",
            "refs/devlog/snapshots//20261127T055800.600Z",
        ] {
            assert_eq!(task_of_ref(name), None, "{name}");
        }
    }
}
