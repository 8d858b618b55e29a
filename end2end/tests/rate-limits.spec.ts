import { test, expect } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, localCli, newProject, newTask, openHydrated } from "./helpers";

test("a rate-limited task waits in the queue with its reset on its card and its page", async ({ page, request }) => {
  const project = await newProject(request);
  // The stand-in answers as Claude Code does on a plan's usage limit, resetting in an hour.
  const marker = join(mkdtempSync(join(tmpdir(), "devlog-limit-")), "limited");
  const task = await newTask(request, project.id, "Limited", {
    prompt: `WRITE_FILE notes.txt before the limit\nRATE_LIMIT_ONCE ${marker} 3600`,
  });
  await api(request, "execute_task", {
    project: project.id,
    task: task.id,
    runtime: localCli("claude_code"),
    permission: "accept_edits",
  });
  await expect.poll(async () => (await api(request, "get_task", { project: project.id, task: task.id })).status).toBe("in_queue");

  const reason = /Waiting for the rate limit of Claude Code to reset at \d{4}-\d\d-\d\d \d\d:\d\d UTC/;
  await openHydrated(page, `/p/${project.id}/board`);
  const card = page.locator(`[data-task-id="${task.id}"]`);
  await expect(card.locator(".queue-reason")).toHaveText(reason);
  await expect(card.locator(".fail-reason")).toHaveCount(0);

  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#queue-reason")).toHaveText(reason);
  // The limited attempt stays among the task's attempts.
  await expect(page.locator(".attempts")).toContainText("Attempts (1)");
});
