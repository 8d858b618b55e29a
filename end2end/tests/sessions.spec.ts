import { test, expect, type Page } from "@playwright/test";
import { api, localCli, newProject, newTask, openHydrated } from "./helpers";

/** Starts a session through the API and opens its page once hydrated. */
async function openSession(page: Page, request: any, prompt: string, extra: object = {}) {
  const project = await newProject(request);
  const session = await api(request, "start_session", {
    project: project.id,
    start: { prompt, ...extra },
    runtime: localCli("claude_code"),
  });
  await openHydrated(page, `/p/${project.id}/sessions/${session.id}`);
  return { project, session };
}

const transcript = (page: Page) => page.locator("ol.transcript");

test("start a session from the sessions page and watch the reply stream in", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/sessions`);
  await page.locator("#session-prompt").fill("STREAM 3\nREPLY **all done**");
  await page.locator("#start-session").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(transcript(page).locator(".msg.assistant").last().locator("strong")).toHaveText("all done");
  await expect(transcript(page).locator(".msg.assistant")).toHaveCount(4);
  await expect(page.locator("#session-status")).toContainText("Idle");
  await expect(page.locator("#session-runtime")).toContainText("Claude Code");
  await expect(transcript(page).locator(".turn-end")).toContainText("$0.0125");

  await openHydrated(page, `/p/${project.id}/sessions`);
  await expect(page.locator("tr.session-row")).toHaveCount(1);
  await expect(page.locator("tr.session-row .status-badge")).toContainText("Idle");
});

test("live text appears while a turn streams, and a reload mid-stream shows each message once", async ({ page, request }) => {
  await openSession(page, request, "STREAM 2\nSLOW 3000\nSTREAM 2\nREPLY finished");
  await expect(transcript(page).locator(".msg.assistant")).toHaveCount(2);
  await expect(page.locator("#session-status")).toContainText("Running");
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(transcript(page).locator(".msg.assistant").last()).toHaveText(/finished/);
  const texts = await transcript(page).locator(".msg.assistant .md").allTextContents();
  expect(texts.map((t) => t.trim())).toEqual(["part 1", "part 2", "part 1", "part 2", "finished"]);
  const seqs = await transcript(page).locator("li[data-seq]").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq"))));
  expect(new Set(seqs).size).toBe(seqs.length);
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
});

test("a follow-up sent while the agent is busy is queued, then answered", async ({ page, request }) => {
  await openSession(page, request, "SLOW 5000\nREPLY first answer");
  await expect(page.locator("#session-status")).toContainText("Running");
  await page.locator("#follow-up").fill("REPLY second answer");
  await page.locator("#follow-up").press("Enter");
  await expect(page.locator(".queued-message")).toHaveText(["REPLY second answer"]);
  await expect(page.locator("#follow-up")).toHaveValue("");
  await expect(transcript(page).locator(".msg.assistant")).toHaveText([/first answer/, /second answer/]);
  await expect(page.locator(".queued-message")).toHaveCount(0);
  // Shift+Enter makes a new line instead of sending.
  await page.locator("#follow-up").press("Shift+Enter");
  await expect(page.locator("#follow-up")).toHaveValue("\n");
});

test("approve a permission request; the file is written and the turn finishes", async ({ page, request }) => {
  await openSession(page, request, "WRITE_FILE approved.txt hello\nREPLY wrote it");
  const card = transcript(page).locator("li.permission");
  await expect(card).toContainText("Permission requested: Write");
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await transcript(page).locator("li.permission button.approve").click();
  await expect(transcript(page).locator("li.permission .permission-outcome")).toHaveText("Approved");
  await expect(transcript(page).locator(".msg.assistant").last()).toHaveText(/wrote it/);
  await expect(transcript(page).locator("li.tool.tool-ok .tool-name")).toHaveText("Write");
});

test("kill ends the session and disables the follow-up box with the reason", async ({ page, request }) => {
  await openSession(page, request, "HANG");
  await expect(page.locator("#session-status")).toContainText("Running");
  await page.locator("#kill-session").click();
  await page.locator("#confirm-action").click();
  await expect(page.locator("#session-status")).toContainText("Killed");
  await expect(page.locator("#follow-up")).toBeDisabled();
  await expect(page.locator("#follow-up-blocked")).toContainText("This session has ended");
});

test("bad session starts are refused with 4xx and write nothing", async ({ request }) => {
  const project = await newProject(request);
  const task = await newTask(request, project.id, "Bound task");
  for (const [start, runtime] of [
    [{ prompt: "   " }, localCli("claude_code")],
    [{ prompt: "hi" }, localCli("gemini")],
    [{ prompt: "hi", permission: "ask" }, localCli("codex")],
    [{ prompt: "hi", task: 999999 }, localCli("claude_code")],
    [{ prompt: "hi" }, { selection: { mode: "byok", agent: "claude_code" }, secrets: { api_key: "  " } }],
    [{ prompt: "hi" }, { selection: { agent: "claude_code", api_key: "sk-smuggled" } }],
    [{ prompt: "hi" }, undefined],
  ]) {
    const res = await request.post("/api/start_session", { data: { project: project.id, start, runtime } });
    expect(res.status(), JSON.stringify(start)).toBeGreaterThanOrEqual(400);
    expect(res.status(), JSON.stringify(start)).toBeLessThan(500);
  }
  const list = await api(request, "list_sessions", { project: project.id });
  expect(list.sessions).toHaveLength(0);
  const other = await newProject(request);
  const res = await request.get(`/api/projects/${other.id}/sessions/1/events`);
  expect([403, 404]).toContain(res.status());
  expect((await api(request, "get_task", { project: project.id, task: task.id })).status).toBe("todo");
});
