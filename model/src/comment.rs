//! Comments on lines of a task's diff: written during review, kept with the task until they
//! are sent, and sent to the agent as the feedback of a new attempt, each with its file and
//! lines.

use crate::validation::{self, Field, ValidationError};
use serde::{Deserialize, Serialize};

crate::wire_enum! {
    /// Which side of the diff a comment's line numbers count on.
    pub enum LineSide {
        /// The base's file (a removed line).
        Old = "old",
        /// The task's file (an added or unchanged line).
        New = "new",
    }
}

/// The longest comment, in characters.
pub const COMMENT_MAX: usize = 4_000;
/// The most lines one comment may span.
pub const COMMENT_LINES_MAX: u32 = 1_000;

/// A comment as the user writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentDraft {
    pub path: String,
    pub side: LineSide,
    /// First and last line (1-based, inclusive).
    pub start: u32,
    pub end: u32,
    pub body: String,
}

impl CommentDraft {
    /// The draft with its body trimmed, or what is wrong with it.
    pub fn validate(self) -> Result<CommentDraft, ValidationError> {
        let body = validation::required(Field::Comment, &self.body, COMMENT_MAX)?;
        if self.path.trim().is_empty() || self.path.len() > validation::PATH_MAX {
            return Err(ValidationError::new(
                Field::Path,
                "must name a changed file",
            ));
        }
        if self.start == 0 || self.end < self.start {
            return Err(ValidationError::new(
                Field::Line,
                "must be a line range of the diff (first ≤ last, from 1)",
            ));
        }
        if self.end - self.start >= COMMENT_LINES_MAX {
            return Err(ValidationError::new(
                Field::Line,
                format!("spans too many lines (at most {COMMENT_LINES_MAX})"),
            ));
        }
        Ok(CommentDraft { body, ..self })
    }
}

/// A kept comment, not yet sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewComment {
    pub id: i64,
    pub path: String,
    pub side: LineSide,
    pub start: u32,
    pub end: u32,
    pub body: String,
    /// The lines it is about, as they were when it was written (the task's side only).
    pub excerpt: Option<String>,
    pub created_at: i64,
}

impl ReviewComment {
    /// "src/lib.rs:12", "src/lib.rs:12–14", "(removed) …" for the base's side.
    pub fn location(&self) -> String {
        let lines = if self.start == self.end {
            self.start.to_string()
        } else {
            format!("{}–{}", self.start, self.end)
        };
        match self.side {
            LineSide::New => format!("{}:{lines}", self.path),
            LineSide::Old => format!(
                "{}:{lines} (removed lines, numbered in the base)",
                self.path
            ),
        }
    }
}

/// The feedback a "Send N comments" attempt is given: the user's note, then each comment with
/// its file, lines and the code it is about.
pub fn feedback_of(note: &str, comments: &[ReviewComment]) -> String {
    let mut out = String::new();
    if !note.trim().is_empty() {
        out.push_str(note.trim());
        out.push_str("\n\n");
    }
    out.push_str("Review comments on your diff:\n");
    for comment in comments {
        out.push_str(&format!(
            "\n- {}: {}\n",
            comment.location(),
            comment.body.trim()
        ));
        if let Some(excerpt) = comment.excerpt.as_deref().filter(|e| !e.is_empty()) {
            for line in excerpt.lines() {
                out.push_str("    > ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(start: u32, end: u32, body: &str) -> CommentDraft {
        CommentDraft {
            path: "src/lib.rs".into(),
            side: LineSide::New,
            start,
            end,
            body: body.into(),
        }
    }

    #[test]
    fn a_draft_needs_a_body_and_a_line_range() {
        assert_eq!(draft(3, 4, "  rename  ").validate().unwrap().body, "rename");
        assert_eq!(
            draft(3, 3, " ").validate().unwrap_err().field,
            Field::Comment
        );
        for (start, end) in [(0, 1), (5, 4), (1, COMMENT_LINES_MAX + 1)] {
            assert_eq!(
                draft(start, end, "x").validate().unwrap_err().field,
                Field::Line,
                "{start}–{end}"
            );
        }
        let no_path = CommentDraft {
            path: " ".into(),
            ..draft(1, 1, "x")
        };
        assert_eq!(no_path.validate().unwrap_err().field, Field::Path);
    }

    #[test]
    fn feedback_names_each_comments_file_and_lines() {
        let comment = |side, start, end, body: &str, excerpt: Option<&str>| ReviewComment {
            id: 1,
            path: "src/lib.rs".into(),
            side,
            start,
            end,
            body: body.into(),
            excerpt: excerpt.map(String::from),
            created_at: 0,
        };
        let text = feedback_of(
            "Please also run the tests.",
            &[
                comment(
                    LineSide::New,
                    12,
                    12,
                    "Name this `total`.",
                    Some("let t = a + b;"),
                ),
                comment(LineSide::Old, 3, 5, "Keep this check.", None),
            ],
        );
        assert_eq!(
            text,
            "Please also run the tests.\n\nReview comments on your diff:\n\n- src/lib.rs:12: Name this `total`.\n    > let t = a + b;\n\n- src/lib.rs:3–5 (removed lines, numbered in the base): Keep this check.\n"
        );
        assert!(feedback_of(" ", &[]).starts_with("Review comments"));
    }
}
