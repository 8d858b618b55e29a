import { test, expect, type Page } from "@playwright/test";
import { api, card, column, localCli, newProject, newTask, openHydrated } from "./helpers";

// What makes DevLog feel like a developer's tool: dark mode, the keyboard, a board search that
// lives in the address, a layout for wide screens and phones, relative times.

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
const LIGHT_BG = "rgb(246, 247, 249)";
const DARK_BG = "rgb(15, 19, 25)";

test.describe("dark mode", () => {
  test.use({ colorScheme: "dark" });

  test("follows the system's scheme, and the toggle's choice is remembered", async ({ page, request }) => {
    const project = await newProject(request);
    await openHydrated(page, `/p/${project.id}/board`);
    expect(await background(page)).toBe(DARK_BG);
    // Status colours are the dark palette's too (lighter, to keep their contrast).
    const todo = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--todo"));
    expect(todo).toContain("light-dark");
    await expect(page.locator("#theme-toggle")).toHaveText(/Theme: system/);

    await page.locator("#theme-toggle").click();
    await expect(page.locator("#theme-toggle")).toHaveText(/Theme: light/);
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    expect(await background(page)).toBe(LIGHT_BG);

    // Remembered: a reload paints it light from the first frame (set before the style applies).
    await openHydrated(page, `/p/${project.id}/sessions`);
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    expect(await background(page)).toBe(LIGHT_BG);
    await expect(page.locator("#theme-toggle")).toHaveText(/Theme: light/);

    await page.locator("#theme-toggle").click();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    expect(await background(page)).toBe(DARK_BG);
    await page.locator("#theme-toggle").click();
    await expect(page.locator("#theme-toggle")).toHaveText(/Theme: system/);
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", /.*/);
    expect(await background(page)).toBe(DARK_BG);
  });
});

test("a light system gets the light palette", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/board`);
  expect(await background(page)).toBe(LIGHT_BG);
});

test.describe("keyboard", () => {
  test("? lists the shortcuts, / searches, j/k walk the cards, Enter opens one", async ({ page, request }) => {
    const project = await newProject(request);
    const first = await newTask(request, project.id, "First card");
    await newTask(request, project.id, "Second card");
    await openHydrated(page, `/p/${project.id}/board`);

    await page.keyboard.press("?");
    await expect(page.locator("dialog#shortcuts")).toBeVisible();
    await expect(page.locator("dialog#shortcuts")).toContainText("Approve / deny the pending permission");
    await page.keyboard.press("Escape");
    await expect(page.locator("dialog#shortcuts")).toBeHidden();

    await page.keyboard.press("j");
    await expect(card(page, "First card")).toBeFocused();
    await page.keyboard.press("j");
    await expect(card(page, "Second card")).toBeFocused();
    await page.keyboard.press("k");
    await expect(card(page, "First card")).toBeFocused();

    await page.keyboard.press("/");
    await expect(page.locator("#board-search")).toBeFocused();
    // Typed into the field, the keys are words, not shortcuts.
    await page.keyboard.type("n?j");
    await expect(page.locator("#board-search")).toHaveValue("n?j");
    await expect(page.locator("dialog#shortcuts")).toBeHidden();
    await expect(page.locator("section.create-task")).toHaveCount(0);
    await page.locator("#board-search").fill("");

    await card(page, "First card").focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/p/${project.id}/tasks/${first.id}$`));
  });

  test("n opens a new task with the cursor in its title, s starts the focused card", async ({ page, request }) => {
    const project = await newProject(request);
    await api(request, "save_runtime", { project: project.id, selection: { mode: "local_cli", agent: "codex" } });
    await newTask(request, project.id, "Start me", { prompt: "REPLY started by a key" });
    await openHydrated(page, `/p/${project.id}/board`);

    await page.keyboard.press("n");
    await expect(page.locator("section.create-task")).toBeVisible();
    await expect(page.locator("#new-task-title")).toBeFocused();
    await page.keyboard.type("Typed after n");
    await page.keyboard.press("Escape");
    await page.locator("#new-task").click(); // closes the form
    await expect(page.locator("section.create-task")).toHaveCount(0);

    await card(page, "Start me").focus();
    await page.keyboard.press("s");
    // Started: it leaves To do (a run that changes nothing ends failed, said on its card).
    await expect(card(page, "Start me")).toHaveAttribute("data-status", /^(in_progress|review|fail)$/);
  });

  test("a and d answer the pending permission on a session page", async ({ page, request }) => {
    const project = await newProject(request);
    const session = await api(request, "start_session", {
      project: project.id,
      start: { prompt: "ASK Bash\nASK Write\nREPLY both answered" },
      runtime: localCli("claude_code"),
    });
    await openHydrated(page, `/p/${project.id}/sessions/${session.id}`);
    const cards = page.locator("ol.transcript li.permission");
    await expect(cards).toHaveCount(1);
    await page.keyboard.press("a");
    await expect(cards.nth(0).locator(".permission-outcome")).toHaveText("Approved");
    await expect(cards).toHaveCount(2);
    await expect(cards.nth(1).locator("button.deny")).toBeEnabled();
    await page.keyboard.press("d");
    await expect(cards.nth(1).locator(".permission-outcome")).toHaveText("Denied");
    await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/both answered/);
  });
});

test("the board's search and filters live in the address and survive a reload", async ({ page, request }) => {
  const project = await newProject(request);
  await newTask(request, project.id, "Login page", { description: "with OAuth", priority: "high" });
  await newTask(request, project.id, "Logout button", { priority: "low" });
  await newTask(request, project.id, "Docs", { prompt: "mention the login flow" });
  await openHydrated(page, `/p/${project.id}/board`);
  await expect(column(page, "queued").locator(".card")).toHaveCount(3);

  await page.locator("#board-search").fill("login");
  await expect(page).toHaveURL(/[?&]q=login(&|$)/);
  // The prompt is searched too.
  await expect(column(page, "queued").locator(".card-title")).toHaveText(["Login page", "Docs"]);
  await expect(page.locator("#board-filtered")).toHaveText("Showing 2 of 3 tasks");

  await page.locator("#filter-priority").selectOption("high");
  await expect(page).toHaveURL(/priority=high/);
  await expect(column(page, "queued").locator(".card-title")).toHaveText(["Login page"]);

  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("#board-search")).toHaveValue("login");
  await expect(page.locator("#filter-priority")).toHaveValue("high");
  await expect(column(page, "queued").locator(".card-title")).toHaveText(["Login page"]);

  // "Needs me" is kept in the address too.
  await page.locator("#needs-me").click();
  await expect(page).toHaveURL(/needs=me/);
  await expect(column(page, "queued")).toBeHidden();

  await page.locator("#clear-filter").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/board$`));
  await expect(column(page, "queued").locator(".card")).toHaveCount(3);
  await expect(page.locator("#board-search")).toHaveValue("");
});

test("the board filters by the agent that worked on a task", async ({ page, request }) => {
  const project = await newProject(request);
  const ran = await newTask(request, project.id, "Ran with Claude", { prompt: "REPLY done" });
  await newTask(request, project.id, "Never ran");
  await api(request, "execute_task", { project: project.id, task: ran.id, runtime: localCli("claude_code") });
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: ran.id })).status)
    .toMatch(/^(review|fail)$/);
  await openHydrated(page, `/p/${project.id}/board?agent=claude_code`);
  await expect(page.locator("#filter-agent")).toHaveValue("claude_code");
  await expect(page.locator("article.card .card-title")).toHaveText(["Ran with Claude"]);
  await page.locator("#filter-agent").selectOption("codex");
  await expect(page).toHaveURL(/agent=codex/);
  await expect(page.locator("article.card")).toHaveCount(0);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the board shows one group at a time, with a switcher", async ({ page, request }) => {
    const project = await newProject(request);
    await newTask(request, project.id, "Still to do");
    await openHydrated(page, `/p/${project.id}/board`);
    const switcher = page.locator("nav.group-switcher");
    await expect(switcher).toBeVisible();
    await expect(page.locator("section.column:visible")).toHaveCount(1);
    await expect(column(page, "queued")).toBeVisible();
    await expect(switcher.locator("button[data-group='queued']")).toHaveAttribute("aria-pressed", "true");
    await switcher.locator("button[data-group='review']").click();
    await expect(column(page, "review")).toBeVisible();
    await expect(column(page, "queued")).toBeHidden();
    await expect(page.locator("section.column:visible")).toHaveCount(1);
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });
});

test("a wide screen has no group switcher and shows the session beside its details", async ({ page, request }) => {
  await page.setViewportSize({ width: 1600, height: 900 });
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/board`);
  await expect(page.locator("nav.group-switcher")).toBeHidden();
  await expect(page.locator("section.column:visible")).toHaveCount(5);

  const session = await api(request, "start_session", {
    project: project.id,
    start: { prompt: "REPLY side by side" },
    runtime: localCli("claude_code"),
  });
  await openHydrated(page, `/p/${project.id}/sessions/${session.id}`);
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/side by side/);
  const transcript = await page.locator("ol.transcript").boundingBox();
  const header = await page.locator(".session-header").boundingBox();
  expect(transcript && header).toBeTruthy();
  expect(header!.x).toBeGreaterThanOrEqual(transcript!.x + transcript!.width);
  expect(transcript!.width).toBeGreaterThan(700);
});

test("the follow-up box never covers the newest item", async ({ page, request }) => {
  const project = await newProject(request);
  const lines = Array.from({ length: 40 }, (_, i) => `REPLY line ${i} of a long answer`).join("\n");
  const session = await api(request, "start_session", {
    project: project.id,
    start: { prompt: `${lines}\nASK Write` },
    runtime: localCli("claude_code"),
  });
  await page.setViewportSize({ width: 1200, height: 700 });
  await openHydrated(page, `/p/${project.id}/sessions/${session.id}`);
  const permission = page.locator("ol.transcript li.permission");
  await expect(permission.locator("button.approve")).toBeVisible();
  const composer = page.locator("form.follow-up, .follow-up").first();
  await expect
    .poll(async () => {
      const last = await permission.boundingBox();
      const box = await composer.boundingBox();
      return last && box ? last.y + last.height <= box.y + 0.5 : false;
    })
    .toBe(true);
  // Its buttons are clickable where they are: nothing lies on top of them.
  await permission.locator("button.approve").click({ trial: true });
});

test("times read as relative, with the absolute time on hover", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "start_session", {
    project: project.id,
    start: { prompt: "REPLY hi" },
    runtime: localCli("claude_code"),
  });
  await openHydrated(page, `/p/${project.id}/sessions`);
  const created = page.locator(".session-row td time").first();
  await expect(created).toHaveText(/just now|min ago/);
  await expect(created).toHaveAttribute("title", /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  await expect(created).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  await expect(page.locator("link[rel='icon']")).toHaveAttribute("href", "/favicon.svg");
  await expect(page).toHaveTitle(/^Sessions · .+ · DevLog$/);
});
