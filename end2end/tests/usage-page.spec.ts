import { test, expect, type APIRequestContext } from "@playwright/test";
import { readFileSync } from "node:fs";
import { api, localCli, newProject, newTask, openHydrated } from "./helpers";

// The stand-in reports what the real CLIs do at a turn's end: Claude Code its cost ($0.0125)
// and tokens (100 in, 10 out); Codex tokens only (100 in, 10 out), which the price table
// estimates from the session's model (gpt-5-mini: $0.25 / $2 per million → $0.000045).

/** Runs a task to its end with `runtime`; the task. */
async function attempt(request: APIRequestContext, project: number, title: string, prompt: string, runtime: object) {
  const task = await newTask(request, project, title, { prompt });
  await api(request, "execute_task", { project, task: task.id, runtime });
  await expect
    .poll(async () => (await api(request, "get_task", { project, task: task.id })).status)
    .toMatch(/^(review|fail)$/);
  return task;
}

function codex(model: string) {
  const runtime = localCli("codex");
  return { ...runtime, selection: { ...runtime.selection, model } };
}

const today = () => new Date().toISOString().slice(0, 10);

test("the Usage page charts and totals the project's turns, and exports them", async ({ page, request }) => {
  const project = await newProject(request);
  const claude = await attempt(request, project.id, "Claude's", "REPLY nothing to change", localCli("claude_code"));
  const codexTask = await attempt(request, project.id, "Codex's", "WRITE_FILE a.txt a", codex("gpt-5-mini"));

  // Reached from the top bar (a client-side navigation): the chart is real SVG.
  await openHydrated(page, `/p/${project.id}/board`);
  await page.locator(".topbar nav a", { hasText: "Usage" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/usage$`));
  await expect(page.locator("#usage-total")).toHaveText(/^\$0\.01 · 220 tokens \(estimated\) from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\.$/);
  const bars = page.locator("#usage-chart rect.bar");
  await expect(bars).toHaveCount(30);
  expect(await bars.first().evaluate((el) => el.namespaceURI)).toBe("http://www.w3.org/2000/svg");
  const todays = page.locator(`#usage-chart rect.bar[data-day="${today()}"]`);
  expect(Number(await todays.getAttribute("data-value"))).toBeCloseTo(0.012545, 9);
  expect((await todays.boundingBox())!.height).toBeGreaterThan(100); // the highest day: the full height
  await expect(page.locator("#usage-chart rect.bar[data-value='0']")).toHaveCount(29);

  const byAgent = page.locator("#usage-by-agent tbody tr");
  await expect(byAgent).toHaveCount(2);
  await expect(byAgent.nth(0)).toHaveAttribute("data-name", "Claude Code");
  await expect(byAgent.nth(0).locator(".cost")).toHaveText("$0.01");
  await expect(byAgent.nth(1)).toHaveAttribute("data-name", "Codex CLI");
  await expect(byAgent.nth(1).locator(".cost")).toHaveText("<$0.01 (estimated)");
  await expect(page.locator("#usage-by-model tbody tr[data-name='gpt-5-mini']")).toHaveCount(1);
  const top = page.locator("#usage-top-tasks tbody tr");
  await expect(top).toHaveCount(2);
  await expect(top.nth(0)).toHaveAttribute("data-task", String(claude.id));
  await expect(top.nth(1)).toHaveAttribute("data-task", String(codexTask.id));
  await top.nth(0).locator("a").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/tasks/${claude.id}$`));
  await page.goBack();

  const [csv] = await Promise.all([page.waitForEvent("download"), page.locator("#export-csv").click()]);
  expect(csv.suggestedFilename()).toMatch(new RegExp(`^devlog-usage-${project.id}-.*\\.csv$`));
  const lines = readFileSync((await csv.path())!, "utf8").trimEnd().split("\r\n");
  expect(lines).toHaveLength(3);
  expect(lines[0]).toContain("task_title");
  expect(lines[1]).toContain(`,${claude.id},Claude's,`);
  expect(lines[1]).toContain(",0.012500,reported");
  expect(lines[2]).toContain(",gpt-5-mini,100,10,0,0,0,0.000045,estimated");

  const [json] = await Promise.all([page.waitForEvent("download"), page.locator("#export-json").click()]);
  const exported = JSON.parse(readFileSync((await json.path())!, "utf8"));
  expect(exported.project).toBe(project.id);
  expect(exported.records.map((r: any) => r.agent)).toEqual(["Claude Code", "Codex CLI"]);

  // The week's report: one HTML file that opens on its own, offline.
  const [report] = await Promise.all([page.waitForEvent("download"), page.locator("#report-week").click()]);
  expect(report.suggestedFilename()).toMatch(new RegExp(`^devlog-report-${project.id}-week-\\d{4}-\\d\\d-\\d\\d\\.html$`));
  const html = readFileSync((await report.path())!, "utf8");
  expect(html).not.toContain("<script");
  const offline = await page.context().newPage();
  await offline.setContent(html);
  await expect(offline.locator("h1")).toContainText("the week of");
  await expect(offline.locator("body")).toContainText("2 task(s) worked on. Used: $0.01 · 220 tokens (estimated).");
  await expect(offline.locator("tr", { hasText: "Codex's" })).toContainText("Review");
  await expect(offline.locator("tr", { hasText: "Claude's" })).toContainText("Failed");
  await expect(offline.locator(".counts li")).toHaveText(["1◉ in review", "0✓ done (merged)", "1✕ failed"]);
  await offline.close();
});

test("a range is in the address, survives a reload, and a bad one says what to fix", async ({ page, request }) => {
  const project = await newProject(request);
  await attempt(request, project.id, "Counted", "REPLY nothing to change", localCli("claude_code"));

  await openHydrated(page, `/p/${project.id}/usage`);
  await page.locator("#usage-from").fill("2025-01-01");
  await page.locator("#usage-to").fill("2025-01-07");
  await page.locator("#usage-range button[type=submit]").click();
  await expect(page).toHaveURL(/\?from=2025-01-01&to=2025-01-07$/);
  await expect(page.locator("#usage-total")).toHaveText("Nothing recorded from 2025-01-01 to 2025-01-07.");
  await expect(page.locator("#usage-chart rect.bar")).toHaveCount(7);
  await page.reload();
  await expect(page.locator("#usage-from")).toHaveValue("2025-01-01");
  await expect(page.locator("#usage-chart rect.bar")).toHaveCount(7);

  await openHydrated(page, `/p/${project.id}/usage?from=2026-02-30`);
  await expect(page.locator(".error-panel")).toContainText("From");
  await expect(page.locator(".error-panel")).toContainText("is not a date");
  await expect(page.locator("#usage-range")).toBeVisible(); // the form stays, to fix it
  const res = await request.post("/api/get_usage", { data: { project: project.id, from: "2024-01-01", to: "2026-01-01" } });
  expect(res.status()).toBe(422);
  expect(await res.text()).toContain("at most 366 days");
  const bad = await request.get(`/api/projects/${project.id}/usage/export?format=xml`);
  expect(bad.status()).toBe(400);
  expect(await bad.text()).toContain("not csv or json");
});

test("the price table is edited in Settings and prices the turns after it", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  const text = page.locator("#prices-text");
  await expect(text).toHaveValue(/\*opus\*, 5, 25, 0\.5, 6\.25/);

  await text.fill("my-model, 1000, 0, 0, 0\nbroken, 1, 2");
  await page.locator("#save-prices").click();
  await expect(page.locator("#prices")).toContainText("line 2: has 3 fields");
  await text.fill("# mine\nmy-model 1000 0 0 0");
  await page.locator("#save-prices").click();
  await expect(page.locator("#prices-state")).toHaveText("Saved: 1 price(s).");
  await page.reload();
  await expect(text).toHaveValue(/^# model pattern.*\nmy-model, 1000, 0, 0, 0\n$/);

  // 100 input tokens at $1,000 per million.
  await attempt(request, project.id, "Priced", "WRITE_FILE a.txt a", codex("my-model"));
  await openHydrated(page, `/p/${project.id}/usage`);
  await expect(page.locator("#usage-total")).toContainText("$0.10 · 110 tokens (estimated)");

  await openHydrated(page, `/p/${project.id}/settings`);
  await page.locator("#default-prices").click();
  await expect(text).toHaveValue(/\*opus\*/);
  await page.locator("#save-prices").click();
  await expect(page.locator("#prices-state")).toContainText("Saved:");
});
