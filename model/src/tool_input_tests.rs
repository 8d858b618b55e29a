use super::*;
use DiffLine::{Added, Removed, Same};
use serde_json::json;

fn lines(diff: &[DiffLine]) -> Vec<String> {
    diff.iter()
        .map(|l| match l {
            Same(t) => format!("  {t}"),
            Removed(t) => format!("- {t}"),
            Added(t) => format!("+ {t}"),
        })
        .collect()
}

#[test]
fn a_write_shows_its_path_size_and_whole_content_when_short() {
    let input = json!({"file_path": "/w/a.txt", "content": "one\ntwo\n"});
    assert_eq!(
        ToolInput::of("Write", &input),
        ToolInput::Write {
            path: "/w/a.txt".into(),
            start: "one\ntwo\n".into(),
            bytes: 8,
            lines: 2,
            cut: false
        }
    );
    // Gemini CLI's own names.
    let gemini = json!({"absolute_path": "/w/b.txt", "content": "x"});
    assert!(matches!(
        ToolInput::of("write_file", &gemini),
        ToolInput::Write { .. }
    ));
}

#[test]
fn a_long_write_shows_its_start() {
    let content: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let ToolInput::Write {
        start,
        lines,
        cut,
        bytes,
        ..
    } = ToolInput::of("Write", &json!({"file_path": "a", "content": content}))
    else {
        panic!("not a write");
    };
    assert!(cut);
    assert_eq!(lines, 100);
    assert_eq!(bytes, content.len());
    assert_eq!(start.lines().count(), SHOWN_LINES);
    let wide = "x".repeat(SHOWN_CHARS * 2);
    let ToolInput::Write { start, cut, .. } =
        ToolInput::of("Write", &json!({"file_path": "a", "content": wide}))
    else {
        panic!("not a write");
    };
    assert!(cut);
    assert_eq!(start.chars().count(), SHOWN_CHARS);
}

#[test]
fn an_edit_is_a_line_diff_of_old_to_new() {
    let input =
        json!({"file_path": "/w/a.rs", "old_string": "a\nb\nc\nd", "new_string": "a\nB\nc\nd\ne"});
    let ToolInput::Edit { path, diffs } = ToolInput::of("Edit", &input) else {
        panic!("not an edit");
    };
    assert_eq!(path, "/w/a.rs");
    assert_eq!(lines(&diffs[0]), ["  a", "- b", "+ B", "  c", "  d", "+ e"]);
    let multi = json!({"file_path": "f", "edits": [
        {"old_string": "x", "new_string": "y"},
        {"old_string": "p\nq", "new_string": "q"},
    ]});
    let ToolInput::Edit { diffs, .. } = ToolInput::of("MultiEdit", &multi) else {
        panic!("not an edit");
    };
    assert_eq!(diffs.len(), 2);
    assert_eq!(lines(&diffs[1]), ["- p", "  q"]);
}

#[test]
fn a_large_edit_is_all_old_then_all_new() {
    let old: String = (0..500).map(|i| format!("{i}\n")).collect();
    let new: String = (0..500).map(|i| format!("{}\n", i * 2)).collect();
    let diff = line_diff(&old, &new);
    assert_eq!(diff.len(), 999); // "0" is kept, then 499 removed and 499 added
    assert!(matches!(diff[1], Removed(_)) && matches!(diff[998], Added(_)));
}

#[test]
fn a_command_shows_its_line_and_where_it_runs() {
    let bash = json!({"command": "cargo test", "description": "Run the tests"});
    assert_eq!(
        ToolInput::of("Bash", &bash),
        ToolInput::Command {
            command: "cargo test".into(),
            cwd: None,
            description: Some("Run the tests".into())
        }
    );
    let codex = json!({"command": ["bash", "-lc", "ls -la"], "workdir": "/w"});
    let ToolInput::Command { command, cwd, .. } = ToolInput::of("shell", &codex) else {
        panic!("not a command");
    };
    assert_eq!(
        (command.as_str(), cwd.as_deref()),
        ("bash -lc ls -la", Some("/w"))
    );
}

#[test]
fn an_acp_request_shows_its_diffs_and_commands() {
    let new_file = json!({"kind": "edit", "diffs": [{"path": "/w/n.txt", "old_text": null, "new_text": "hi\n"}]});
    assert!(
        matches!(ToolInput::of("edit", &new_file), ToolInput::Write { ref path, .. } if path == "/w/n.txt")
    );
    let changed = json!({"kind": "edit", "diffs": [{"path": "/w/a", "old_text": "1\n2", "new_text": "1\n3"}]});
    let ToolInput::Edit { diffs, .. } = ToolInput::of("edit", &changed) else {
        panic!("not an edit");
    };
    assert_eq!(lines(&diffs[0]), ["  1", "- 2", "+ 3"]);
    let run = json!({"kind": "execute", "title": "ls", "input": {"command": "ls"}});
    assert!(
        matches!(ToolInput::of("execute", &run), ToolInput::Command { ref command, .. } if command == "ls")
    );
}

#[test]
fn what_is_not_understood_is_other() {
    for (tool, input) in [
        ("Write", json!({"file_path": "a"})),
        ("Edit", json!({"file_path": "a", "old_string": 3})),
        ("MultiEdit", json!({"file_path": "a", "edits": []})),
        ("Bash", json!({"cmd": "ls"})),
        ("WebFetch", json!({"url": "https://example.com"})),
        (
            "edit",
            json!({"kind": "edit", "diffs": [{"path": "a", "new_text": "x"}, {"path": "b", "new_text": "y"}]}),
        ),
    ] {
        assert_eq!(
            ToolInput::of(tool, &input),
            ToolInput::Other,
            "{tool} {input}"
        );
    }
    assert_eq!(size(999), "999 bytes");
    assert_eq!(size(1_234), "1.2 KB");
}
