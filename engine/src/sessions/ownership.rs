//! Proof that a process is one DevLog started, so that a reused pid is never signalled
//! (DESIGN §5). Every agent process gets a random mark in its environment, which its children
//! inherit; the mark is stored with the session. A process is ours only if it carries the
//! mark; at start-up the orphans of a crashed server are found by their marks (whatever their
//! process group), never by a pid or a pgid alone.
//!
//! Linux only: read from `/proc`.

use model::SessionId;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};

/// The environment variable holding the mark.
pub const MARK_VAR: &str = "DEVLOG_AGENT_MARK";

/// A fresh mark for a process of `session`: unguessable, never repeated.
pub fn new_mark(session: SessionId) -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_i64(session.0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    let salt = RandomState::new().build_hasher().finish();
    format!("{}-{:016x}{salt:016x}", session.0, hasher.finish())
}

/// A running process as `/proc/<pid>/stat` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    pub pgrp: i32,
    /// Clock ticks after boot: with the pid, names one process for the life of the machine.
    pub start_ticks: u64,
    /// Exited and waiting to be reaped.
    pub zombie: bool,
}

/// The stat of `pid`, if it exists.
pub fn stat(pid: i32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// Fields after the command name (which may hold spaces and parentheses): state is the 3rd
/// field, pgrp the 5th, starttime the 22nd (proc(5)).
fn parse_stat(text: &str) -> Option<ProcStat> {
    let (_, rest) = text.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(ProcStat {
        zombie: matches!(fields.first(), Some(&("Z" | "X"))),
        pgrp: fields.get(2)?.parse().ok()?,
        start_ticks: fields.get(19)?.parse().ok()?,
    })
}

/// The mark in an environment block (NUL-separated `NAME=value`), if any.
fn mark_in(environ: &[u8]) -> Option<String> {
    let prefix = format!("{MARK_VAR}=");
    environ
        .split(|b| *b == 0)
        .find_map(|entry| entry.strip_prefix(prefix.as_bytes()))
        .map(|value| String::from_utf8_lossy(value).into_owned())
}

/// The mark `pid` was started with, if it can be read (another user's process cannot).
pub fn mark_of(pid: i32) -> Option<String> {
    mark_in(&std::fs::read(format!("/proc/{pid}/environ")).ok()?)
}

/// One process carrying a mark: its pid and start time (together they name it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marked {
    pub pid: i32,
    pub start_ticks: u64,
}

/// Every live (not zombie) process carrying one of `marks`, by mark.
pub fn find_marked(marks: &HashSet<String>) -> HashMap<String, Vec<Marked>> {
    let mut found: HashMap<String, Vec<Marked>> = HashMap::new();
    if marks.is_empty() {
        return found;
    }
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Some(stat) = stat(pid).filter(|s| !s.zombie) else {
            continue;
        };
        if let Some(mark) = mark_of(pid).filter(|m| marks.contains(m)) {
            found.entry(mark).or_default().push(Marked {
                pid,
                start_ticks: stat.start_ticks,
            });
        }
    }
    found
}

/// Sends `signal` to each of `processes` that is still the same process (same start time)
/// and still carries `mark`; returns how many were signalled.
pub fn signal_marked(mark: &str, processes: &[Marked], signal: i32) -> usize {
    processes
        .iter()
        .filter(|p| {
            stat(p.pid).is_some_and(|s| !s.zombie && s.start_ticks == p.start_ticks)
                && mark_of(p.pid).as_deref() == Some(mark)
        })
        .map(|p| {
            // SAFETY: kill(2) on a pid just proven to be ours; it has no memory effects.
            unsafe { libc::kill(p.pid, signal) }
        })
        .filter(|rc| *rc == 0)
        .count()
}

/// The live processes of `processes` (same start time, not a zombie).
pub fn still_running(processes: &[Marked]) -> Vec<Marked> {
    processes
        .iter()
        .copied()
        .filter(|p| stat(p.pid).is_some_and(|s| !s.zombie && s.start_ticks == p.start_ticks))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_read_after_the_command_name() {
        let line = "4242 (my (odd) cmd) S 1 4240 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 10000 100";
        assert_eq!(
            parse_stat(line),
            Some(ProcStat {
                pgrp: 4240,
                start_ticks: 987654,
                zombie: false
            })
        );
        assert!(parse_stat(&line.replace(") S ", ") Z ")).unwrap().zombie);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn the_mark_is_found_in_an_environment_block() {
        let block = b"PATH=/bin\0DEVLOG_AGENT_MARK=7-abc\0HOME=/h\0";
        assert_eq!(mark_in(block).as_deref(), Some("7-abc"));
        assert_eq!(mark_in(b"PATH=/bin\0XDEVLOG_AGENT_MARK=1\0"), None);
    }

    #[test]
    fn marks_are_fresh() {
        let a = new_mark(SessionId(1));
        assert!(a.starts_with("1-") && a.len() > 30, "{a}");
        assert_ne!(a, new_mark(SessionId(1)));
    }

    #[test]
    fn this_process_is_readable_and_unmarked() {
        let me = std::process::id() as i32;
        assert!(stat(me).is_some_and(|s| !s.zombie));
        assert_eq!(mark_of(me), None);
    }
}
