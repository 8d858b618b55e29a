//! What a tool call asks to do, read from its input so a person can judge it at a glance: the
//! file and the content a write puts there, the old → new diff of an edit, the command line of
//! a shell call. The permission cards and the transcript's tool cards show it; a tool this
//! does not know is shown as its JSON.
//!
//! The names and fields are the CLIs' own: Claude Code's `Write` / `Edit` / `MultiEdit` /
//! `Bash`, Gemini CLI's `write_file` / `replace` / `run_shell_command`, Codex's `shell`, and an
//! ACP agent's request as DevLog records it (`kind`, `diffs` of `path`, `old_text`,
//! `new_text`, and the agent's raw `input`).

use serde_json::Value;

/// The most of a written file's content shown: its start.
pub const SHOWN_LINES: usize = 40;
pub const SHOWN_CHARS: usize = 4_000;
/// Past this many lines on a side, an edit is shown as all old then all new lines (a line
/// diff of two large texts costs their product).
const DIFF_LINES: usize = 400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolInput {
    /// A whole file written.
    Write {
        path: String,
        /// Its start: at most [`SHOWN_LINES`] lines and [`SHOWN_CHARS`] characters.
        start: String,
        bytes: usize,
        lines: usize,
        /// Only the start is shown.
        cut: bool,
    },
    /// Parts of a file replaced: one diff per replacement.
    Edit {
        path: String,
        diffs: Vec<Vec<DiffLine>>,
    },
    /// A shell command.
    Command {
        command: String,
        /// Where it runs when the call says (else the session's folder).
        cwd: Option<String>,
        description: Option<String>,
    },
    /// A tool this does not know: its JSON.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

fn text<'a>(input: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter()
        .find_map(|k| input.get(k).and_then(Value::as_str))
}

const PATH_KEYS: &[&str] = &["file_path", "path", "absolute_path"];

impl ToolInput {
    /// What the call of `tool` with `input` does.
    pub fn of(tool: &str, input: &Value) -> ToolInput {
        match tool {
            "Write" | "write_file" | "create_file" => write(input),
            "Edit" | "replace" | "edit_file" => edit(input, std::slice::from_ref(input)),
            "MultiEdit" => match input.get("edits").and_then(Value::as_array) {
                Some(edits) => edit(input, edits),
                None => ToolInput::Other,
            },
            "Bash" | "run_shell_command" | "shell" | "exec_command" => command(input),
            _ => acp(input),
        }
    }
}

fn write(input: &Value) -> ToolInput {
    let (Some(path), Some(content)) = (
        text(input, PATH_KEYS),
        text(input, &["content", "contents"]),
    ) else {
        return ToolInput::Other;
    };
    written(path, content)
}

fn written(path: &str, content: &str) -> ToolInput {
    let lines = content.lines().count();
    let start: String = content
        .split_inclusive('\n')
        .take(SHOWN_LINES)
        .collect::<String>()
        .chars()
        .take(SHOWN_CHARS)
        .collect();
    let cut = start.len() < content.len();
    ToolInput::Write {
        path: path.to_string(),
        start,
        bytes: content.len(),
        lines,
        cut,
    }
}

fn edit(input: &Value, edits: &[Value]) -> ToolInput {
    let Some(path) = text(input, PATH_KEYS) else {
        return ToolInput::Other;
    };
    let diffs: Option<Vec<_>> = edits
        .iter()
        .map(|e| {
            let old = text(e, &["old_string", "old_text"])?;
            let new = text(e, &["new_string", "new_text"])?;
            Some(line_diff(old, new))
        })
        .collect();
    match diffs {
        Some(diffs) if !diffs.is_empty() => ToolInput::Edit {
            path: path.to_string(),
            diffs,
        },
        _ => ToolInput::Other,
    }
}

fn command(input: &Value) -> ToolInput {
    let command = match input.get("command") {
        Some(Value::String(line)) => line.clone(),
        // Codex gives argv: `["bash", "-lc", "ls"]`.
        Some(Value::Array(argv)) => argv
            .iter()
            .map(|a| {
                a.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| a.to_string())
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => return ToolInput::Other,
    };
    ToolInput::Command {
        command,
        cwd: text(input, &["cwd", "workdir", "directory", "dir_path"]).map(str::to_string),
        description: text(input, &["description"]).map(str::to_string),
    }
}

/// An ACP agent's request as DevLog records it: its diffs (one without old text is a new
/// file), or for a command its raw input.
fn acp(input: &Value) -> ToolInput {
    if let Some(diffs) = input.get("diffs").and_then(Value::as_array) {
        if let [only] = diffs.as_slice()
            && only
                .get("old_text")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            && let (Some(path), Some(content)) = (text(only, &["path"]), text(only, &["new_text"]))
        {
            return written(path, content);
        }
        let path = diffs.first().and_then(|d| text(d, &["path"]));
        let same_file = diffs.iter().all(|d| text(d, &["path"]) == path);
        if same_file && let Some(path) = path {
            let with_old: Vec<Value> = diffs
                .iter()
                .map(|d| {
                    let mut d = d.clone();
                    if d.get("old_text").is_none_or(Value::is_null) {
                        d["old_text"] = Value::String(String::new());
                    }
                    d
                })
                .collect();
            return edit(&serde_json::json!({ "path": path }), &with_old);
        }
    }
    match (text(input, &["kind"]), input.get("input")) {
        (Some("execute"), Some(raw)) => command(raw),
        _ => ToolInput::Other,
    }
}

/// `old` → `new` line by line: the lines both keep, and what was removed and added between.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (mid_a, mid_b) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let same = |l: &&str| DiffLine::Same(l.to_string());
    let mut diff: Vec<DiffLine> = a[..prefix].iter().map(same).collect();
    if mid_a.len() > DIFF_LINES || mid_b.len() > DIFF_LINES {
        diff.extend(mid_a.iter().map(|l| DiffLine::Removed(l.to_string())));
        diff.extend(mid_b.iter().map(|l| DiffLine::Added(l.to_string())));
    } else {
        diff.extend(lcs_diff(mid_a, mid_b));
    }
    diff.extend(a[a.len() - suffix..].iter().map(same));
    diff
}

/// The classic longest-common-subsequence diff, removals before additions at each change.
fn lcs_diff(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let (n, m) = (a.len(), b.len());
    // lengths[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lengths = vec![vec![0_u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[i][j] = if a[i] == b[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut diff) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            diff.push(DiffLine::Same(a[i].to_string()));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lengths[i + 1][j] >= lengths[i][j + 1]) {
            diff.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        } else {
            diff.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        }
    }
    diff
}

/// "1.2 KB", "350 bytes".
pub fn size(bytes: usize) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1_000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
#[path = "tool_input_tests.rs"]
mod tests;
