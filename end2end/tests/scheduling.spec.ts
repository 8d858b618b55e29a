import { test, expect, type Page } from "@playwright/test";
import { api, newProject, newTask, openHydrated, type Project } from "./helpers";

const card = (page: Page, id: number) => page.locator(`#task-${id}`);
const codex = { selection: { mode: "local_cli", agent: "codex" }, secrets: {} };

async function useCodex(request: any, project: Project) {
  await api(request, "save_runtime", { project: project.id, selection: codex.selection });
}

test("a two-task chain: the second waits for the first and starts by itself once it is done", async ({ page, request }) => {
  const project = await newProject(request);
  await useCodex(request, project);
  const first = await newTask(request, project.id, "Create the schema", { prompt: "WRITE_FILE schema.sql create table" });
  const second = await newTask(request, project.id, "Build the API", { prompt: "WRITE_FILE api.txt the api" });

  // The dependency is added on the second task's page; the reverse edge is a cycle.
  await openHydrated(page, `/p/${project.id}/tasks/${second.id}`);
  await page.locator("#dependency-choice").selectOption(String(first.id));
  await page.locator("#add-dependency").click();
  await expect(page.locator("#depends-on li")).toHaveCount(1);
  await openHydrated(page, `/p/${project.id}/tasks/${first.id}`);
  await page.locator("#dependency-choice").selectOption(String(second.id));
  await page.locator("#add-dependency").click();
  await expect(page.locator("#dependencies .form-error")).toContainText(
    `That would make a cycle: #${first.id} → #${second.id} → #${first.id}`,
  );

  await openHydrated(page, `/p/${project.id}/board`);
  await expect(card(page, second.id).locator(".blockers")).toContainText(`Depends on #${first.id} Create the schema`);
  await card(page, second.id).locator("button.start").click();
  await expect(card(page, second.id)).toHaveAttribute("data-status", "in_queue");
  await expect(card(page, second.id).locator(".queue-reason")).toContainText(`Waiting for #${first.id} Create the schema`);

  await card(page, first.id).locator("button.start").click();
  // Live: the first finishes and goes to review without a reload.
  await expect(card(page, first.id)).toHaveAttribute("data-status", "review");
  await expect(card(page, second.id)).toHaveAttribute("data-status", "in_queue");
  await card(page, first.id).locator(".card-menu summary").click();
  await card(page, first.id).locator("select[aria-label='Move to']").selectOption("done");
  // Nobody clicks Start again: the second starts by itself and reaches review.
  await expect(card(page, second.id)).toHaveAttribute("data-status", "review", { timeout: 20_000 });
  const task = await api(request, "get_task", { project: project.id, task: second.id });
  expect(task.branch).toContain("-build-the-api");
});

test("beyond the concurrency limit Start queues; conflicts between running tasks are shown", async ({ page, request }) => {
  const project = await newProject(request);
  await useCodex(request, project);
  await openHydrated(page, `/p/${project.id}/settings`);
  await page.locator("#concurrency-limit").fill("2");
  await page.locator("#save-concurrency").click();
  await expect(page.locator("#concurrency-state")).toHaveText("Now: 2 at once");
  await page.locator("#concurrency-limit").fill("0");
  await page.locator("#save-concurrency").click();
  await expect(page.locator(".field-error[data-field='concurrency_limit']")).toBeVisible();

  const one = await newTask(request, project.id, "One", { prompt: "WRITE_FILE shared.txt one\nHANG" });
  const two = await newTask(request, project.id, "Two", { prompt: "WRITE_FILE shared.txt two\nHANG" });
  const three = await newTask(request, project.id, "Three", { prompt: "HANG" });
  for (const t of [one, two]) {
    const started = await api(request, "execute_task", { project: project.id, task: t.id, runtime: codex });
    expect(started.outcome).toBe("started");
    expect(started.session).toBeTruthy();
  }
  const queued = await api(request, "execute_task", { project: project.id, task: three.id, runtime: codex });
  expect(queued.outcome).toBe("queued");
  expect(queued.session).toBeUndefined();
  expect(queued.state.kind).toBe("waiting_for_slot");
  // Both agents have written shared.txt: one lock, held by both sessions. (Waiting for the
  // lock alone raced the second agent's write on a slow machine.)
  await expect
    .poll(async () => (await api(request, "get_locks", { project: project.id })).locks.map((l: { holders: unknown[] }) => l.holders.length))
    .toEqual([2]);

  await openHydrated(page, `/p/${project.id}/board`);
  await expect(card(page, three.id).locator(".queue-reason")).toContainText("Waiting for a free slot: 2 of 2 running");
  for (const t of [one, two]) {
    await expect(card(page, t.id).locator(".conflict")).toContainText("File conflict: shared.txt");
  }
  await page.locator("header.topbar nav a", { hasText: "Locks" }).click();
  await expect(page.locator("tr.lock-row.conflict")).toHaveCount(1);
  await expect(page.locator("tr.lock-row.conflict")).toContainText("shared.txt");
  await expect(page.locator("tr.lock-row.conflict .holders li")).toHaveCount(2);

  // Stopping one frees a slot: the queued task starts by itself.
  const running = await api(request, "get_task", { project: project.id, task: one.id });
  await api(request, "kill_session", { project: project.id, session: running.session_id });
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: three.id })).status)
    .toBe("in_progress");
  for (const t of [two, three]) {
    const now = await api(request, "get_task", { project: project.id, task: t.id });
    await api(request, "kill_session", { project: project.id, session: now.session_id });
  }
});
