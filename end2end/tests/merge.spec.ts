// From review to merged: the task page leads with what the agent said and the diff, then
// offers Merge first; a squash lands on the checked-out main, the task is done and its
// worktree goes in one click; a conflict or a dirty main work tree is told before anything is
// written, and Rebase names the conflicting files.
import { test, expect, type APIRequestContext } from "@playwright/test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { api, git, newProject, newTask, openHydrated, type Project } from "./helpers";

const codex = { selection: { mode: "local_cli", agent: "codex" }, secrets: {} };

/** A task the stand-in (as Codex, which asks nothing) took to review with `prompt`. */
async function reviewed(request: APIRequestContext, project: Project, title: string, prompt: string) {
  const task = await newTask(request, project.id, title, { prompt });
  await api(request, "execute_task", { project: project.id, task: task.id, runtime: codex });
  await expect
    .poll(async () => (await api(request, "get_task", { project: project.id, task: task.id })).status)
    .toBe("review");
  return task;
}

test("a reviewed task is squashed into main, done, and its worktree removed in one click", async ({ page, request }) => {
  const project = await newProject(request);
  const task = await reviewed(request, project, "Add the notes", "WRITE_FILE notes.txt the notes\nREPLY Wrote **notes.txt**.");
  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);

  // The work first: the agent's answer (markdown), the diff, then Merge before the others.
  await expect(page.locator("#final-answer strong")).toHaveText("notes.txt");
  await expect(page.locator("#diff-summary")).toContainText("1 file changed");
  await expect(page.locator(".file-diff[data-path='notes.txt'] .line.added .code")).toHaveText(["+the notes"]);
  const order = await page.locator(".task-actions > *").evaluateAll((els) => els.map((e) => e.id || e.className));
  expect(order.indexOf("merge")).toBeLessThan(order.indexOf("create-pr"));
  expect(order.indexOf("create-pr")).toBeLessThan(order.indexOf("retry"));
  await expect(page.locator("#retry h2")).toHaveText("Request changes");

  await expect(page.locator("#merge-summary")).toContainText("1 commit ahead of main");
  await expect(page.locator("#merge-summary")).toContainText("Uncommitted work in the worktree is committed first");
  await expect(page.locator("#merge-target")).toHaveValue("main");
  await page.locator("input[name='merge-strategy'][value='squash']").check();
  await expect(page.locator("#merge-message")).toHaveValue("Add the notes\n\nWrote **notes.txt**.");
  await page.locator("#merge-message").fill("Add the notes\n\nSquashed from the review page.");
  await page.locator("#merge-submit").click();
  await expect(page.locator("#task-notice")).toContainText("Merged into main at");
  await expect(page.locator("#task-status")).toContainText("Done");
  expect(readFileSync(join(project.path, "notes.txt"), "utf8").trim()).toBe("the notes");
  expect(git(project.path, "log", "-1", "--format=%B", "main")).toBe("Add the notes\n\nSquashed from the review page.");
  expect(git(project.path, "status", "--porcelain")).toBe("");

  const { worktree_path } = await api(request, "get_task", { project: project.id, task: task.id });
  expect(existsSync(worktree_path)).toBeTruthy();
  await page.locator("#remove-task-worktree").click();
  await expect(page.locator("#task-notice")).toContainText("The worktree was removed");
  expect(existsSync(worktree_path)).toBeFalsy();
});

test("a conflict is told before anything is written and the agent resolves it; a dirty main work tree blocks", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "save_runtime", { project: project.id, selection: codex.selection });
  const task = await reviewed(request, project, "Reword the readme", "WRITE_FILE README.md theirs");
  writeFileSync(join(project.path, "README.md"), "ours\n");
  git(project.path, "commit", "-qam", "meanwhile on main");
  const before = git(project.path, "rev-parse", "main");

  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#merge-summary")).toContainText("1 commit behind");
  await expect(page.locator("#merge-conflicts li")).toHaveText(["README.md"]);
  await expect(page.locator("#merge-submit")).toBeDisabled();
  await expect(page.locator("#merge-refusal")).toContainText("conflicts with main in README.md");
  await page.locator("#rebase").click();
  await expect(page.locator("#merge .form-error")).toContainText("conflicts in README.md: the rebase was undone");
  expect(git(project.path, "rev-parse", "main")).toBe(before);
  expect(readFileSync(join(project.path, "README.md"), "utf8")).toBe("ours\n");

  // Ask the agent to resolve: a new attempt told the files, in a worktree with the merge open.
  await page.locator("#resolve-note").fill("WRITE_FILE README.md both sides");
  await page.locator("#resolve-with-agent").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  await expect(page.locator("ol.transcript .msg.user").first()).toContainText("stopped at conflicts in: README.md");
  await expect(page.locator("#session-status")).toContainText("Completed");
  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator("#merge-conflicts")).toHaveCount(0);
  await page.locator("input[name='merge-strategy'][value='fast_forward']").check();
  await page.locator("#merge-submit").click();
  await expect(page.locator("#task-status")).toContainText("Done");
  expect(readFileSync(join(project.path, "README.md"), "utf8").trim()).toBe("both sides");

  // A change of the user's own in the main work tree blocks the merge, named.
  const other = await reviewed(request, project, "Add a file", "WRITE_FILE added.txt added");
  writeFileSync(join(project.path, "README.md"), "my edit, not committed\n");
  await openHydrated(page, `/p/${project.id}/tasks/${other.id}`);
  await expect(page.locator("#merge-blocked")).toContainText("uncommitted changes (README.md)");
  await expect(page.locator("#merge-submit")).toBeDisabled();
  expect(readFileSync(join(project.path, "README.md"), "utf8")).toBe("my edit, not committed\n");
  expect(existsSync(join(project.path, "added.txt"))).toBeFalsy();
});

test("a comment on diff lines survives a reload and reaches the agent's prompt with its file and lines", async ({ page, request }) => {
  const project = await newProject(request);
  await api(request, "save_runtime", { project: project.id, selection: codex.selection });
  const task = await reviewed(request, project, "Add a sum", "WRITE_FILE notes.txt notes");
  const { worktree_path } = await api(request, "get_task", { project: project.id, task: task.id });
  writeFileSync(join(worktree_path, "lib.rs"), "let x = 1;\nlet y = x + 1;\nprintln!(\"{y}\");\n");
  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);

  // Select lines 1–2 by their numbers (shift extends), then write the comment.
  const file = page.locator(".file-diff[data-path='lib.rs']");
  await file.locator("button.ln[data-line='1']").click();
  await file.locator("button.ln[data-line='2']").click({ modifiers: ["Shift"] });
  await expect(file.locator(".line.selected")).toHaveCount(2);
  await expect(page.locator("#comment-form label")).toHaveText("Comment on lines 1–2");
  await page.locator("#comment-add").click();
  await expect(page.locator("#comment-form .field-error")).toBeVisible();
  await page.locator("#comment-body").fill("Name x `total`.");
  await page.locator("#comment-add").click();
  await expect(file.locator(".review-comment .comment-location")).toHaveText("lib.rs:1–2");
  await expect(page.locator("#comment-form")).toHaveCount(0);

  // Kept with the task: a reload shows it, and the retry form offers to send it.
  await page.reload();
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(file.locator(".review-comment .comment-body")).toHaveText("Name x `total`.");
  await expect(page.locator("#pending-comments li")).toHaveCount(1);
  await expect(page.locator("#send-comments")).toHaveText("Send 1 comment");
  await page.locator("#retry-feedback").fill("Keep it short.");
  await page.locator("#send-comments").click();
  await expect(page).toHaveURL(new RegExp(`/p/${project.id}/sessions/\\d+$`));
  const prompt = page.locator("ol.transcript .msg.user").first();
  await expect(prompt).toContainText("Keep it short.");
  await expect(prompt).toContainText("- lib.rs:1–2: Name x `total`.");
  await expect(prompt).toContainText("> let y = x + 1;");
  await expect(page.locator("#session-status")).toContainText("Completed");

  // Sent: the review no longer holds it.
  await openHydrated(page, `/p/${project.id}/tasks/${task.id}`);
  await expect(page.locator(".review-comment")).toHaveCount(0);
  await expect(page.locator("#send-comments")).toHaveCount(0);
});
