//! A project's worktree set-up: files copied from the main work tree into each new task
//! worktree (the gitignored ones a build needs, such as `.env`), and a command run there before
//! the agent starts (`npm ci`, say). Patterns are globs over paths relative to the repository.

use crate::validation::{Field, ValidationError};
use serde::{Deserialize, Serialize};

/// Patterns a project may list.
pub const PATTERNS_MAX: usize = 50;
pub const PATTERN_MAX: usize = 500;
pub const COMMAND_MAX: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorktreeSetup {
    /// Glob patterns (`*` within a folder, `**` across folders, `?` one character).
    #[serde(default)]
    pub copy: Vec<String>,
    /// Run with `sh -c` in the new worktree; blank is none.
    #[serde(default)]
    pub command: Option<String>,
}

impl WorktreeSetup {
    /// The set-up with blank patterns and a blank command dropped, or what is wrong with it.
    pub fn validate(self) -> Result<WorktreeSetup, ValidationError> {
        let copy: Vec<String> = self
            .copy
            .iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        if copy.len() > PATTERNS_MAX {
            return Err(ValidationError::new(
                Field::CopyFiles,
                format!("lists {} patterns (at most {PATTERNS_MAX})", copy.len()),
            ));
        }
        for pattern in &copy {
            let escapes = pattern.starts_with('/')
                || pattern.split('/').any(|part| part == "..")
                || pattern.contains('\\');
            if escapes || pattern.chars().count() > PATTERN_MAX {
                return Err(ValidationError::new(
                    Field::CopyFiles,
                    format!(
                        "'{pattern}' must be a path inside the repository (no leading /, no .., at most {PATTERN_MAX} characters)"
                    ),
                ));
            }
        }
        let command = crate::validation::non_blank(self.command.as_deref()).map(String::from);
        if let Some(command) = &command
            && command.chars().count() > COMMAND_MAX
        {
            return Err(ValidationError::new(
                Field::SetupCommand,
                format!("is too long (at most {COMMAND_MAX} characters)"),
            ));
        }
        Ok(WorktreeSetup { copy, command })
    }

    pub fn is_empty(&self) -> bool {
        self.copy.is_empty() && self.command.is_none()
    }

    /// Whether `path` (relative, `/`-separated) is one of the files to copy.
    pub fn copies(&self, path: &str) -> bool {
        self.copy.iter().any(|pattern| glob_match(pattern, path))
    }
}

/// Whether `path` matches `pattern`: `*` is any run of characters but `/`, `**` any run of
/// whole folders (`**/x` matches `x` too), `?` one character but `/`.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let mut pattern: Vec<&str> = pattern.split('/').collect();
    // `**/**` is `**`: collapsed, so no pattern makes the match try every split twice over.
    pattern.dedup_by(|a, b| *a == "**" && *b == "**");
    let path: Vec<&str> = path.split('/').collect();
    match_parts(&pattern, &path)
}

fn match_parts(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| match_parts(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((name, path_rest)) => match_name(first, name) && match_parts(rest, path_rest),
            None => false,
        },
    }
}

fn match_name(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_and_across_folders() {
        assert!(glob_match(".env", ".env"));
        assert!(!glob_match(".env", "app/.env"));
        assert!(glob_match("**/.env", "app/.env"));
        assert!(glob_match("**/.env", ".env"));
        assert!(glob_match(".env.*", ".env.local"));
        assert!(!glob_match("*.json", "config/a.json"));
        assert!(glob_match("config/*.json", "config/a.json"));
        assert!(glob_match("config/**", "config/a/b.json"));
        assert!(glob_match("?.txt", "a.txt"));
        assert!(!glob_match("?.txt", "ab.txt"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        let deep = "**/".repeat(200) + "x";
        assert!(!glob_match(&deep, &"d/".repeat(30)));
    }

    #[test]
    fn a_setup_keeps_its_patterns_inside_the_repository() {
        let setup = WorktreeSetup {
            copy: vec![" .env ".into(), "".into(), "**/*.local".into()],
            command: Some("  ".into()),
        }
        .validate()
        .unwrap();
        assert_eq!(setup.copy, [".env", "**/*.local"]);
        assert_eq!(setup.command, None);
        assert!(setup.copies("web/x.local"));
        for bad in ["/etc/passwd", "../secrets", "a/../../b", "a\\b"] {
            let err = WorktreeSetup {
                copy: vec![bad.into()],
                command: None,
            }
            .validate()
            .unwrap_err();
            assert_eq!(err.field, Field::CopyFiles, "{bad}");
        }
        let too_many = WorktreeSetup {
            copy: vec!["a".into(); PATTERNS_MAX + 1],
            command: None,
        };
        assert_eq!(too_many.validate().unwrap_err().field, Field::CopyFiles);
        let long = WorktreeSetup {
            copy: vec![],
            command: Some("x".repeat(COMMAND_MAX + 1)),
        };
        assert_eq!(long.validate().unwrap_err().field, Field::SetupCommand);
    }
}
