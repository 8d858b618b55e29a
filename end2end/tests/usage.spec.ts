import { test, expect } from "@playwright/test";
import { api, localCli, newProject, newTask, openHydrated } from "./helpers";

// The stand-in reports what the real Claude Code does at a turn's end: its cost ($0.0125) and
// tokens (100 in, 10 out) per model.

test("what a task's attempts used shows on its card, its task page and its session", async ({ page, request }) => {
  const project = await newProject(request);
  const task = await newTask(request, project.id, "Counted", { prompt: "REPLY nothing to change" });
  await api(request, "execute_task", { project: project.id, task: task.id, runtime: localCli("claude_code") });
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: task.id })).status)
    .toBe("fail");

  await openHydrated(page, `/p/${project.id}/board`);
  await expect(page.locator(`#task-${task.id} .card-usage`)).toHaveText("$0.01 · 110 tokens");

  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#task-usage")).toHaveText("Used in all: $0.01 · 110 tokens");
  await expect(page.locator(".attempt .attempt-usage")).toContainText("$0.01 · 110 tokens");

  const attempt = await page.locator(".attempt a").getAttribute("href");
  await openHydrated(page, attempt!);
  await expect(page.locator("#session-usage")).toHaveText("Used: $0.01 · 110 tokens");
  await expect(page.locator("ol.transcript .turn-end")).toContainText("110 tokens");
});

test("a session's usage grows with each live turn, without a reload", async ({ page, request }) => {
  const project = await newProject(request);
  const session = await api(request, "start_session", {
    project: project.id,
    start: { prompt: "REPLY first" },
    runtime: localCli("claude_code"),
  });
  await openHydrated(page, `/p/${project.id}/sessions/${session.id}`);
  await expect(page.locator("#session-status")).toContainText("Idle");
  await expect(page.locator("#session-usage")).toHaveText("Used: $0.01 · 110 tokens");
  await page.locator("#follow-up").fill("REPLY second");
  await page.locator("#follow-up").press("Enter");
  await expect(page.locator("ol.transcript .turn-end")).toHaveCount(2);
  await expect(page.locator("#session-usage")).toContainText("220 tokens");
  // Each turn shows its own cost and tokens, not the CLI's running total.
  await expect(page.locator("ol.transcript .turn-end").nth(1)).toContainText("$0.0125 · 110 tokens");
});

test("a session's usage is not read through another project", async ({ request }) => {
  const one = await newProject(request);
  const other = await newProject(request);
  const session = await api(request, "start_session", {
    project: one.id,
    start: { prompt: "REPLY hi" },
    runtime: localCli("claude_code"),
  });
  const res = await request.post("/api/get_session_usage", { data: { project: other.id, session: session.id } });
  expect(res.status()).toBe(403);
});
