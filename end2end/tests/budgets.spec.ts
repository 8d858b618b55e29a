import { test, expect, type APIRequestContext } from "@playwright/test";
import { api, localCli, newProject, newTask, openHydrated } from "./helpers";

// The stand-in's Codex uses 110 tokens a turn (100 in, 10 out) and reports no cost: token
// budgets are what these tests count.

async function status(request: APIRequestContext, project: number, task: number) {
  return (await api(request, "get_task", { project, task })).status;
}

test("budgets are set in Settings and on a task's page; a task reaching its budget fails saying so", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  const taskDefault = page.locator("#budget-task");
  await taskDefault.fill("lots");
  await page.locator("#save-budgets").click();
  await expect(page.locator("#budgets")).toContainText('Task budget: "lots" is not a budget');
  await taskDefault.fill("100 tokens");
  await page.locator("#save-budgets").click();
  await expect(page.locator("#budgets-state")).toHaveText("Saved.");
  await expect(page.locator("#budget-today")).toHaveText("Nothing spent today.");
  await page.reload();
  await expect(taskDefault).toHaveValue("100 tokens");

  const task = await newTask(request, project.id, "Budgeted", { prompt: "WRITE_FILE a.txt a" });
  await api(request, "execute_task", { project: project.id, task: task.id, runtime: localCli("codex") });
  await expect.poll(() => status(request, project.id, task.id)).toBe("fail");

  const reason = "budget of 100 tokens reached after 110 tokens";
  await openHydrated(page, `/p/${project.id}/board`);
  await expect(page.locator(`[data-task-id="${task.id}"] .fail-reason`)).toContainText(reason);

  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#task-fail-reason")).toContainText(reason);
  const summary = page.locator("#task-budget-summary");
  await expect(summary).toHaveText(`⛔ ${reason}: raise it to run the task again.`);
  await page.locator("#task-budget-input").fill("1k tokens");
  await page.locator("#save-task-budget").click();
  await expect(summary).toHaveText("110 tokens of 1.0k tokens");
  await page.reload();
  await expect(page.locator("#task-budget-input")).toHaveValue("1.0k tokens");
});

test("a spent daily budget holds a queued task, saying so on its card, until it is raised", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "save_budgets", { project: project.id, task_default: "", daily: "100 tokens" });
  const first = await newTask(request, project.id, "First", { prompt: "WRITE_FILE a.txt a" });
  await api(request, "execute_task", { project: project.id, task: first.id, runtime: localCli("codex") });
  await expect.poll(() => status(request, project.id, first.id)).toBe("review");

  const second = await newTask(request, project.id, "Second", { prompt: "WRITE_FILE b.txt b" });
  const outcome = await api(request, "execute_task", { project: project.id, task: second.id, runtime: localCli("codex") });
  expect(outcome.outcome).toBe("queued");
  await openHydrated(page, `/p/${project.id}/board`);
  await expect(page.locator(`[data-task-id="${second.id}"] .queue-reason`)).toContainText(
    "The daily budget of 100 tokens is spent (110 tokens today): waiting until",
  );

  await openHydrated(page, `/p/${project.id}/settings`);
  await expect(page.locator("#budget-today")).toHaveText(
    "Today: 110 tokens of 100 tokens — spent: the queue holds new starts until tomorrow (UTC) or a higher budget.",
  );
  await page.locator("#budget-daily").fill("1M tokens");
  await page.locator("#save-budgets").click();
  await expect(page.locator("#budgets-state")).toHaveText("Saved.");
  await expect.poll(() => status(request, project.id, second.id)).toBe("review");
});

test("a Start or a Retry may give the task its budget; one that is not a budget starts nothing", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "save_runtime", { project: project.id, selection: { mode: "local_cli", agent: "codex" } });
  const task = await newTask(request, project.id, "Given a budget", { prompt: "WRITE_FILE a.txt a" });
  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await page.locator("#start-budget").fill("lots");
  await page.locator("#start-task").click();
  await expect(page.locator(".start-task .field-error[data-field='task_budget']")).toContainText(
    'Task budget: "lots" is not a budget',
  );
  expect(await status(request, project.id, task.id)).toBe("todo");

  await page.locator("#start-budget").fill("100 tokens");
  await page.locator("#start-task").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect.poll(() => status(request, project.id, task.id)).toBe("fail");

  const reason = "budget of 100 tokens reached after 110 tokens";
  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#task-fail-reason")).toContainText(reason);
  await page.locator("#retry-feedback").fill("Once more.");
  await page.locator("#retry-budget").fill("1k tokens");
  await page.locator("#retry-submit").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect.poll(() => status(request, project.id, task.id)).toBe("review");

  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#task-budget-input")).toHaveValue("1.0k tokens");
  await expect(page.locator("#task-budget-summary")).toHaveText("220 tokens of 1.0k tokens");
});

test("a turn that passes its task's budget is stopped as it runs, and the session says why", async ({ page, request }) => {
  const project = await newProject(request);
  // The stand-in's Claude reports 1,000 tokens for its message while the turn runs, then never
  // ends the turn by itself: only the budget's stop can end it.
  const task = await newTask(request, project.id, "Spender", { prompt: "SPEND 1000\nSTREAM 1\nHANG" });
  await api(request, "save_task_budget", { project: project.id, task: task.id, text: "500 tokens" });
  const started = await api(request, "execute_task", { project: project.id, task: task.id, runtime: localCli("claude_code") });
  expect(started.outcome).toBe("started");
  await expect.poll(() => status(request, project.id, task.id)).toBe("fail");

  const reason = "budget of 500 tokens reached after 1.1k tokens";
  await openHydrated(page, `/p/${project.id}/board`);
  await expect(page.locator(`[data-task-id="${task.id}"] .fail-reason`)).toContainText(reason);
  await openHydrated(page, `/p/${project.id}/sessions/${started.session.id}`);
  await expect(page.locator("ol.transcript .error-line").first()).toHaveText(
    "⚠ The task's budget of 500 tokens reached after 1.0k tokens: its turn is stopped.",
  );
  await expect(page.locator("#session-status")).toContainText("Failed");
});
