//! What a task's review shows: the files its branch changed against the project's default
//! branch (committed and uncommitted work alike) and each file's patch, paginated.

use crate::ids::SessionId;
use crate::session::Session;
use crate::task::Task;
use serde::{Deserialize, Serialize};

/// Files listed per page of a diff.
pub const FILES_PER_PAGE: usize = 100;
/// Patch lines shown per page of one file.
pub const LINES_PER_PAGE: usize = 400;

/// One changed file, with its line counts (`None` for a binary file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub added: Option<u32>,
    pub removed: Option<u32>,
    /// A new file git does not track yet.
    pub untracked: bool,
}

impl FileChange {
    pub fn is_binary(&self) -> bool {
        self.added.is_none()
    }
}

/// A task's changes against its base, one page of files at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDiff {
    pub base: String,
    pub branch: String,
    pub files: Vec<FileChange>,
    pub total_files: usize,
    pub total_added: u64,
    pub total_removed: u64,
    /// 0-based.
    pub page: usize,
    pub pages: usize,
}

/// A task with everything its review needs: its attempts, newest first, and its changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskReview {
    pub task: Task,
    pub sessions: Vec<Session>,
    /// What the agent last said in the latest attempt (markdown), the first thing a review
    /// reads: what it did, or why it changed nothing.
    pub final_answer: Option<String>,
    /// `None` before the task has a worktree.
    pub diff: Option<TaskDiff>,
    /// Why the changes could not be read (the worktree was removed, say).
    pub diff_error: Option<String>,
}

/// One worktree of a project, as the Worktrees page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorktreeInfo {
    pub path: String,
    pub branch: Option<String>,
    /// The repository's own work tree: listed, never removed.
    pub is_main: bool,
    /// The task whose work it holds: (id, title, status).
    pub task: Option<(crate::ids::TaskId, String, crate::task::TaskStatus)>,
    /// Files differing from the default branch (`None` when git could not tell).
    pub changed_files: Option<usize>,
    pub running_session: Option<SessionId>,
    /// Under DevLog's worktree folder with no task any more: pruning removes it.
    pub orphaned: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffLineKind {
    /// `diff --git`, `index`, `---`/`+++` and the like.
    Meta,
    /// `@@ -a,b +c,d @@`.
    Hunk,
    Context,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: DiffLineKind,
    pub text: String,
}

/// One page of one file's patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePatch {
    pub path: String,
    pub binary: bool,
    pub lines: Vec<DiffLine>,
    pub page: usize,
    pub pages: usize,
}

/// A unified diff as typed lines. Pure, so the kind of every line is tested here.
pub fn parse_patch(patch: &str) -> Vec<DiffLine> {
    let mut in_hunk = false;
    patch
        .lines()
        .map(|line| {
            let kind = if line.starts_with("@@") {
                in_hunk = true;
                DiffLineKind::Hunk
            } else if line.starts_with("diff --git") {
                in_hunk = false;
                DiffLineKind::Meta
            } else if !in_hunk {
                DiffLineKind::Meta
            } else if line.starts_with('+') {
                DiffLineKind::Added
            } else if line.starts_with('-') {
                DiffLineKind::Removed
            } else if line.starts_with('\\') {
                DiffLineKind::Meta
            } else {
                DiffLineKind::Context
            };
            DiffLine {
                kind,
                text: line.to_string(),
            }
        })
        .collect()
}

/// The number of pages `total` items make at `per_page` (at least one).
pub fn page_count(total: usize, per_page: usize) -> usize {
    total.div_ceil(per_page.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::DiffLineKind::*;
    use super::*;

    #[test]
    fn patch_lines_get_their_kind() {
        let patch = "diff --git a/a.txt b/a.txt\nindex 1..2 100644\n--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n same\n-old\n+new\n\\ No newline at end of file\n";
        let kinds: Vec<_> = parse_patch(patch).into_iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [Meta, Meta, Meta, Meta, Hunk, Context, Removed, Added, Meta]
        );
    }

    #[test]
    fn pages_round_up_and_never_are_zero() {
        assert_eq!(page_count(0, 100), 1);
        assert_eq!(page_count(100, 100), 1);
        assert_eq!(page_count(101, 100), 2);
        assert_eq!(page_count(5, 0), 5);
    }

    #[test]
    fn binary_files_have_no_counts() {
        let file = FileChange {
            path: "logo.png".into(),
            added: None,
            removed: None,
            untracked: true,
        };
        assert!(file.is_binary());
    }
}
