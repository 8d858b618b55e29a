import { test, expect, type Page } from "@playwright/test";
import { DECLARED_ACP, api, localCli, newProject, newTask, openHydrated } from "./helpers";

/** Starts a session through the API and opens its page once hydrated. */
async function openSession(page: Page, request: any, prompt: string, extra: object = {}, agent = "claude_code") {
  const project = await newProject(request);
  const session = await api(request, "start_session", {
    project: project.id,
    start: { prompt, ...extra },
    runtime: localCli(agent),
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

// Claude Code asks over its stdio control protocol, Gemini CLI over ACP: one flow for both.
for (const [agent, tool, buttons] of [
  ["claude_code", "Write", ["Approve", "Deny"]],
  // An ACP agent's own answers, in its words and order.
  ["gemini", "edit", ["Allow for this session", "Allow", "Reject"]],
  // An agent declared on the server (`--agent`): the same flow, the same card.
  [`acp:${DECLARED_ACP}`, "edit", ["Allow for this session", "Allow", "Reject"]],
] as const) {
  test(`approve a permission request (${agent}); the file is written and the turn finishes`, async ({ page, request }) => {
    await openSession(page, request, "WRITE_FILE approved.txt hello\nREPLY wrote it", {}, agent);
    const card = transcript(page).locator("li.permission");
    await expect(card).toContainText(`Permission requested: ${tool}`);
    await expect(card.locator(".permission-actions button")).toHaveText([...buttons]);
    await page.reload();
    await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
    await transcript(page).locator("li.permission button.approve").click();
    await expect(transcript(page).locator("li.permission .permission-outcome")).toHaveText("Approved");
    await expect(transcript(page).locator(".msg.assistant").last()).toHaveText(/wrote it/);
    await expect(transcript(page).locator("li.tool.tool-ok .tool-name")).toHaveText(tool);
  });
}

test("an ACP agent's 'Allow for this session' is sent as that option: the next edit is not asked", async ({ page, request }) => {
  await openSession(page, request, "WRITE_FILE first.txt one\nWRITE_FILE second.txt two\nREPLY wrote both", {}, "gemini");
  const card = transcript(page).locator("li.permission");
  await expect(card).toHaveCount(1);
  await card.locator("button.approve-always").click();
  await expect(card.locator(".permission-outcome")).toHaveText("Approved");
  await expect(transcript(page).locator(".msg.assistant").last()).toHaveText(/wrote both/);
  await expect(transcript(page).locator("li.tool.tool-ok")).toHaveCount(2);
  await expect(transcript(page).locator("li.permission")).toHaveCount(1);
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
    [{ prompt: "hi" }, localCli("cursor")],
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

test("text streams as the model writes it: one block that grows, then its markdown", async ({ page, request }) => {
  // A word a second: the block grows for ~5 s, longer than the page takes to open and
  // hydrate on a loaded machine (at 400 ms a word it could end before the page was up).
  await openSession(page, request, "TYPING 1000\nREPLY **Streamed** words arrive one by one");
  // While it grows the block is plain text (its markdown is rendered once, complete).
  const growing = transcript(page).locator(".msg.assistant.growing");
  await expect(growing).toContainText("**Streamed**");
  await expect(growing).not.toContainText("one by one");
  await expect(transcript(page).locator(".msg.assistant strong")).toHaveText("Streamed");
  await expect(transcript(page).locator(".msg.assistant.growing")).toHaveCount(0);
  await expect(transcript(page).locator(".msg.assistant")).toHaveCount(1);
  await expect(transcript(page).locator(".msg.assistant")).toHaveText(/Streamed words arrive one by one/);
  // The stored deltas and the complete message make the same one block after a reload.
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(transcript(page).locator(".msg.assistant")).toHaveCount(1);
  await expect(transcript(page).locator(".msg.assistant strong")).toHaveText("Streamed");
});

test("a long session opens at its end and shows the rest on scroll, a window at a time", async ({ page, request }) => {
  const { project, session } = await openSession(page, request, "FLOOD 1500");
  await expect(page.locator("#session-status")).toContainText("Idle", { timeout: 30_000 });
  // Neither the HTML nor its data carry the whole history: only its latest part.
  const html = await (await request.get(`/p/${project.id}/sessions/${session.id}`)).text();
  expect(html).toContain("flood line 1500 t=");
  expect(html).not.toContain("flood line 1 t=");
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  const newest = transcript(page).locator(".msg.assistant", { hasText: "flood line 1500 t=" });
  await expect(newest).toBeInViewport();
  const rows = transcript(page).locator("li[data-seq]");
  expect(await rows.count()).toBeLessThanOrEqual(240);
  // Scrolling up reaches the first message, the older pages fetched on the way.
  const first = transcript(page).locator(".msg.assistant", { hasText: "flood line 1 t=" });
  await page.mouse.move(200, 300);
  await expect
    .poll(
      async () => {
        await page.mouse.wheel(0, -2000);
        expect(await rows.count()).toBeLessThanOrEqual(240);
        return first.count();
      },
      { timeout: 20_000, intervals: [100] },
    )
    .toBe(1);
  await expect(page.locator("#show-earlier")).toHaveCount(0);
  const seqs = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq"))));
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  // The newest rows left the DOM on the way up: one click (or Enter) brings them back.
  await page.locator("#show-latest").focus();
  await page.keyboard.press("Enter");
  await expect(newest).toBeInViewport();
});

test("the page follows new messages at the bottom, and stays where the user scrolled to", async ({ page, request }) => {
  await openSession(page, request, "FLOOD 400\nSLOW 3000\nSTREAM 3\nREPLY the end");
  const lastFlood = transcript(page).locator(".msg.assistant", { hasText: "flood line 400 t=" });
  await expect(lastFlood).toBeInViewport();
  // The user scrolls up while the agent pauses: what comes next does not move the page.
  await page.mouse.move(200, 300);
  await page.mouse.wheel(0, -1500);
  await expect(lastFlood).not.toBeInViewport();
  // The row at the top of the screen, and where it is.
  const read = await transcript(page).evaluate((list) => {
    const row = [...list.children].find((li) => li.getBoundingClientRect().top >= 0);
    return { seq: row?.getAttribute("data-seq"), top: row?.getBoundingClientRect().top ?? -1 };
  });
  await expect(page.locator("#session-status")).toContainText("Idle", { timeout: 15_000 });
  const row = transcript(page).locator(`li[data-seq='${read.seq}']`);
  const top = await row.evaluate((li) => li.getBoundingClientRect().top);
  expect(Math.abs(top - read.top)).toBeLessThan(2);
  await expect(lastFlood).not.toBeInViewport();
  // Back at the bottom, the newest are there and followed again.
  const end = transcript(page).locator(".msg.assistant", { hasText: "the end" });
  await expect
    .poll(
      async () => {
        await page.mouse.wheel(0, 5000);
        if ((await end.count()) === 0) return false;
        return end.evaluate((el) => el.getBoundingClientRect().bottom <= window.innerHeight);
      },
      { timeout: 10_000, intervals: [100] },
    )
    .toBe(true);
  await expect(page.locator("#show-latest")).toHaveCount(0);
});
