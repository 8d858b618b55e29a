//! A stand-in agent CLI for tests: speaks Claude Code's stream-json protocol (with stdio
//! permission control messages), Codex's `exec --json` or the Agent Client Protocol as
//! `gemini --acp` does, chosen by `argv[0]`'s name (`claude`, `codex`, `gemini`) or
//! `--standin-protocol=claude|codex|acp` as first argument.
//!
//! What it does is scripted by the prompt, one directive per line (other lines are ignored):
//!
//! | directive | effect |
//! |---|---|
//! | `REPLY text` | the final answer (default `ok`) |
//! | `STREAM n` | n assistant messages `part i` before the answer |
//! | `TYPING ms` | Claude with `--include-partial-messages`: `ms` between the text deltas of every later text block (a slow model) |
//! | `SPEND n` | Claude: each later model message of the turn reports n input tokens in its `usage` (the running figures a budget stops a turn on); the result counts them |
//! | `THINK` | a reasoning block |
//! | `RUN_CMD cmd` | a shell tool call (not executed) and its result |
//! | `WRITE_FILE name content` | writes `name` in the cwd through the CLI's file tool; Claude in ask mode asks permission first |
//! | `EDIT_FILE name old => new` | replaces the first `old` in `name` with `new`, asking as a write does (Claude's `Edit`, an ACP `edit` with its diff) |
//! | `ASK tool` | a permission request for `tool` (Claude); an allow must carry `updatedInput`, as Claude Code 2.1.197 demands |
//! | `SLOW ms` | waits (Claude: an interrupt ends the wait) |
//! | `HANG` | never ends the turn |
//! | `DEAF` | an interrupt is ignored for this turn: ACP's `session/cancel` (Gemini CLI retrying a 500), Claude's `interrupt` (answered, the turn goes on) |
//! | `FLOOD n` | n assistant messages as fast as possible, each stamped `t=<unix nanos>`; whole messages, without partial deltas, so throughput figures stay comparable |
//! | `MALFORMED` | a line that is not JSON and a JSON line of an unknown type |
//! | `STDERR text` | a line on stderr |
//! | `DUMP_ENV path` | writes `{"argv": [...], "env": {...}}` to path |
//! | `FAIL_AUTH` | the CLI's authentication error, exit code 1 |
//! | `CRASH` | aborts mid-turn (killed by SIGABRT) |
//! | `CRASH_ONCE marker` | aborts unless `marker` exists, creating it |
//! | `RATE_LIMIT_ONCE marker [seconds]` | unless `marker` exists (creating it), the CLI's rate-limit answer, resetting in `seconds` (3600): Claude's rejected `rate_limit_event` and `"Claude AI usage limit reached\|<unix>"` result, Codex's "You've hit your usage limit … try again in N seconds", an ACP agent's JSON-RPC 429 `RESOURCE_EXHAUSTED` (no reset given) |
//! | `EXIT n` | exits with code n mid-turn |
//! | `READ_FILE path` | ACP: asks the client to read `path` (`fs/read_text_file`) and says what it answered |
//!
//! Claude given `--include-partial-messages` streams each text block as the real CLI does:
//! `stream_event` lines (`message_start`, `content_block_start`, a `text_delta` per word,
//! then, after the block's `assistant` line, `content_block_stop`, `message_delta`,
//! `message_stop`).
//!
//! ACP (`gemini --acp [--approval-mode default|autoEdit|yolo|plan]`): `WRITE_FILE` and
//! `RUN_CMD` ask with `session/request_permission` (options proceed_always / proceed_once /
//! cancel) unless the mode allows them; `SLOW` and `HANG` end with `stopReason: cancelled` on
//! `session/cancel`; `FAIL_AUTH` answers the prompt with Gemini's JSON-RPC 401 error and the
//! process stays; `session/load` is refused as Gemini CLI refuses an unknown session.
//!
//! A key in `ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, `CODEX_API_KEY` or `GEMINI_API_KEY` containing `invalid` is
//! refused like a model API refuses a bad key (`FAIL_AUTH`, whatever the prompt; the error
//! echoes the key, as careless servers do; Claude first reports two `api_retry`s with HTTP 401,
//! as Claude Code 2.1.197 retries a refused key), and the model
//! `hang` (`-m hang`, `--model hang`) never answers, like an unreachable model API.

mod acp;
mod argv;
mod claude;
mod codex;
mod script;

use argv::Protocol;
use clap::Parser;

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    let protocol = match Protocol::choose(&mut args) {
        Ok(protocol) => protocol,
        Err(why) => {
            eprintln!("devlog-standin-agent: {why}");
            std::process::exit(2);
        }
    };
    // A command line the real CLI would refuse is refused the same way (clap exits 2).
    let code = match protocol {
        Protocol::Claude => claude::run(argv::Claude::parse_from(args)),
        Protocol::Acp => acp::run(argv::Gemini::parse_from(args)),
        Protocol::Codex => {
            let argv::Codex {
                command: argv::CodexCommand::Exec(exec),
            } = argv::Codex::parse_from(args);
            codex::run(exec)
        }
    };
    std::process::exit(code);
}
