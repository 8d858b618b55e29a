import { test, expect, type Page } from "@playwright/test";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NO_CODEX_URL, SERVER_ENV_KEY, SERVER_ENV_VAR } from "../playwright.config";
import { DECLARED_ACP, api, newProject, openHydrated } from "./helpers";

/** Where the stand-in agent writes its argv and environment (`DUMP_ENV path`). */
function dumpPath(): string {
  return join(mkdtempSync(join(tmpdir(), "devlog-e2e-env-")), "env.json");
}

async function dumped(path: string): Promise<{ argv: string[]; env: Record<string, string> }> {
  await expect.poll(() => existsSync(path)).toBe(true);
  return JSON.parse(readFileSync(path, "utf8"));
}

async function chooseMode(page: Page, mode: string) {
  await page.locator(`input[name='mode'][value='${mode}']`).check();
}

async function save(page: Page) {
  await page.locator("#save-runtime").click();
  await expect(page.locator("#save-state")).toHaveText("Saved");
}

/** Client-side navigation (a full load would forget the secrets, as it should). */
async function navTo(page: Page, name: string) {
  await page.locator("header.topbar nav a", { hasText: name }).click();
}

async function startFromSessionsPage(page: Page, projectId: number, prompt: string) {
  await expect(page).toHaveURL(new RegExp(`/p/${projectId}/sessions$`));
  await page.locator("#session-prompt").fill(prompt);
  await page.locator("#start-session").click();
  await expect(page).toHaveURL(new RegExp(`/p/${projectId}/sessions/\\d+$`));
}

test("Local CLI with Codex: saved per project, survives a reload, launches a Codex session", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  await expect(page.locator("#runtime-readiness")).toContainText("Ready");
  await page.locator("#runtime-agent").selectOption("codex");
  await page.locator("#runtime-effort").selectOption("high");
  await page.locator("#runtime-model").fill("gpt-5");
  await expect(page.locator("#save-state")).toHaveText("Unsaved changes");
  await save(page);
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("#runtime-agent")).toHaveValue("codex");
  await expect(page.locator("#runtime-model")).toHaveValue("gpt-5");
  await expect(page.locator("#runtime-effort")).toHaveValue("high");

  const path = dumpPath();
  await navTo(page, "Sessions");
  await expect(page.locator(".runtime-summary")).toContainText("Local CLI · Codex CLI · gpt-5 · high");
  await startFromSessionsPage(page, project.id, `DUMP_ENV ${path}\nREPLY codex here`);
  await expect(page.locator("#session-runtime")).toContainText("Local CLI · Codex CLI · gpt-5 · high");
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/codex here/);
  const { argv } = await dumped(path);
  expect(argv).toEqual(expect.arrayContaining(["exec", "--json", "-m", "gpt-5", "model_reasoning_effort=high"]));
});

test("an ACP agent declared on the server: listed with its state, picked by name, runs a session; one not installed cannot be picked", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  const ghost = page.locator("#runtime-agent option[value='acp:ghost']");
  await expect(ghost).toHaveText("ghost (not installed)");
  await expect(ghost).toBeDisabled();
  await page.locator("details.declared-agents summary").click();
  await expect(page.locator("#declared-agents li[data-agent='ghost']")).toHaveClass("missing");
  await expect(page.locator("#declared-agents li[data-agent='ghost'] .agent-state")).toHaveText("not installed");
  await expect(page.locator(`#declared-agents li[data-agent='${DECLARED_ACP}'] .agent-state`)).toHaveText("installed");
  // The built-in ones are listed too, with what runs them.
  await expect(page.locator("#declared-agents li[data-agent='qwen'] code")).toHaveText("qwen --acp");

  await page.locator("#runtime-agent").selectOption(`acp:${DECLARED_ACP}`);
  await expect(page.locator("#runtime-model")).toHaveCount(0);
  await expect(page.locator("#declared-key")).toContainText("takes no key from DevLog");
  await save(page);
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("#runtime-agent")).toHaveValue(`acp:${DECLARED_ACP}`);
  await expect(page.locator("#runtime-readiness")).toContainText("Ready");

  await navTo(page, "Sessions");
  await expect(page.locator(".runtime-summary")).toContainText(`Local CLI · ACP agent ${DECLARED_ACP} · default model`);
  const path = dumpPath();
  await startFromSessionsPage(page, project.id, `DUMP_ENV ${path}\nREPLY declared here`);
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/declared here/);
  const { argv } = await dumped(path);
  // Its declaration's command, and nothing from the browser.
  expect(argv.slice(1)).toEqual(["--standin-protocol=acp", "--acp"]);
  await page.locator("#follow-up").fill("REPLY still declared");
  await page.locator("#send-message").click();
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/still declared/);

  // A request naming an agent the server does not declare changes nothing.
  const refused = await request.post("/api/save_runtime", {
    data: { project: project.id, selection: { mode: "local_cli", agent: "acp", acp_agent: "rm-rf" } },
  });
  expect(refused.status()).toBeGreaterThanOrEqual(400);
  expect(refused.status()).toBeLessThan(500);
  expect(await refused.text()).toContain("No ACP agent 'rm-rf' is declared on this server");
  const settings = await api(request, "get_settings", { project: project.id });
  expect(settings.selection.acp_agent).toBe(DECLARED_ACP);
});

test("Gemini CLI with its own key: an ACP agent gets the key under GEMINI_API_KEY and a follow-up in the same process", async ({ page, request }) => {
  const key = `gm-e2e-${Date.now()}`;
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  await page.locator("#runtime-agent").selectOption("gemini");
  await chooseMode(page, "byok");
  await expect(page.locator("#runtime-provider")).toContainText("Google (Gemini API)");
  await save(page);
  await page.locator("#runtime-api-key").fill(key);
  await expect(page.locator("#runtime-readiness")).toContainText("Ready");

  const first = dumpPath();
  await navTo(page, "Sessions");
  await startFromSessionsPage(page, project.id, `DUMP_ENV ${first}\nREPLY gemini here`);
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/gemini here/);
  await expect(page.locator("#session-runtime")).toContainText("Bring your own key · Gemini CLI");
  const { argv, env } = await dumped(first);
  expect(env.GEMINI_API_KEY).toBe(key);
  expect(argv).toEqual(expect.arrayContaining(["--acp", "--approval-mode", "default"]));
  expect(argv.join(" ")).not.toContain(key);

  await page.locator("#follow-up").fill("REPLY still gemini");
  await page.locator("#send-message").click();
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/still gemini/);
  const list = await api(request, "list_sessions", { project: project.id });
  expect(JSON.stringify(list)).not.toContain(key);
});

test("Bring your own key: the key stays in memory, reaches the agent, and a reload forgets it", async ({ page, request }) => {
  const key = `sk-ant-e2e-${Date.now()}`;
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  await chooseMode(page, "byok");
  await expect(page.locator("#runtime-readiness")).toContainText("Bring your own key: enter an API key");
  await expect(page.locator("#test-connection")).toBeDisabled();
  await save(page);
  await page.locator("#runtime-api-key").fill(key);
  await expect(page.locator("#runtime-readiness")).toContainText("Ready");
  // Nothing of the key is kept by the browser.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie + location.href);
  expect(stored).not.toContain(key);

  const first = dumpPath();
  await navTo(page, "Sessions");
  await expect(page.locator("#start-session")).toBeEnabled();
  await startFromSessionsPage(page, project.id, `DUMP_ENV ${first}\nREPLY byok works`);
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/byok works/);
  await expect(page.locator("#session-runtime")).toContainText("Bring your own key · Claude Code · Anthropic");
  expect((await dumped(first)).env.ANTHROPIC_API_KEY).toBe(key);

  // A reload forgets the key: sending is gated with the reason until it is entered again.
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("[data-testid='gate-reason']")).toContainText("Bring your own key: enter an API key");
  await expect(page.locator("#send-message")).toBeDisabled();
  const second = dumpPath();
  // Typed key by key, as a person does: the field stays while the key is being typed.
  await page.locator(".gate-key").pressSequentially(key);
  await expect(page.locator(".gate-key")).toHaveValue(key);
  await expect(page.locator("#send-message")).toBeEnabled();
  await page.locator("#follow-up").fill(`DUMP_ENV ${second}\nREPLY again`);
  await page.locator("#send-message").click();
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/again/);
  expect((await dumped(second)).env.ANTHROPIC_API_KEY).toBe(key);

  // On the settings page, after a reload, the page says plainly that the key is gone.
  await openHydrated(page, `/p/${project.id}/settings`);
  await expect(page.locator("#key-forgotten")).toBeVisible();
  await navTo(page, "Sessions");
  await expect(page.locator("#start-session")).toBeDisabled();
  await expect(page.locator("[data-testid='gate-reason']")).toContainText("enter an API key");

  // The server kept no trace of the key: not in any answer or stored event.
  const list = await api(request, "list_sessions", { project: project.id });
  expect(JSON.stringify(list)).not.toContain(key);
  for (const s of list.sessions) {
    const history = await api(request, "get_session", { project: project.id, session: s.id });
    expect(history.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(history)).not.toContain(key);
  }
});

test("Server environment variable: the named variable's value reaches the agent; an unset one is refused", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  await chooseMode(page, "backend_env");
  await expect(page.locator("#runtime-readiness")).toContainText("name the variable");
  await page.locator("#runtime-env-var").fill("DEVLOG_E2E_SURELY_UNSET");
  await save(page);
  await navTo(page, "Sessions");
  await page.locator("#session-prompt").fill("REPLY never");
  await page.locator("#start-session").click();
  await expect(page.locator(".form-error")).toContainText("DEVLOG_E2E_SURELY_UNSET is not set");

  await navTo(page, "Settings");
  await page.locator("#runtime-env-var").fill(SERVER_ENV_VAR);
  await save(page);
  const path = dumpPath();
  await navTo(page, "Sessions");
  await startFromSessionsPage(page, project.id, `DUMP_ENV ${path}\nREPLY from env`);
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/from env/);
  await expect(page.locator("#session-runtime")).toContainText(`Server environment variable · Claude Code · ${SERVER_ENV_VAR}`);
  const { env, argv } = await dumped(path);
  expect(env.ANTHROPIC_API_KEY).toBe(SERVER_ENV_KEY);
  expect(argv.join(" ")).not.toContain(SERVER_ENV_KEY);
});

test("Test connection shows success, an authentication failure, and a missing CLI", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  await page.locator("#runtime-agent").selectOption("codex");
  await chooseMode(page, "byok");
  await page.locator("#runtime-api-key").fill("sk-openai-good");
  await page.locator("#test-connection").click();
  const report = page.locator("#connection-report");
  await expect(report).toContainText("Connected");
  await expect(report.locator(".sample")).toHaveText("ok");

  await page.locator("#runtime-api-key").fill("sk-invalid-key");
  await page.locator("#test-connection").click();
  await expect(report).toContainText("Connection failed");
  await expect(report.locator(".report-error")).toContainText("Authentication failed");
  await expect(report.locator(".sample")).toHaveCount(0);

  // A server on which Codex is not installed.
  const other = await request.post(`${NO_CODEX_URL}/api/register_project`, { data: { draft: { path: project.path + "" } } });
  expect(other.ok()).toBeTruthy();
  const remote = await other.json();
  await page.goto(`${NO_CODEX_URL}/p/${remote.id}/settings`);
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await page.locator("#runtime-agent").selectOption("codex");
  await page.locator("#test-connection").click();
  await expect(page.locator("#connection-report .report-error")).toContainText("Codex CLI is not installed");
});
