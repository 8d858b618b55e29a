// The real Claude Code, Codex and Gemini CLIs (npm packages, pinned in package.json) driven
// through DevLog, talking to a fake model API on 127.0.0.1 instead of Anthropic's, OpenAI's and
// Google's: the flags, the stream-json, `exec --json` and ACP protocols, the permission requests
// and the child's environment are the CLIs' own, not the stand-in's.
import { test, expect, type Page } from "@playwright/test";
import { FAKE_MODEL_API_URL, REAL_CLI_URL } from "../playwright.config";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "./helpers";

test.use({ baseURL: REAL_CLI_URL });
// A real CLI starts in a second or two, and the first run sets up its home.
test.setTimeout(90_000);

async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
}

async function call(page: Page, name: string, args: object) {
  const res = await page.request.post(`${REAL_CLI_URL}/api/${name}`, { data: args });
  expect(res.ok(), `${name}: ${res.status()}`).toBeTruthy();
  return res.json();
}

/** The built-in CLIs, and Qwen Code: the built-in ACP agent `qwen`, picked as `acp:qwen`. */
type Agent = "claude_code" | "codex" | "gemini" | "qwen";

/** What each agent is called on the session page, where its API lives on the fake, and what
 * its permission request for a file write is named. */
const AGENTS: Record<Agent, { runtime: string; baseUrl: string; writeTool: string }> = {
  claude_code: { runtime: "Claude Code · Anthropic", baseUrl: FAKE_MODEL_API_URL, writeTool: "Write" },
  codex: { runtime: "Codex CLI · OpenAI-compatible", baseUrl: `${FAKE_MODEL_API_URL}/v1`, writeTool: "" },
  gemini: { runtime: "Gemini CLI · Google (Gemini API)", baseUrl: FAKE_MODEL_API_URL, writeTool: "edit" },
  qwen: { runtime: "ACP agent qwen · fake-model", baseUrl: `${FAKE_MODEL_API_URL}/v1`, writeTool: "edit" },
};

/** Bring your own key, with the provider's endpoint at the fake model API. */
async function useByok(page: Page, agent: Agent, key: string) {
  await page.locator("#runtime-agent").selectOption(agent === "qwen" ? "acp:qwen" : agent);
  await page.locator("input[name='mode'][value='byok']").check();
  if (agent === "codex") {
    await page.locator("#runtime-provider").selectOption("openai_compatible");
  }
  if (agent === "qwen") {
    // With a key of its own, Qwen Code needs the model named (OPENAI_MODEL).
    await page.locator("#runtime-model").fill("fake-model");
  }
  await page.locator("#runtime-base-url").fill(AGENTS[agent].baseUrl);
  await page.locator("#runtime-api-key").fill(key);
  await page.locator("#save-runtime").click();
  await expect(page.locator("#save-state")).toHaveText("Saved");
}

async function testConnection(page: Page) {
  await page.locator("#test-connection").click();
  const report = page.locator("#connection-report");
  await expect(report).toContainText(/Connected|Connection failed/, { timeout: 60_000 });
  return report;
}

for (const agent of ["claude_code", "codex", "gemini", "qwen"] as const) {
  test(`real ${agent}: the connection test answers ok, and a refused key is named`, async ({ page }) => {
    const project = await call(page, "register_project", { draft: { path: makeRepo() } });
    await open(page, `/p/${project.id}/settings`);
    await useByok(page, agent, "sk-e2e-real-cli");
    let report = await testConnection(page);
    await expect(report).toContainText("Connected");
    await expect(report.locator(".sample")).toHaveText("ok");

    await page.locator("#runtime-api-key").fill("sk-invalid-e2e");
    report = await testConnection(page);
    await expect(report).toContainText("Connection failed");
    await expect(report.locator(".report-error")).toContainText("Authentication failed");
  });
}

for (const agent of ["claude_code", "gemini", "qwen"] as const) {
  test(`real ${agent}: a task asks to write a file, the user approves it, the diff is reviewed`, async ({ page }) => {
    const project = await call(page, "register_project", { draft: { path: makeRepo() } });
    const task = await call(page, "create_task", {
      project: project.id,
      draft: { title: "Greet", prompt: `WRITE_FILE hello.txt Hello from ${agent}\nREPLY Wrote hello.txt.` },
    });
    await open(page, `/p/${project.id}/settings`);
    await useByok(page, agent, "sk-e2e-real-cli");
    // Client-side navigation keeps the key in this tab's memory.
    await page.locator("header.topbar nav a", { hasText: "Board" }).click();
    const card = page.locator(`#task-${task.id}`);
    await card.locator("button.start").click();
    await expect(card.locator(".activity")).toContainText(`Waiting for permission: ${AGENTS[agent].writeTool}`, { timeout: 60_000 });
    await card.locator("a.open-session").click();
    await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
    await expect(page.locator("#session-runtime")).toContainText(`Bring your own key · ${AGENTS[agent].runtime}`);
    await expect(page.locator("li.permission")).toContainText("hello.txt");
    await page.locator("li.permission button.approve").click();
    await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/Wrote hello.txt/, { timeout: 60_000 });
    await expect(page.locator("#session-status")).toContainText("Completed");

    await open(page, `/p/${project.id}/tasks/${task.id}`);
    await expect(page.locator("#task-status")).toContainText("Review");
    const file = page.locator(".file-diff[data-path='hello.txt']");
    await expect(file.locator(".patch .line.added .code")).toHaveText([`+Hello from ${agent}`]);
  });
}

test("real Codex: a session's turn streams its answer", async ({ page }) => {
  const project = await call(page, "register_project", { draft: { path: makeRepo() } });
  await open(page, `/p/${project.id}/settings`);
  await useByok(page, "codex", "sk-e2e-real-cli");
  await page.locator("header.topbar nav a", { hasText: "Sessions" }).click();
  await page.locator("#session-prompt").fill("REPLY Codex answered");
  await page.locator("#start-session").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect(page.locator("#session-runtime")).toContainText("Bring your own key · Codex CLI · OpenAI-compatible");
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/Codex answered/, { timeout: 60_000 });
});

test("real Gemini: a model API failing with 500 is retried by the CLI until Stop, which ends the turn; the session goes on", async ({ page }) => {
  const project = await call(page, "register_project", { draft: { path: makeRepo() } });
  await open(page, `/p/${project.id}/settings`);
  await useByok(page, "gemini", "sk-e2e-real-cli");
  await page.locator("header.topbar nav a", { hasText: "Sessions" }).click();
  await page.locator("#session-prompt").fill("FAIL_500");
  await page.locator("#start-session").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect(page.locator("#stop-turn")).toBeEnabled({ timeout: 30_000 });
  await page.locator("#stop-turn").click();
  // Gemini CLI ignores session/cancel while it retries: DevLog stops its process after the grace.
  await expect(page.locator("ol.transcript .turn-end").last()).toHaveText(/^Turn stopped/, { timeout: 45_000 });
  await expect(page.locator("#session-status")).toContainText("Idle");
  await page.locator("#follow-up").fill("REPLY back after the stop");
  await page.locator("#send-message").click();
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/back after the stop/, { timeout: 60_000 });
});

for (const agent of ["claude_code", "gemini", "qwen"] as const) {
  test(`real ${agent}: a denied write is not made, a slow turn is stopped, the session goes on in the same process`, async ({ page }) => {
    const repo = makeRepo();
    const project = await call(page, "register_project", { draft: { path: repo } });
    await open(page, `/p/${project.id}/settings`);
    await useByok(page, agent, "sk-e2e-real-cli");
    await page.locator("header.topbar nav a", { hasText: "Sessions" }).click();
    await page.locator("#session-prompt").fill(`WRITE_FILE denied.txt never\nREPLY Understood.\n- Working directory: ${repo}`);
    await page.locator("#start-session").click();
    await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
    const session = Number(new URL(page.url()).pathname.split("/").pop());
    await page.locator("li.permission button.deny").click({ timeout: 60_000 });
    await expect(page.locator("li.permission .permission-outcome")).toHaveText("Denied");
    await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/Understood/, { timeout: 60_000 });
    // The CLI streamed that answer a word at a time: one block, finished.
    await expect(page.locator("ol.transcript .msg.assistant", { hasText: "Understood" })).toHaveCount(1);
    await expect(page.locator("ol.transcript .msg.assistant.growing")).toHaveCount(0);
    expect(existsSync(join(repo, "denied.txt"))).toBe(false);
    // The CLI's own session id: a new process would open a new one (Gemini's `session/load`
    // of an earlier one is refused) or resume under a new one (Claude).
    const agentSession = (await call(page, "get_session", { project: project.id, session })).session.agent_session_id;
    expect(agentSession).toBeTruthy();

    await page.locator("#follow-up").fill("SLOW 60000\nREPLY too late");
    await page.locator("#send-message").click();
    await expect(page.locator("#stop-turn")).toBeEnabled();
    await page.locator("#stop-turn").click();
    await expect(page.locator("ol.transcript .turn-end").last()).toHaveText(/^Turn stopped/, { timeout: 30_000 });
    await expect(page.locator("#session-status")).toContainText("Idle");

    await page.locator("#follow-up").fill("REPLY still here");
    await page.locator("#send-message").click();
    await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/still here/, { timeout: 60_000 });
    await expect(page.locator("ol.transcript .msg.assistant", { hasText: "too late" })).toHaveCount(0);
    // Stop ended the turn, not the process: the same CLI session answered.
    expect((await call(page, "get_session", { project: project.id, session })).session.agent_session_id).toBe(agentSession);
  });
}

const LABELS: Record<Agent, string> = {
  claude_code: "Claude Code",
  codex: "Codex CLI",
  gemini: "Gemini CLI",
  qwen: "ACP agent qwen",
};

/** Qwen Code, with no retries of its own left to it (the real-CLI server's settings), still
 * tries a 429 seven times before it answers with it: 1.5 s doubling to 30 s, each ±30 %
 * (66 s measured, up to ~100 s); the others give up in seconds. */
const GIVES_UP_WITHIN_MS = 180_000;

for (const agent of ["claude_code", "codex", "gemini", "qwen"] as const) {
  test(`real ${agent}: a model API answering 429 sends the task back to the queue to wait out the limit`, async ({ page }) => {
    test.setTimeout(GIVES_UP_WITHIN_MS + 30_000);
    const project = await call(page, "register_project", { draft: { path: makeRepo() } });
    // The fake model API answers every request of this task HTTP 429, as each provider does.
    const task = await call(page, "create_task", {
      project: project.id,
      draft: { title: "Limited", prompt: "RATE_LIMIT_429" },
    });
    await open(page, `/p/${project.id}/settings`);
    await useByok(page, agent, "sk-e2e-real-cli");
    await page.locator("header.topbar nav a", { hasText: "Board" }).click();
    const card = page.locator(`#task-${task.id}`);
    await card.locator("button.start").click();
    // No CLI passes on a reset time here, so the queue backs off ("Waiting out … trying again").
    const at = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC";
    const label = LABELS[agent];
    const waiting = new RegExp(
      `^⏳ Waiting (for the rate limit of ${label} to reset at|out the rate limit of ${label}: trying again at) ${at}`,
    );
    await expect(card.locator(".queue-reason")).toHaveText(waiting, { timeout: GIVES_UP_WITHIN_MS });
    await expect(card.locator(".fail-reason")).toHaveCount(0);
    expect((await call(page, "get_task", { project: project.id, task: task.id })).status).toBe("in_queue");
  });
}
