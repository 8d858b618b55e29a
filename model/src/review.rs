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
/// Changed lines shown expanded, across a page of files, when a review opens.
pub const EXPANDED_LINES: u32 = 1_500;
/// A file with more changed lines than this opens collapsed, with its size.
pub const BIG_FILE_LINES: u32 = 400;

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
    /// The first page of the patches of the files shown expanded ([`expanded_files`]).
    #[serde(default)]
    pub patches: Vec<FilePatch>,
}

/// The files of a page (by index) that open expanded: in order, every text file that fits
/// what is left of [`EXPANDED_LINES`]; big files ([`BIG_FILE_LINES`]) and binary ones stay
/// collapsed.
pub fn expanded_files(files: &[FileChange]) -> Vec<usize> {
    let mut left = EXPANDED_LINES;
    files
        .iter()
        .enumerate()
        .filter_map(|(index, file)| {
            let size = file.added?.saturating_add(file.removed.unwrap_or(0));
            (size <= BIG_FILE_LINES && size <= left).then(|| {
                left -= size;
                index
            })
        })
        .collect()
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
    /// The line's number in the base's file (context and removed lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<u32>,
    /// The line's number in the task's file (context and added lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<u32>,
}

impl DiffLine {
    /// The line without its `+`/`-`/` ` marker, for a line of a hunk.
    pub fn code(&self) -> (&str, &str) {
        match self.kind {
            DiffLineKind::Added | DiffLineKind::Removed | DiffLineKind::Context
                if !self.text.is_empty() =>
            {
                self.text.split_at(1)
            }
            _ => ("", self.text.as_str()),
        }
    }
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

/// A unified diff as typed lines, numbered from its hunk headers. Pure, so the kind and the
/// number of every line are tested here.
pub fn parse_patch(patch: &str) -> Vec<DiffLine> {
    let mut in_hunk = false;
    let (mut old, mut new) = (0u32, 0u32);
    patch
        .lines()
        .map(|line| {
            let kind = if line.starts_with("@@") {
                in_hunk = true;
                (old, new) = hunk_starts(line).unwrap_or((0, 0));
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
            let take = |n: &mut u32| {
                let at = *n;
                *n = n.saturating_add(1);
                Some(at)
            };
            let (old_no, new_no) = match kind {
                DiffLineKind::Context => (take(&mut old), take(&mut new)),
                DiffLineKind::Removed => (take(&mut old), None),
                DiffLineKind::Added => (None, take(&mut new)),
                _ => (None, None),
            };
            DiffLine {
                kind,
                text: line.to_string(),
                old: old_no,
                new: new_no,
            }
        })
        .collect()
}

/// The first old and new line numbers of a hunk header: `@@ -a[,b] +c[,d] @@`.
fn hunk_starts(header: &str) -> Option<(u32, u32)> {
    let mut parts = header.split_whitespace().skip(1);
    let start = |part: Option<&str>, sign: char| -> Option<u32> {
        part?.strip_prefix(sign)?.split(',').next()?.parse().ok()
    };
    Some((start(parts.next(), '-')?, start(parts.next(), '+')?))
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
    fn patch_lines_are_numbered_from_their_hunks() {
        let patch = "@@ -3,3 +3,4 @@ fn main\n same\n-old\n+new\n+more\n@@ -20 +21 @@\n-x\n+y\n";
        let numbers: Vec<_> = parse_patch(patch)
            .into_iter()
            .map(|l| (l.old, l.new))
            .collect();
        assert_eq!(
            numbers,
            [
                (None, None),
                (Some(3), Some(3)),
                (Some(4), None),
                (None, Some(4)),
                (None, Some(5)),
                (None, None),
                (Some(20), None),
                (None, Some(21)),
            ]
        );
        let lines = parse_patch(patch);
        assert_eq!(lines[3].code(), ("+", "new"));
        assert_eq!(lines[0].code(), ("", "@@ -3,3 +3,4 @@ fn main"));
    }

    fn text_file(path: &str, added: u32, removed: u32) -> FileChange {
        FileChange {
            path: path.into(),
            added: Some(added),
            removed: Some(removed),
            untracked: false,
        }
    }

    #[test]
    fn files_open_expanded_up_to_the_budget_big_and_binary_ones_collapsed() {
        let binary = FileChange {
            added: None,
            removed: None,
            ..text_file("logo.png", 0, 0)
        };
        let files = [
            text_file("a.rs", 300, 100),
            binary,
            text_file("big.rs", BIG_FILE_LINES + 1, 0),
            text_file("b.rs", 350, 0),
            text_file("c.rs", 400, 0),
            text_file("d.rs", 390, 0),
            text_file("e.rs", 100, 0),
            text_file("f.rs", 20, 0),
        ];
        // 400 + 350 + 400 = 1,150; d (390) no longer fits, e (100) and f (20) still do.
        assert_eq!(expanded_files(&files), [0, 3, 4, 6, 7]);
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
