// Soak: the server is SIGKILLed mid-stream, again and again, while a task's agent floods its
// session. After every restart: no event was lost or repeated (what the stream delivered across
// the kills is exactly what is stored, seq 1..n), the task is not left in progress, the agent the
// killed server left behind is stopped, and a process of the user's whose pid was recorded as the
// session's process group (as after pid reuse) is never signalled.
import { test, expect } from "@playwright/test";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeRepo } from "./helpers";

const PORT = Number(process.env.DEVLOG_E2E_PORT ?? 3111) + 10;
const BASE = `http://127.0.0.1:${PORT}`;
const ROOT = resolve(__dirname, "../..");
const CYCLES = 5;

test.setTimeout(180_000);

interface Event {
  seq: number;
  event: { type: string; status?: string };
}

class Server {
  private proc?: ChildProcess;
  readonly data = mkdtempSync(join(tmpdir(), "devlog-soak-"));
  private readonly bin = join(this.data, "bin");

  constructor() {
    mkdirSync(this.bin);
    const standin = join(ROOT, "target/release/devlog-standin-agent");
    symlinkSync(standin, join(this.bin, "claude"));
    symlinkSync(standin, join(this.bin, "codex"));
  }

  /** Starts the server and waits until it answers (it reconciles before it listens). */
  async start() {
    this.proc = spawn(
      join(ROOT, "target/release/devlog"),
      ["--addr", `127.0.0.1:${PORT}`, "--data-dir", this.data, "--site-root", join(ROOT, "target/site"),
        "--claude-bin", join(this.bin, "claude"), "--codex-bin", join(this.bin, "codex"),
        "--gh-bin", "/nonexistent/bin/gh"],
      { stdio: "ignore" },
    );
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${BASE}/healthz`)).ok) return;
      } catch {
        // not listening yet: a process start has no event to wait on
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("the server did not start");
  }

  async kill9() {
    const proc = this.proc!;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
  }

  async stop() {
    const proc = this.proc!;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
  }
}

async function call(name: string, args: object): Promise<any> {
  const res = await fetch(`${BASE}/api/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  const body = await res.text();
  expect(res.ok, `${name}: ${res.status} ${body}`).toBeTruthy();
  return JSON.parse(body);
}

/** Reads the session's stream after `after` until `enough` says so, the server ends it, or the
 * connection breaks (the server was killed); returns what arrived. */
async function readStream(project: number, session: number, after: number, enough: (got: Event[]) => boolean,
  onEvent: (got: Event[]) => void = () => {}): Promise<Event[]> {
  const got: Event[] = [];
  const abort = new AbortController();
  try {
    const res = await fetch(`${BASE}/api/projects/${project}/sessions/${session}/events`, {
      headers: { "last-event-id": String(after) },
      signal: abort.signal,
    });
    if (res.status === 204) return got;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = message.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
        if (!data) continue; // a heartbeat
        got.push(JSON.parse(data));
        onEvent(got);
        if (enough(got)) {
          abort.abort();
          return got;
        }
      }
    }
  } catch {
    // the server went away mid-stream
  }
  return got;
}

/** Processes carrying DevLog's ownership mark whose working directory is under `dir`. */
function markedProcessesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`);
      if (!environ.includes("DEVLOG_AGENT_MARK=")) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (/\) [ZX] /.test(stat)) continue;
      if (readlinkSync(`/proc/${name}/cwd`).startsWith(dir)) found.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

/** Writes `pid` as the session's recorded process and group, as if the pid had been reused. */
function recordPid(db: string, session: number, pid: number) {
  execFileSync("python3", ["-c",
    "import sqlite3, sys\n" +
    "c = sqlite3.connect(sys.argv[1])\n" +
    "c.execute('UPDATE sessions SET pid = ?, pgid = ? WHERE id = ?', (int(sys.argv[2]), int(sys.argv[2]), int(sys.argv[3])))\n" +
    "c.commit()\n", db, String(session), String(pid)]);
}

test("SIGKILL mid-stream, again and again: nothing lost, nothing stuck, no orphan, no stranger signalled", async () => {
  const server = new Server();
  await server.start();
  const stranger = spawn("sleep", ["600"], { detached: true, stdio: "ignore" });
  try {
    const project = await call("register_project", { draft: { path: makeRepo("soak") } });
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // The kill lands mid-stream, between two floods: the agent is alive, with more to say.
      const first = 200 + cycle * 50;
      const prompt = `FLOOD ${first}\nSLOW 2000\nFLOOD 300\nHANG`;
      const task = await call("create_task", { project: project.id, draft: { title: `soak ${cycle}`, prompt } });
      const started = await call("execute_task", {
        project: project.id, task: task.id, runtime: { selection: { mode: "local_cli", agent: "claude_code" }, secrets: {} },
      });
      const session = started.session.id;
      const flooded = (got: Event[]) => got.filter((e) => e.event.type === "assistant_text").length >= first;
      const before = await readStream(project.id, session, 0, flooded);
      await server.kill9();
      const agents = markedProcessesUnder(server.data);
      expect(agents.length, "the killed server left its agent running").toBeGreaterThan(0);
      recordPid(join(server.data, "devlog.sqlite3"), session, stranger.pid!);
      await server.start();

      expect(markedProcessesUnder(server.data), "orphans after the restart").toEqual([]);
      expect(alive(stranger.pid!), "a stranger with a recorded pid was signalled").toBe(true);
      const last = before.length ? before[before.length - 1].seq : 0;
      const after = await readStream(project.id, session, last, () => false);
      const seqs = [...before, ...after].map((e) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      const final = after[after.length - 1];
      expect(final.event).toEqual({ type: "status_changed", status: "failed" });
      // Exactly what the store holds.
      const replay = await readStream(project.id, session, 0, () => false);
      expect(replay.map((e) => e.seq)).toEqual(seqs);
      const row = await call("get_task", { project: project.id, task: task.id });
      expect(row.status).toBe("fail");
    }
    await server.stop();
  } finally {
    stranger.kill("SIGKILL");
  }
});
