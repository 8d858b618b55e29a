import { test, expect, type BrowserContext, type Page } from "@playwright/test";
import { api, localCli, newProject, newTask, openHydrated } from "./helpers";

// Notifications are recorded by wrapping the browser's own Notification (the permission is the
// context's, granted as a user would on the browser's prompt), and the tab is made hidden as
// when the user is in another tab.

/** Grants notifications, as a user would on the browser's prompt, and records each shown. */
async function recordNotifications(page: Page, context: BrowserContext) {
  await context.grantPermissions(["notifications"]);
  await page.addInitScript(() => {
    const Real = window.Notification;
    const shown: string[] = ((window as any).__shown = []);
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push(options?.body ?? "");
      }
    }
    Object.defineProperty(window, "Notification", { value: Recorded, configurable: true });
  });
}

test("the title counts what waits for you and a hidden tab is notified of each", async ({ page, request, context }) => {
  await recordNotifications(page, context);
  const project = await newProject(request, "attention-repo");

  // Off until asked for on a click in Settings; the browser is asked then, and it is kept.
  await openHydrated(page, `/p/${project.id}/settings`);
  await expect(page.locator("#notifications-state")).toHaveText("Off.");
  await page.locator("#notifications-on").click();
  await expect(page.locator("#notifications-state")).toContainText("✓ On");
  await page.reload();
  await expect(page.locator("#notifications-state")).toContainText("✓ On");

  await openHydrated(page, `/p/${project.id}/board`);
  await expect(page).toHaveTitle("Board · attention-repo · DevLog");
  await page.evaluate(() => Object.defineProperty(document, "hidden", { configurable: true, get: () => true }));

  const task = await newTask(request, project.id, "Needs a yes", { prompt: "WRITE_FILE yes.txt yes\nREPLY wrote it" });
  const started = await api(request, "execute_task", {
    project: project.id,
    task: task.id,
    runtime: localCli("claude_code"),
    permission: "ask",
  });
  await expect(page).toHaveTitle("(1) Board · attention-repo · DevLog");
  await expect.poll(() => page.evaluate(() => (window as any).__shown)).toEqual([`Task #${task.id} Needs a yes asks for permission: Write`]);

  const session = started.session.id;
  const events = (await api(request, "get_session", { project: project.id, session })).events;
  const asked = events.map((e: any) => e.event ?? e).find((e: any) => e.type === "permission_request");
  await api(request, "answer_permission", {
    project: project.id,
    session,
    request_id: asked.request_id,
    answer: { behavior: "allow" },
  });
  // Answered, then done: the task waits for its review.
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: task.id })).status)
    .toBe("review");
  await expect(page).toHaveTitle("(1) Board · attention-repo · DevLog");
  await expect
    .poll(() => page.evaluate(() => (window as any).__shown))
    .toEqual([`Task #${task.id} Needs a yes asks for permission: Write`, `Task #${task.id} Needs a yes is ready for review`]);

  // Every page of the project counts it.
  await openHydrated(page, `/p/${project.id}/sessions`);
  await expect(page).toHaveTitle("(1) Sessions · attention-repo · DevLog");
  await api(request, "move_task", { project: project.id, task: task.id, status: "done" });
  await openHydrated(page, `/p/${project.id}/sessions`);
  await expect(page).toHaveTitle("Sessions · attention-repo · DevLog");
});

test("notifications turned off in Settings stay off, and the title still counts", async ({ page, request, context }) => {
  await recordNotifications(page, context);
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/settings`);
  await page.locator("#notifications-on").click();
  await expect(page.locator("#notifications-state")).toContainText("✓ On");
  await page.locator("#notifications-off").click();
  await expect(page.locator("#notifications-state")).toHaveText("Off.");

  await openHydrated(page, `/p/${project.id}/board`);
  await page.evaluate(() => Object.defineProperty(document, "hidden", { configurable: true, get: () => true }));
  const task = await newTask(request, project.id, "Fails", { prompt: "REPLY nothing to change" });
  await api(request, "execute_task", { project: project.id, task: task.id, runtime: localCli("claude_code") });
  await expect(page).toHaveTitle(/^\(1\) Board · /);
  expect(await page.evaluate(() => (window as any).__shown)).toEqual([]);
});

test("a board tab holds one activity connection, shared by its cards and the title count", async ({ page, request }) => {
  await page.addInitScript(() => {
    const Real = window.EventSource;
    const opened: string[] = ((window as any).__streams = []);
    class Counted extends Real {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        opened.push(String(url));
      }
    }
    Object.defineProperty(window, "EventSource", { value: Counted, configurable: true });
  });
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/board`);
  await expect
    .poll(() => page.evaluate(() => (window as any).__streams.length))
    .toBe(1);
  const streams: string[] = await page.evaluate(() => (window as any).__streams);
  expect(streams[0]).toContain(`/api/projects/${project.id}/activity`);
  // Its lines still reach the cards: a started task's card shows what its agent does.
  const task = await newTask(request, project.id, "Live", { prompt: "SLOW 3000\nREPLY done" });
  await api(request, "execute_task", { project: project.id, task: task.id, runtime: localCli("claude_code") });
  await expect(page).toHaveTitle(/^\(1\) Board · /);
  expect(await page.evaluate(() => (window as any).__streams.length)).toBe(1);
});
