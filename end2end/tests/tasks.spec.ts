import { test, expect, type Page } from "@playwright/test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { api, git, newProject, newTask, openHydrated, type Project } from "./helpers";

const card = (page: Page, id: number) => page.locator(`#task-${id}`);

async function useCodex(request: any, project: Project) {
  await api(request, "save_runtime", { project: project.id, selection: { mode: "local_cli", agent: "codex" } });
}

test("create → start on the board → approve in the session → review the diff → mark done", async ({ page, request }) => {
  const project = await newProject(request);
  const task = await newTask(request, project.id, "Add a feature file", {
    prompt: "WRITE_FILE feature.txt the new feature\nREPLY implemented",
  });
  await openHydrated(page, `/p/${project.id}/board`);
  await card(page, task.id).locator("button.start").click();
  await expect(card(page, task.id)).toHaveAttribute("data-status", "in_progress");
  // The card follows what the agent does, live, and from the store after a reload.
  await expect(card(page, task.id).locator(".activity")).toContainText("Waiting for permission: Write");
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(card(page, task.id).locator(".activity")).toContainText("Waiting for permission: Write");
  await card(page, task.id).locator("a.open-session").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("ol.transcript .msg.user").first()).toContainText("# Task: Add a feature file");
  await page.locator("li.permission button.approve").click();
  await expect(page.locator("ol.transcript .msg.assistant").last()).toHaveText(/implemented/);
  await expect(page.locator("#session-status")).toContainText("Completed");
  await expect(page.locator("#follow-up-blocked")).toContainText("This attempt has ended");

  await openHydrated(page, `/p/${project.id}/board`);
  await expect(card(page, task.id)).toHaveAttribute("data-status", "review");
  await card(page, task.id).locator("a.review").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/tasks/${task.id}$`));
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("#task-branch")).toHaveText(`task/${String(task.id).padStart(8, "0")}-add-a-feature-file`);
  await expect(page.locator("#diff-summary")).toContainText("1 file changed");
  const file = page.locator(".file-diff[data-path='feature.txt']");
  await expect(file.locator("summary")).toContainText("+1");
  // Open without a click, numbered: the new file's line 1.
  await expect(file.locator(".patch .line.added .code")).toHaveText(["+the new feature"]);
  await expect(file.locator(".patch .line.added .ln").nth(1)).toHaveText("1");
  await expect(page.locator(".diff-index a")).toHaveText(["feature.txt"]);

  // A long change is shown a page of lines at a time.
  const { worktree_path } = await api(request, "get_task", { project: project.id, task: task.id });
  writeFileSync(join(worktree_path, "long.txt"), Array.from({ length: 1000 }, (_, i) => `line ${i + 1}\n`).join(""));
  writeFileSync(join(worktree_path, "lib.rs"), "fn main() { let x = 1; } // the answer\n");
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  const long = page.locator(".file-diff[data-path='long.txt']");
  // Too big to open by itself: collapsed, with its size, loaded when opened.
  await expect(long.locator("summary")).toContainText("+1000");
  await expect(long.locator("summary")).toContainText("collapsed");
  await expect(long.locator(".patch")).toHaveCount(0);
  await long.locator("summary").click();
  await expect(long.locator(".pager")).toContainText("Lines page 1 of 3");
  await long.getByRole("button", { name: "More lines →" }).click();
  await expect(long.locator(".pager")).toContainText("Lines page 2 of 3");
  await expect(long.locator(".patch .line.added .code").first()).toHaveText(/^\+line 395\s*$/);
  // Code is coloured by its language.
  const rust = page.locator(".file-diff[data-path='lib.rs'] .patch .line.added .code");
  await expect(rust.locator(".tk-kw")).toHaveText(["fn", "let"]);
  await expect(rust.locator(".tk-num")).toHaveText(["1"]);
  await expect(rust.locator(".tk-com")).toHaveText(["// the answer"]);

  // No GitHub CLI on this server: the reason is shown, nothing changes.
  await page.locator("#create-pr").click();
  await expect(page.locator("#pr-error")).toContainText("The GitHub CLI is not installed");

  await page.locator("#mark-done").click();
  await expect(page.locator("#task-status")).toContainText("Done");
  await expect(page.locator(".attempt")).toHaveCount(1);
});

test("a run without changes fails with the reason; Retry with feedback sends it to review", async ({ page, request }) => {
  const project = await newProject(request);
  await useCodex(request, project);
  const task = await newTask(request, project.id, "Tidy up", { prompt: "REPLY there was nothing to tidy" });
  const started = await api(request, "execute_task", {
    project: project.id,
    task: task.id,
    runtime: { selection: { mode: "local_cli", agent: "codex" }, secrets: {} },
  });
  expect(started.task.status).toBe("in_progress");
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: task.id })).status)
    .toBe("fail");

  await openHydrated(page, `/p/${project.id}/board`);
  await expect(card(page, task.id).locator(".fail-reason")).toContainText("Agent finished without changes");
  await card(page, task.id).locator("a.retry").click();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  // Feedback is required.
  await page.locator("#retry-submit").click();
  await expect(page.locator(".field-error[data-field='feedback']")).toBeVisible();
  await page.locator("#retry-feedback").fill("Write the notes this time.\nWRITE_FILE notes.txt tidy notes");
  await page.locator("#retry-submit").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("ol.transcript .msg.user").first()).toContainText("Previous attempt feedback");
  await expect(page.locator("#session-status")).toContainText("Completed");

  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#task-status")).toContainText("Review");
  await expect(page.locator(".attempt")).toHaveCount(2);
  await expect(page.locator(".file-diff[data-path='notes.txt']")).toBeVisible();

  // The worktree is listed with its task; once the task is deleted it can be pruned.
  await openHydrated(page, `/p/${project.id}/worktrees`);
  const row = page.locator("tr.worktree-row", { hasText: "Tidy up" });
  await expect(row).toContainText("1");
  await api(request, "delete_task", { project: project.id, task: task.id });
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("tr.worktree-row", { hasText: "task deleted" })).toHaveCount(1);
  await page.locator("#prune-worktrees").click();
  await expect(page.locator("tr.worktree-row")).toHaveCount(1);
  // The notice outlives the reload of the list the prune caused.
  await expect(page.locator(".worktrees-page .actions [role='status']")).toHaveText("Pruned 1 worktree.");
  await expect(page.locator("tr.worktree-row")).toContainText("main work tree");
  // What it held was kept when the task was deleted, once (the prune found the same state).
  await expect(page.locator("tr.snapshot-row")).toHaveCount(1);
  await expect(page.locator("tr.snapshot-row")).toContainText(`Task ${task.id} (deleted)`);
});

test("Start is gated by the runtime: a bring-your-own-key project without a key says why", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "save_runtime", { project: project.id, selection: { mode: "byok", agent: "claude_code" } });
  const task = await newTask(request, project.id, "Needs a key");
  await openHydrated(page, `/p/${project.id}/board`);
  await expect(card(page, task.id).locator("button.start")).toBeDisabled();
  await expect(card(page, task.id).locator(".gate-reason")).toHaveText("Bring your own key: enter an API key");
  const res = await request.post("/api/execute_task", {
    data: { project: project.id, task: task.id, runtime: { selection: { mode: "byok", agent: "claude_code" }, secrets: {} } },
  });
  expect(res.status()).toBe(409);
  expect((await res.json()).message).toBe("Bring your own key: enter an API key");
  expect((await api(request, "get_task", { project: project.id, task: task.id })).status).toBe("todo");
});

test("a change on the task page reloads its data, not the document: a key typed in this tab survives it", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "save_runtime", { project: project.id, selection: { mode: "byok", agent: "claude_code" } });
  const task = await newTask(request, project.id, "Keyed");
  const other = await newTask(request, project.id, "Comes first");
  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#start-task")).toBeDisabled();
  await page.locator(".start-task .gate-key").fill("sk-ant-typed-in-this-tab");
  await expect(page.locator("#start-task")).toBeEnabled();
  await page.locator("#dependency-choice").selectOption(String(other.id));
  await page.locator("#add-dependency").click();
  await expect(page.locator("#depends-on li")).toHaveCount(1);
  // A document reload would have forgotten the key and disabled Start again.
  await expect(page.locator("#start-task")).toBeEnabled();
  await page.locator("#depends-on .remove-dependency").click();
  await expect(page.locator("#depends-on li")).toHaveCount(0);
  await expect(page.locator("#start-task")).toBeEnabled();
});

test("remove one worktree: refused while its task is in review, then confirmed and gone, its task stays, and its snapshot restores it", async ({ page, request }) => {
  const project = await newProject(request);
  await useCodex(request, project);
  const task = await newTask(request, project.id, "Leaves a worktree", { prompt: "WRITE_FILE left.txt here" });
  await api(request, "execute_task", {
    project: project.id,
    task: task.id,
    runtime: { selection: { mode: "local_cli", agent: "codex" }, secrets: {} },
  });
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: task.id })).status)
    .toBe("review");
  await openHydrated(page, `/p/${project.id}/worktrees`);
  const row = page.locator("tr.worktree-row", { hasText: "Leaves a worktree" });
  await row.locator("button.remove-worktree").click();
  await row.locator("button.confirm-remove").click();
  // Its work is not merged yet: the worktree stays, and the page says why.
  await expect(page.locator(".worktrees-page .form-error")).toContainText("Its task is in review");
  await expect(row).toHaveCount(1);

  await api(request, "move_task", { project: project.id, task: task.id, status: "done" });
  await openHydrated(page, `/p/${project.id}/worktrees`);
  await row.locator("button.remove-worktree").click();
  await row.locator("button.confirm-remove").click();
  await expect(page.locator("tr.worktree-row", { hasText: "Leaves a worktree" })).toHaveCount(0);
  await expect(page.locator(".worktrees-page .form-error")).toHaveCount(0);
  await expect(page.locator("tr.worktree-row")).toContainText("main work tree");
  const { title, worktree_path } = await api(request, "get_task", { project: project.id, task: task.id });
  expect(title).toBe("Leaves a worktree");
  expect(existsSync(worktree_path)).toBeFalsy();

  // Its uncommitted file was kept as a snapshot, which makes the task's worktree again.
  const snapshot = page.locator("tr.snapshot-row");
  await expect(snapshot).toHaveCount(1);
  await expect(snapshot).toContainText("before its worktree was removed");
  await expect(snapshot.locator("a")).toHaveText("Leaves a worktree");
  await snapshot.locator("button.restore-snapshot").click();
  await expect(page.locator(".worktrees-page .actions [role='status']")).toContainText(`Restored as task ${task.id}'s worktree`);
  await expect(page.locator("tr.worktree-row", { hasText: "Leaves a worktree" })).toHaveCount(1);
  expect(readFileSync(join(worktree_path, "left.txt"), "utf8").trim()).toBe("here");
  expect(git(worktree_path, "status", "--porcelain")).toBe("?? left.txt");

  // Deleting the snapshot asks first, then removes only the ref.
  await snapshot.locator("button.delete-snapshot").click();
  await snapshot.locator("button.confirm-delete-snapshot").click();
  await expect(page.locator("tr.snapshot-row")).toHaveCount(0);
  await expect(page.locator("#no-snapshots")).toBeVisible();
  expect(git(project.path, "for-each-ref", "refs/devlog/")).toBe("");
});

test("worktree set-up from Settings: files copied in and the command run before the agent, a failing one fails the attempt", async ({ page, request }) => {
  const project = await newProject(request);
  await useCodex(request, project);
  writeFileSync(join(project.path, ".gitignore"), ".env\n");
  git(project.path, "add", ".gitignore");
  git(project.path, "commit", "-qm", "ignore .env");
  writeFileSync(join(project.path, ".env"), "PORT=4000\n");

  await openHydrated(page, `/p/${project.id}/settings`);
  await page.locator("#setup-copy").fill("../outside");
  await page.locator("#save-setup").click();
  await expect(page.locator("#worktree-setup .field-error[data-field='copy_files']")).toContainText("inside the repository");
  await page.locator("#setup-copy").fill(".env\n");
  await page.locator("#setup-command").fill("cp .env seen.txt && echo ready");
  await page.locator("#save-setup").click();
  await expect(page.locator("#setup-state")).toHaveText("Saved: 1 pattern(s) and a command.");
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator("#setup-command")).toHaveValue("cp .env seen.txt && echo ready");

  const task = await newTask(request, project.id, "Uses the env", { prompt: "WRITE_FILE used.txt used" });
  const started = await api(request, "execute_task", { project: project.id, task: task.id, runtime: { selection: { mode: "local_cli", agent: "codex" }, secrets: {} } });
  await openHydrated(page, `/p/${project.id}/sessions/${started.session.id}`);
  const step = page.locator("li.tool", { hasText: "Worktree set-up" });
  await expect(step).toHaveClass(/tool-ok/);
  await step.locator("summary").click();
  await expect(step.locator(".tool-output")).toContainText("Copied from the main work tree: .env");
  await expect(step.locator(".tool-output")).toContainText("ready");
  await expect(page.locator("#session-status")).toContainText("Completed");
  const { worktree_path } = await api(request, "get_task", { project: project.id, task: task.id });
  expect(readFileSync(join(worktree_path, "seen.txt"), "utf8")).toBe("PORT=4000\n");

  // A failing command fails the attempt with its output; the agent never runs.
  await api(request, "save_worktree_setup", { project: project.id, setup: { copy: [], command: "echo 'no lockfile' >&2; exit 3" } });
  const failing = await newTask(request, project.id, "Breaks in set-up", { prompt: "WRITE_FILE never.txt never" });
  await api(request, "execute_task", { project: project.id, task: failing.id, runtime: { selection: { mode: "local_cli", agent: "codex" }, secrets: {} } });
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: failing.id })).status)
    .toBe("fail");
  await openHydrated(page, `/p/${project.id}/tasks/${failing.id}`);
  await expect(page.locator("#task-fail-reason")).toContainText("exited with code 3: no lockfile");
});

test("the diff follows the agent's edits live, on the task page and on the session page", async ({ page, context, request }) => {
  const project = await newProject(request);
  const task = await newTask(request, project.id, "Edit live", { prompt: "WRITE_FILE live.txt live\nREPLY done" });
  const started = await api(request, "execute_task", {
    project: project.id,
    task: task.id,
    runtime: { selection: { mode: "local_cli", agent: "claude_code" }, secrets: {} },
  });
  const taskPage = await context.newPage();
  await openHydrated(taskPage, `/p/${project.id}/tasks/${task.id}`);
  await expect(taskPage.locator("#live-diff-summary")).toHaveText("0 files · +0 −0");
  await openHydrated(page, `/p/${project.id}/sessions/${started.session.id}`);
  await expect(page.locator("#live-diff-summary")).toHaveText("0 files · +0 −0");

  // The stand-in asks before it writes: once allowed, both pages show the new file.
  await page.locator("li.permission button.approve").click();
  await expect(page.locator("#live-diff-summary")).toHaveText("1 file · +1 −0");
  await expect(taskPage.locator("#live-diff-summary")).toHaveText("1 file · +1 −0");
  await expect(taskPage.locator(".file-diff[data-path='live.txt'] .line.added .code")).toHaveText(["+live"]);
  await page.locator("#live-diff summary").first().click();
  await expect(page.locator("#live-diff .file-diff[data-path='live.txt'] .line.added .code")).toHaveText(["+live"]);
  await taskPage.close();
});
