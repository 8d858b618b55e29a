//! `make bench`, stream figures: the release server with the stand-in agent as `claude`,
//! measured from outside through real HTTP and real SSE clients (one thread each).
//!
//! - `stream_events_per_s_{1,20}_session(s)`: events persisted and delivered per second while
//!   agents flood output (every event delivered was persisted first, by construction).
//! - `stream_p50_ms_20_sessions` / `stream_p99_ms_20_sessions`: agent stdout line to SSE
//!   client, from the time stamp the stand-in writes into each line, for the events stored
//!   after the client subscribed (earlier ones are history it replays). `…_agent_to_store` /
//!   `…_store_to_client` split that at the `at` of the stored row (when the writer took it).
//! - `replay_50k_ms` / `replay_50k_peak_mb`: a fresh client replaying a 50,000-event session;
//!   peak server RSS during the replay.
//! - `rss_20_sessions_mb`: server RSS with 20 live sessions (agents alive and waiting).

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const FLOOD_ONE: u32 = 50_000;
const SESSIONS: usize = 20;
const FLOOD_EACH: u32 = 5_000;

struct Server {
    child: Child,
    addr: String,
    _dirs: Vec<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn release(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/release")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run `make bench`",
        path.display()
    );
    path
}

fn start_server() -> Server {
    let data = tempfile::tempdir().expect("tempdir");
    let bin = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(release("devlog-standin-agent"), bin.path().join("claude"))
        .expect("symlink");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    // `cargo bench` runs in the package's folder: the site is the workspace's.
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    let child = Command::new(release("devlog"))
        .args(["--addr", &addr, "--site-root"])
        .arg(site)
        .arg("--claude-bin")
        .arg(bin.path().join("claude"))
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start devlog");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !healthy(&addr) {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        addr,
        _dirs: vec![data, bin],
    }
}

/// Whether the server answers its health check.
fn healthy(addr: &str) -> bool {
    ureq::get(format!("http://{addr}/healthz")).call().is_ok()
}

/// A server function through its JSON endpoint; the body of its 2xx answer (ureq reads at most
/// 10 MB of it, far more than these calls answer).
fn call(server: &Server, name: &str, args: Value) -> Value {
    let answer = ureq::post(format!("http://{}/api/{name}", server.addr))
        .header("content-type", "application/json")
        .send(args.to_string())
        .and_then(|response| response.into_body().read_to_string())
        .unwrap_or_else(|e| panic!("{name} failed: {e}"));
    serde_json::from_str(&answer).unwrap_or(Value::Null)
}

fn project(server: &Server) -> i64 {
    let repo = testkit::repo().keep();
    call(server, "register_project", json!({"draft": {"path": repo}}))["id"]
        .as_i64()
        .expect("project id")
}

fn start(server: &Server, project: i64, prompt: &str) -> i64 {
    call(
        server,
        "start_session",
        json!({
            "project": project,
            "start": {"prompt": prompt},
            "runtime": {"selection": {"mode": "local_cli", "agent": "claude_code"}}
        }),
    )["id"]
        .as_i64()
        .expect("session id")
}

struct Received {
    events: u64,
    first: Instant,
    last: Instant,
    latencies_ms: Vec<f64>,
    /// The same latencies split at the moment the server started persisting the event (the
    /// `at` of its stored row): waiting in the agent's pipe and the server's queue before it,
    /// being stored, published, sent and read after it.
    to_store_ms: Vec<f64>,
    from_store_ms: Vec<f64>,
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// When the server started persisting the event: the `at` (ms) of its wire form.
fn stored_at_nanos(data: &str) -> Option<u128> {
    let at = data.split("\"at\":").nth(1)?.split([',', '}']).next()?;
    at.parse::<u128>().ok().map(|ms| ms * 1_000_000)
}

/// Reads a session's SSE stream until its turn ends (`stop_after_turn`) or `stop_at` events.
fn follow(addr: &str, project: i64, session: i64, stop_after_turn: bool, stop_at: u64) -> Received {
    let stream = ureq::get(format!(
        "http://{addr}/api/projects/{project}/sessions/{session}/events?after=0"
    ))
    .call()
    .expect("the session's event stream");
    // Subscribed: the server subscribes before it answers. An event stored before this is
    // history the client replays (`replay_50k_ms` measures that), not live latency.
    let opened_ms = now_nanos() / 1_000_000;
    let reader = BufReader::with_capacity(1 << 16, stream.into_body().into_reader());
    let mut got = Received {
        events: 0,
        first: Instant::now(),
        last: Instant::now(),
        latencies_ms: Vec::new(),
        to_store_ms: Vec::new(),
        from_store_ms: Vec::new(),
    };
    for line in reader.lines() {
        let Ok(line) = line else { break };
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        let now = Instant::now();
        if got.events == 0 {
            got.first = now;
        }
        got.events += 1;
        got.last = now;
        let stamp = data
            .split("t=")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .and_then(|t| t.parse::<u128>().ok());
        let at = stored_at_nanos(data);
        if let (Some(stamp), Some(at)) = (stamp, at)
            && at / 1_000_000 >= opened_ms
        {
            let received = now_nanos();
            got.latencies_ms
                .push(received.saturating_sub(stamp) as f64 / 1e6);
            got.to_store_ms.push(at.saturating_sub(stamp) as f64 / 1e6);
            got.from_store_ms
                .push(received.saturating_sub(at) as f64 / 1e6);
        }
        if (stop_after_turn && data.contains("\"turn_ended\"")) || got.events >= stop_at {
            break;
        }
    }
    got
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let server = start_server();
    let p = project(&server);

    // One session flooding.
    let s = start(&server, p, &format!("FLOOD {FLOOD_ONE}"));
    let one = follow(&server.addr, p, s, true, u64::MAX);
    let secs = one.last.duration_since(one.first).as_secs_f64().max(1e-9);
    println!(
        "stream_events_per_s_1_session: {:.0} events/s",
        one.events as f64 / secs
    );

    // A fresh client replays that whole session; the server's RSS is sampled meanwhile.
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pid) = (peak.clone(), sampling.clone(), server.child.id());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                let kb = (rss_mb(pid) * 1024.0) as u64;
                peak.fetch_max(kb, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let started = Instant::now();
    let replay = follow(&server.addr, p, s, false, one.events);
    let replay_ms = started.elapsed().as_secs_f64() * 1000.0;
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    assert_eq!(
        replay.events, one.events,
        "the replay delivered every event once"
    );
    println!("replay_50k_ms: {replay_ms:.0} ms");
    println!(
        "replay_50k_peak_mb: {:.1} MB",
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );

    // Twenty sessions flooding at once, each followed by its own client from its start, as a
    // user watching it would.
    let wall = Instant::now();
    let clients: Vec<_> = (0..SESSIONS)
        .map(|_| {
            let s = start(&server, p, &format!("FLOOD {FLOOD_EACH}"));
            let addr = server.addr.clone();
            std::thread::spawn(move || follow(&addr, p, s, true, u64::MAX))
        })
        .collect();
    let results: Vec<Received> = clients
        .into_iter()
        .map(|c| c.join().expect("client"))
        .collect();
    let first = results.iter().map(|r| r.first).min().unwrap_or(wall);
    let last = results.iter().map(|r| r.last).max().unwrap_or(wall);
    let total: u64 = results.iter().map(|r| r.events).sum();
    println!(
        "stream_events_per_s_20_sessions: {:.0} events/s",
        total as f64 / last.duration_since(first).as_secs_f64().max(1e-9)
    );
    let sorted = |pick: fn(&Received) -> &Vec<f64>| {
        let mut all: Vec<f64> = results
            .iter()
            .flat_map(|r| pick(r).iter().copied())
            .collect();
        all.sort_by(f64::total_cmp);
        all
    };
    let latencies = sorted(|r| &r.latencies_ms);
    let to_store = sorted(|r| &r.to_store_ms);
    let from_store = sorted(|r| &r.from_store_ms);
    println!(
        "stream_p50_ms_20_sessions: {:.1} ms",
        percentile(&latencies, 0.50)
    );
    println!(
        "stream_p99_ms_20_sessions: {:.1} ms",
        percentile(&latencies, 0.99)
    );
    // Where the time goes (the stored `at` has millisecond resolution).
    println!(
        "stream_p99_ms_20_sessions_agent_to_store: {:.1} ms",
        percentile(&to_store, 0.99)
    );
    println!(
        "stream_p99_ms_20_sessions_store_to_client: {:.1} ms",
        percentile(&from_store, 0.99)
    );

    // Twenty live sessions, their agents alive and waiting.
    let live: Vec<i64> = (0..SESSIONS).map(|_| start(&server, p, "HANG")).collect();
    for s in &live {
        let _ = follow(&server.addr, p, *s, false, 3); // user message, status, agent session
    }
    std::thread::sleep(Duration::from_millis(500));
    println!("rss_20_sessions_mb: {:.1} MB", rss_mb(server.child.id()));
}
