// The installed binary on its own: `make e2e` runs `make install` into target/e2e-prefix, and this
// test starts that one file from a git repository outside the checkout, with a fresh home and no
// --site-root or --data-dir. It must serve its own site (precompressed, cached forever), keep
// its data in ~/.local/share/devlog, offer the repository it was started in, and run a task.
import { test, expect } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { makeRepo } from "./helpers";

const PORT = Number(process.env.DEVLOG_E2E_PORT ?? 3111) + 11;
const BASE = `http://127.0.0.1:${PORT}`;
const ROOT = resolve(__dirname, "../..");
const INSTALLED = join(ROOT, "target/e2e-prefix/bin/devlog");

let server: ChildProcess | undefined;

test.afterEach(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await exited;
  }
});

/** Starts the installed binary in `cwd` with `home` as HOME, and waits until it answers. */
async function start(cwd: string, home: string, bin: string): Promise<ChildProcess> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), HOME: home };
  delete env.XDG_DATA_HOME;
  delete env.DEVLOG_DATA_DIR;
  delete env.DEVLOG_SITE_ROOT;
  const child = spawn(
    INSTALLED,
    ["--addr", `127.0.0.1:${PORT}`, "--claude-bin", join(bin, "claude"), "--codex-bin", join(bin, "codex"),
      "--gh-bin", "/nonexistent/bin/gh"],
    { cwd, env, stdio: "ignore" },
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the installed devlog exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return child;
    } catch {
      // not listening yet: a process start has no event to wait on
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the installed devlog did not start");
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

test("the installed binary runs from any folder: its own site, data in ~/.local/share/devlog, the folder's repository offered, a task run", async ({ page }) => {
  test.setTimeout(60_000);
  expect(existsSync(INSTALLED), `${INSTALLED}: run \`make install PREFIX=target/e2e-prefix\``).toBeTruthy();
  const home = mkdtempSync(join(tmpdir(), "devlog-home-"));
  const bin = join(home, "bin");
  mkdirSync(bin);
  const standin = join(ROOT, "target/release/devlog-standin-agent");
  symlinkSync(standin, join(bin, "claude"));
  symlinkSync(standin, join(bin, "codex"));
  const repo = realpathSync(makeRepo("started-here"));
  server = await start(repo, home, bin);

  // The page, hydrated from the site inside the binary; nothing was written beside it.
  await page.goto(`${BASE}/`);
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  expect(existsSync(join(repo, "target"))).toBeFalsy();
  const data = join(home, ".local/share/devlog");
  expect(existsSync(join(data, "devlog.sqlite3"))).toBeTruthy();
  await expect(page.locator("#what-devlog-does")).toContainText(join(data, "worktrees"));
  await expect(page.locator("#what-devlog-does")).toContainText("task/<id>-<slug>");

  // Its assets: precompressed by Accept-Encoding, typed, cached forever under the build's id.
  const html = await (await fetch(`${BASE}/`)).text();
  const wasm = html.match(/\/pkg\/[A-Za-z0-9_-]+\/devlog\.wasm/)?.[0];
  expect(wasm, "the page names its wasm under /pkg/<build id>/").toBeTruthy();
  for (const [accept, encoding] of [["br, gzip", "br"], ["gzip", "gzip"]]) {
    const res = await fetch(`${BASE}${wasm}`, { headers: { "accept-encoding": accept } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe(encoding);
    expect(res.headers.get("content-type")).toBe("application/wasm");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await res.arrayBuffer()).subarray(0, 4)).toEqual(new Uint8Array([0, 97, 115, 109]));
  }

  // The repository it was started in, offered on the empty page and registered in one click.
  await expect(page.locator("#start-folder-path")).toHaveText(repo);
  await page.locator("#register-start-folder").click();
  await expect(page).toHaveURL(/\/p\/\d+\/board$/);
  await expect(page.locator("h1")).toHaveText("started-here");
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);

  // A task started with the stand-in: permission, approval, review.
  const project = Number(page.url().match(/\/p\/(\d+)\/board$/)![1]);
  const task = await call("create_task", {
    project,
    draft: { title: "From the installed binary", prompt: "WRITE_FILE installed.txt it runs\nREPLY done" },
  });
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  const card = page.locator(`#task-${task.id}`);
  await card.locator("button.start").click();
  await expect(card).toHaveAttribute("data-status", "in_progress");
  await card.locator("a.open-session").click();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await page.locator("li.permission button.approve").click();
  await expect(page.locator("#session-status")).toContainText("Completed");
  await page.goto(`${BASE}/p/${project}/board`);
  await expect(page.locator(`#task-${task.id}`)).toHaveAttribute("data-status", "review");
  expect(existsSync(join(data, "worktrees"))).toBeTruthy();

  // A second server on the same port: one line naming the port and the flag, nothing touched.
  const second = spawn(INSTALLED, ["--addr", `127.0.0.1:${PORT}`], {
    cwd: repo,
    env: { ...(process.env as Record<string, string>), HOME: home },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  second.stderr!.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((r) => second.once("exit", r));
  expect(code).not.toBe(0);
  expect(stderr.trim().split("\n")).toEqual([
    `devlog: port ${PORT} is already in use on 127.0.0.1 (is DevLog already running?): stop it, or pick another port with --addr 127.0.0.1:<port>`,
  ]);
  await expect(page.locator(`#task-${task.id}`)).toHaveAttribute("data-status", "review");
});
