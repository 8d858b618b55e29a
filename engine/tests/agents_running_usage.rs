//! What Claude Code reports of a running turn's model calls (each message's `usage`, read by
//! the adapter's `hear`), against the recorded transcripts: counted once per call, it adds up
//! to the turn's own account in its `result` — the figure a task's budget stops a turn on.

mod common;

use common::{files_in, stdout_lines};
use engine::agents::{LineCli, line_cli};
use model::AgentKind;
use model::usage::{RunningUsage, Tokens};

/// The running figures of each turn of a Claude fixture, and the turn's `result` `usage`.
fn turns(rel: &str) -> Vec<(Tokens, Tokens)> {
    let claude: &dyn LineCli = line_cli(AgentKind::ClaudeCode).expect("Claude is a line CLI");
    let mut turns = Vec::new();
    let mut running = RunningUsage::default();
    for line in stdout_lines(rel) {
        for report in claude.hear(&line).spent {
            running.observe(&report);
        }
        let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if value["type"] == "result" {
            let count = |key: &str| value["usage"][key].as_u64().unwrap_or(0);
            let account = Tokens {
                input: count("input_tokens"),
                output: count("output_tokens"),
                cache_read: count("cache_read_input_tokens"),
                cache_write: count("cache_creation_input_tokens"),
                reasoning: 0,
            };
            let so_far = running.total(&Default::default(), None).tokens;
            turns.push((so_far, account));
            running = RunningUsage::default();
        }
    }
    turns
}

#[test]
fn each_turns_running_figures_add_up_to_its_account() {
    let mut files = files_in("claude");
    files.extend(files_in("claude/control"));
    let mut turns_seen = 0;
    for rel in files {
        for (so_far, account) in turns(&rel) {
            turns_seen += 1;
            // Every call's input is reported as it starts: the running input is the turn's.
            assert_eq!(so_far.input, account.input, "{rel}");
            assert_eq!(so_far.cache_read, account.cache_read, "{rel}");
            assert_eq!(so_far.cache_write, account.cache_write, "{rel}");
            // The output only as far as it was reported: never more than the account's.
            assert!(
                so_far.output <= account.output,
                "{rel}: {so_far:?} {account:?}"
            );
        }
    }
    assert!(turns_seen > 10, "only {turns_seen} turns read");
}

#[test]
fn partial_messages_report_the_output_as_it_grows() {
    // With `--include-partial-messages` (as DevLog runs Claude Code) each call's
    // `message_delta` gives its output: the running figures are the account, exactly.
    let turns = turns("claude/claude_partial_messages.jsonl");
    assert_eq!(turns.len(), 1);
    let (so_far, account) = turns[0];
    assert_eq!(so_far, account);
    assert_eq!((so_far.input, so_far.output), (12_475, 7));
}
