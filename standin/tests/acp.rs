//! The stand-in's ACP protocol driven by DevLog's own ACP client (`AcpConversation`) over
//! real pipes: the failure paths the recorded Gemini transcripts cannot give on demand
//! (crash, a request the client does not serve, Stop during a slow turn) and the ones they do.

use engine::agents::{AcpConversation, Conversation, final_answer, turn_failure};
use model::{PermissionAnswer, StreamEvent};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};

struct Agent {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    conversation: AcpConversation,
    events: Vec<StreamEvent>,
    dir: tempfile::TempDir,
}

impl Agent {
    fn start(mode: &str, prompt: &str) -> Agent {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_devlog-standin-agent"))
            .args(["--standin-protocol=acp", "--acp", "--approval-mode", mode])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the stand-in");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take().expect("stdin");
        let conversation = AcpConversation::new(dir.path().into(), prompt.into(), None);
        let mut agent = Agent {
            child,
            stdin,
            lines,
            conversation,
            events: Vec::new(),
            dir,
        };
        let opening = agent.conversation.opening();
        agent.write(opening);
        agent
    }

    fn write(&mut self, lines: Vec<String>) {
        for line in lines {
            // A process that is gone says so by its closed stdout.
            let _ = writeln!(self.stdin, "{line}");
        }
        let _ = self.stdin.flush();
    }

    /// Reads until `until` holds for the latest event; false if the agent's stdout ended.
    fn until(&mut self, until: impl Fn(&StreamEvent) -> bool) -> bool {
        while let Ok(line) = self.lines.recv() {
            let heard = self.conversation.hear(&line);
            self.write(heard.replies);
            for event in heard.events {
                let done = until(&event);
                self.events.push(event);
                if done {
                    return true;
                }
            }
        }
        false
    }

    fn turn_ends(&mut self) -> bool {
        self.until(|e| matches!(e, StreamEvent::TurnEnded { .. }))
    }

    fn permission(&mut self) -> String {
        assert!(self.until(|e| matches!(e, StreamEvent::PermissionRequest { .. })));
        match self.events.last() {
            Some(StreamEvent::PermissionRequest { request_id, .. }) => request_id.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn answer(&mut self, request_id: &str, answer: PermissionAnswer) {
        let lines = self
            .conversation
            .permission_answer(request_id, &answer)
            .expect("a pending request");
        self.write(lines);
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_turn_streams_its_answer_and_a_follow_up_runs_in_the_same_process() {
    let mut agent = Agent::start("default", "REPLY all done here");
    assert!(agent.turn_ends());
    assert_eq!(
        final_answer(&agent.events).as_deref(),
        Some("all done here")
    );
    let deltas = agent
        .events
        .iter()
        .filter(|e| matches!(e, StreamEvent::AssistantDelta { .. }))
        .count();
    assert_eq!(deltas, 3, "a word at a time");
    let lines = agent
        .conversation
        .user_message("REPLY second")
        .expect("taken");
    agent.write(lines);
    assert!(agent.turn_ends());
    assert_eq!(final_answer(&agent.events).as_deref(), Some("second"));
    assert!(
        agent.child.try_wait().expect("wait").is_none(),
        "one process"
    );
}

#[test]
fn an_allowed_write_happens_and_a_denied_one_does_not() {
    for allow in [true, false] {
        let mut agent = Agent::start("default", "WRITE_FILE hello.txt hi");
        let request = agent.permission();
        let answer = if allow {
            PermissionAnswer::allow()
        } else {
            PermissionAnswer::deny("no")
        };
        agent.answer(&request, answer);
        assert!(agent.turn_ends());
        let written = agent.dir.path().join("hello.txt").exists();
        assert_eq!(written, allow);
        let changed = agent
            .events
            .iter()
            .any(|e| matches!(e, StreamEvent::FileChange { .. }));
        assert_eq!(changed, allow);
    }
}

#[test]
fn yolo_writes_without_asking() {
    let mut agent = Agent::start("yolo", "WRITE_FILE hello.txt hi");
    assert!(agent.turn_ends());
    assert!(agent.dir.path().join("hello.txt").exists());
    assert!(
        !agent
            .events
            .iter()
            .any(|e| matches!(e, StreamEvent::PermissionRequest { .. }))
    );
}

#[test]
fn stop_cancels_a_slow_turn_and_an_open_permission_request() {
    let mut agent = Agent::start("default", "SLOW 60000");
    assert!(agent.until(|e| matches!(e, StreamEvent::AgentSession { .. })));
    // The prompt was written with the session: it runs now.
    let stop = agent.conversation.interrupt("stop").expect("a prompt runs");
    agent.write(stop);
    assert!(agent.turn_ends());
    assert_eq!(
        turn_failure(&agent.events).as_deref(),
        Some("the turn was interrupted (interrupted)")
    );

    let mut asked = Agent::start("default", "RUN_CMD rm -rf build");
    asked.permission();
    let stop = asked.conversation.interrupt("stop").expect("a prompt runs");
    asked.write(stop);
    assert!(asked.turn_ends());
    assert!(turn_failure(&asked.events).is_some_and(|f| f.contains("interrupted")));
}

#[test]
fn a_refused_key_fails_the_turn_with_the_providers_message_and_the_process_stays() {
    let mut agent = Agent::start("default", "FAIL_AUTH");
    assert!(agent.turn_ends());
    let failure = turn_failure(&agent.events).expect("failed");
    assert!(
        failure.contains("API key not valid") && failure.contains("401"),
        "{failure}"
    );
    assert!(agent.child.try_wait().expect("wait").is_none());
}

#[test]
fn a_request_the_client_does_not_serve_is_refused_and_the_turn_goes_on() {
    let mut agent = Agent::start("default", "READ_FILE /etc/hostname\nREPLY done");
    assert!(agent.turn_ends());
    let said: Vec<&str> = agent
        .events
        .iter()
        .filter_map(|e| match e {
            StreamEvent::AssistantText { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        said.iter()
            .any(|t| t.contains("The read was refused: DevLog does not serve fs/read_text_file")),
        "{said:?}"
    );
    // One message: what the read came to, then the reply.
    assert!(final_answer(&agent.events).is_some_and(|a| a.ends_with("done")));
}

#[test]
fn a_crash_ends_the_output_without_a_turn_end() {
    let mut agent = Agent::start("default", "CRASH");
    assert!(!agent.turn_ends(), "stdout ends with the process");
    let status = agent.child.wait().expect("wait");
    assert!(!status.success());
}
