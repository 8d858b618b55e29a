import { test, expect, type Page } from "@playwright/test";
import { api, localCli, newProject, openHydrated } from "./helpers";

// A permission request shows what the tool will do, as a person judges it: a write's file and
// content, an edit's old → new diff, a command's line and folder. The transcript's tool cards
// read the same way.

async function sessionAsking(page: Page, request: any, prompt: string, agent = "claude_code") {
  const project = await newProject(request);
  const session = await api(request, "start_session", {
    project: project.id,
    start: { prompt },
    runtime: localCli(agent),
  });
  await openHydrated(page, `/p/${project.id}/sessions/${session.id}`);
  const card = page.locator("ol.transcript li.permission");
  await expect(card).toHaveCount(1);
  return card;
}

test("a Write request shows the file, its size and its content as code", async ({ page, request }) => {
  const card = await sessionAsking(page, request, "WRITE_FILE notes.txt hello from the agent\nREPLY wrote it");
  await expect(card.locator(".tool-write .tool-path")).toContainText("Writes notes.txt");
  await expect(card.locator(".tool-write .tool-path")).toContainText("21 bytes · 1 line(s)");
  await expect(card.locator(".tool-write pre.tool-code")).toHaveText("hello from the agent\n");
  await expect(card.locator("pre.tool-input")).toHaveCount(0); // not the raw JSON
  await card.locator("button.approve").click();
  await expect(card.locator(".permission-outcome")).toHaveText("Approved");
  // The tool card in the transcript reads the same.
  const tool = page.locator("ol.transcript li.tool").first();
  await tool.locator("summary").click();
  await expect(tool.locator(".tool-write pre.tool-code")).toHaveText("hello from the agent\n");
});

test("an Edit request shows its old → new diff", async ({ page, request }) => {
  const card = await sessionAsking(page, request, "EDIT_FILE README.md # test => # tested\nREPLY edited");
  await expect(card.locator(".tool-edit .tool-path")).toHaveText("Edits README.md");
  await expect(card.locator(".tool-diff .diff-del")).toHaveText(["- # test"]);
  await expect(card.locator(".tool-diff .diff-add")).toHaveText(["+ # tested"]);
  await card.locator("button.approve").click();
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/edited/);
});

test("a Bash request shows the command line and where it runs", async ({ page, request }) => {
  const card = await sessionAsking(page, request, "ASK Bash\nREPLY ran it");
  await expect(card.locator(".tool-command pre.tool-command-line")).toHaveText("$ Bash something");
  await expect(card.locator(".tool-command .tool-cwd")).toHaveText("in the session's folder");
  await card.locator("button.deny").click();
  await expect(card.locator(".permission-outcome")).toHaveText("Denied");
});

test("an ACP agent's edit request shows its diff the same way", async ({ page, request }) => {
  const card = await sessionAsking(page, request, "EDIT_FILE README.md # test => # changed\nREPLY edited", "gemini");
  await expect(card.locator(".tool-edit .tool-path code")).toHaveText(/README\.md$/);
  await expect(card.locator(".tool-diff .diff-del")).toHaveText(["- # test"]);
  await expect(card.locator(".tool-diff .diff-add")).toHaveText(["+ # changed"]);
});

test("a long write shows its start and says how much is not shown", async ({ page, request }) => {
  const long = Array.from({ length: 1000 }, (_, i) => `word${i}`).join(" "); // 7.9 KB on one line
  const card = await sessionAsking(page, request, `WRITE_FILE long.txt ${long}\nREPLY ok`);
  await expect(card.locator(".tool-write pre.tool-code")).toContainText("word0 word1");
  await expect(card.locator(".tool-write pre.tool-code")).not.toContainText("word999");
  await expect(card.locator(".tool-write .tool-cut")).toHaveText("Only the start is shown: 4.0 KB of 7.9 KB.");
});

test("an unknown tool falls back to its pretty JSON", async ({ page, request }) => {
  const card = await sessionAsking(page, request, "ASK WebFetch\nREPLY fetched");
  await expect(card.locator("pre.tool-input")).toContainText('"command": "WebFetch something"');
});
