import { test, expect } from "@playwright/test";
import { api, card, column, columnTitles, newProject, newTask, openHydrated } from "./helpers";

test.describe("server-rendered board", () => {
  test("every card is in the first HTML, on every request", async ({ request }) => {
    const project = await newProject(request);
    const titles = ["SSR one", "SSR two", "SSR three"];
    for (const t of titles) await newTask(request, project.id, t);
    // Streaming SSR would make this a race; the board route renders in full before sending.
    for (let i = 0; i < 20; i++) {
      const html = await (await request.get(`/p/${project.id}/board`)).text();
      for (const t of titles) expect(html, `request ${i}`).toContain(t);
      expect(html).toContain("3 active · 0 queued · 0 failed");
    }
  });

  test.describe("with JavaScript disabled", () => {
    test.use({ javaScriptEnabled: false });
    test("the cards are visible with their status and priority", async ({ page, request }) => {
      const project = await newProject(request);
      await newTask(request, project.id, "No-JS task", { priority: "urgent" });
      for (let i = 0; i < 5; i++) {
        await page.goto(`/p/${project.id}/board`);
        const c = card(page, "No-JS task");
        await expect(c).toBeVisible();
        await expect(c.locator(".status-badge")).toHaveText(/To do/);
        await expect(c.locator(".priority")).toHaveText("Urgent");
        await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
      }
    });
  });
});

test("create, edit and delete tasks; a reload shows the same board", async ({ page, request }) => {
  const project = await newProject(request);
  await openHydrated(page, `/p/${project.id}/board`);

  await page.locator("#new-task").click();
  await page.locator("#new-task-title").fill("   ");
  await page.getByRole("button", { name: "Create task" }).click();
  await expect(page.locator(".create-task .field-error[data-field='title']")).toHaveText("Title: is required");

  await page.locator("#new-task-title").fill("Add a login page");
  await page.locator("#new-task-description").fill("Email + password");
  await page.locator("#new-task-prompt").fill("Build the login form");
  await page.locator("#new-task-priority").selectOption("high");
  await page.getByRole("button", { name: "Create task" }).click();
  await expect(card(page, "Add a login page")).toBeVisible();
  // By id from here on: while editing, the card shows a form instead of its title.
  const created = page.locator(`#task-${await card(page, "Add a login page").getAttribute("data-task-id")}`);
  await expect(created.locator(".priority")).toHaveText("High");
  await expect(page.locator("#new-task-title")).toHaveValue("");
  await expect(page.locator("#board-counts")).toHaveText("1 active · 0 queued · 0 failed");

  await created.locator(".card-menu summary").click();
  await created.getByRole("button", { name: "Edit" }).click();
  await created.locator("input[name='title']").fill("");
  await created.getByRole("button", { name: "Save" }).click();
  await expect(created.locator(".field-error[data-field='title']")).toBeVisible();
  await created.locator("input[name='title']").fill("Add a sign-in page");
  await created.getByRole("button", { name: "Save" }).click();
  const edited = card(page, "Add a sign-in page");
  await expect(edited).toBeVisible();

  await newTask(request, project.id, "Throwaway");
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  expect(await columnTitles(page, "queued")).toEqual(["Add a sign-in page", "Throwaway"]);
  await expect(card(page, "Add a sign-in page").locator(".card-description")).toHaveText("Email + password");

  const throwaway = card(page, "Throwaway");
  await throwaway.locator(".card-menu summary").click();
  await throwaway.getByRole("button", { name: "Delete" }).click();
  await throwaway.locator("button.confirm-delete").click();
  await expect(card(page, "Throwaway")).toHaveCount(0);
  await page.reload();
  expect(await columnTitles(page, "queued")).toEqual(["Add a sign-in page"]);
});

test("reorder within a column by keyboard and by drag and drop", async ({ page, request }) => {
  const project = await newProject(request);
  for (const t of ["First", "Second", "Third"]) await newTask(request, project.id, t);
  await openHydrated(page, `/p/${project.id}/board`);
  expect(await columnTitles(page, "queued")).toEqual(["First", "Second", "Third"]);

  await card(page, "Third").focus();
  await page.keyboard.press("Alt+ArrowUp");
  await expect.poll(() => columnTitles(page, "queued")).toEqual(["First", "Third", "Second"]);
  await expect(card(page, "Third")).toBeFocused();
  await page.keyboard.press("Alt+ArrowUp");
  await expect.poll(() => columnTitles(page, "queued")).toEqual(["Third", "First", "Second"]);
  await page.keyboard.press("Alt+ArrowDown");
  await expect.poll(() => columnTitles(page, "queued")).toEqual(["First", "Third", "Second"]);

  // Grab a card by its title, as a person would (its buttons and menu are not handles).
  await card(page, "Second").locator(".card-title").dragTo(card(page, "First").locator(".card-title"));
  await expect.poll(() => columnTitles(page, "queued")).toEqual(["Second", "First", "Third"]);

  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  expect(await columnTitles(page, "queued")).toEqual(["Second", "First", "Third"]);
});

test("moves follow the state machine; an illegal move is refused with its reason", async ({ page, request }) => {
  const project = await newProject(request);
  await newTask(request, project.id, "Movable");
  await openHydrated(page, `/p/${project.id}/board`);
  const c = () => card(page, "Movable");

  // Legal by hand: to do -> blocked, shown in the Failed group with its own status.
  await c().locator(".card-menu summary").click();
  await c().locator("select[aria-label='Move to']").selectOption("blocked");
  await expect(column(page, "failed").locator(".card-title")).toHaveText(["Movable"]);
  await expect(c().locator(".status-badge")).toHaveText(/Blocked/);

  // The menu offers only the moves allowed by hand.
  await c().locator(".card-menu summary").click();
  const offered = await c().locator("select[aria-label='Move to'] option").allTextContents();
  expect(offered).toEqual(["Move to…", "To do"]);

  // Illegal by drag: blocked -> done is refused with the reason on the card, which stays;
  // dropping on Queued unblocks it.
  await page.locator(".toggle-done").click();
  await c().locator(".card-title").dragTo(column(page, "done"));
  await expect(c().locator(".card-error")).toContainText("A task cannot go from blocked to done");
  await expect(c()).toHaveAttribute("data-status", "blocked");
  await c().locator(".card-title").dragTo(column(page, "queued"));
  await expect(column(page, "queued").locator(".card-title")).toHaveText(["Movable"]);
  await expect(c()).toHaveAttribute("data-status", "todo");
  await expect(c().locator(".card-error")).toHaveCount(0);

  await page.reload();
  await expect(c()).toHaveAttribute("data-status", "todo");
});

test("Needs me filter and the collapsed Done column", async ({ page, request }) => {
  const project = await newProject(request);
  await newTask(request, project.id, "Just a todo");
  await openHydrated(page, `/p/${project.id}/board`);
  await expect(page.locator("#needs-me")).toHaveText("Needs me (0)");
  await page.locator("#needs-me").click();
  await expect(column(page, "queued")).toBeHidden();
  await expect(column(page, "review")).toBeVisible();
  await expect(column(page, "failed")).toBeVisible();
  await page.locator("#needs-me").click();
  await expect(column(page, "queued")).toBeVisible();
  await expect(column(page, "done").locator(".cards")).toHaveCount(0);
  await page.locator(".toggle-done").click();
  await expect(column(page, "done").locator(".empty")).toHaveText("Nothing here.");
});

test("a task of another project is not reachable through this one", async ({ request }) => {
  const a = await newProject(request);
  const b = await newProject(request);
  const t = await newTask(request, a.id, "Private to A");
  const res = await request.post("/api/get_task", { data: { project: b.id, task: t.id } });
  expect(res.status()).toBe(404);
  const del = await request.post("/api/delete_task", { data: { project: b.id, task: t.id } });
  expect(del.status()).toBe(404);
  const still = await api(request, "get_task", { project: a.id, task: t.id });
  expect(still.title).toBe("Private to A");
});

test("a long column renders its first cards and the rest on demand; Done renders once opened", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "save_runtime", { project: project.id, selection: { mode: "local_cli", agent: "codex" } });
  const finished = await newTask(request, project.id, "Finished work", { prompt: "WRITE_FILE done.txt done" });
  await api(request, "execute_task", {
    project: project.id,
    task: finished.id,
    runtime: { selection: { mode: "local_cli", agent: "codex" }, secrets: {} },
  });
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: finished.id })).status)
    .toBe("review");
  await api(request, "move_task", { project: project.id, task: finished.id, status: "done" });
  for (let i = 0; i < 55; i++) await newTask(request, project.id, `Long column ${i}.`);

  // The first HTML holds the first 50 cards of the column, and no done card.
  const html = await (await request.get(`/p/${project.id}/board`)).text();
  expect(html).toContain("Long column 49.");
  expect(html).not.toContain("Long column 50.");
  expect(html).not.toContain("Finished work");

  await openHydrated(page, `/p/${project.id}/board`);
  await expect(column(page, "queued").locator(".column-count")).toHaveText("55");
  await expect(column(page, "queued").locator("article.card")).toHaveCount(50);
  await column(page, "queued").locator("button.show-more").click();
  await expect(column(page, "queued").locator("article.card")).toHaveCount(55);
  expect((await columnTitles(page, "queued")).slice(-2)).toEqual(["Long column 53.", "Long column 54."]);
  await expect(column(page, "queued").locator("button.show-more")).toHaveCount(0);

  await page.locator(".toggle-done").click();
  await expect(column(page, "done").locator(".card-title")).toHaveText(["Finished work"]);

  // One ⋯ menu for the board: it opens on the card asked for, and Escape closes it.
  const first = card(page, "Long column 0.");
  await first.locator(".card-menu summary").click();
  await expect(first.locator(".card-menu .menu")).toBeVisible();
  await expect(page.locator(".card-menu .menu")).toHaveCount(1);
  await page.keyboard.press("Escape");
  await expect(page.locator(".card-menu .menu")).toHaveCount(0);
  await expect(first.locator(".card-menu summary")).toBeFocused();
});
