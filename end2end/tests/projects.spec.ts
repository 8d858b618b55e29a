import { test, expect } from "@playwright/test";
import { makeRepo, openHydrated, api } from "./helpers";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("register a git repository, then land on its board", async ({ page }) => {
  const repo = makeRepo("shop-api");
  await openHydrated(page, "/");
  await page.locator("#project-path").fill(repo);
  await page.locator("#inspect-path").click();
  await expect(page.locator("#project-name")).toHaveValue("shop-api");
  await expect(page.locator("#project-branch")).toHaveValue("main");
  await page.locator("#project-name").fill("Shop API");
  await page.locator("#register-project").click();
  await expect(page).toHaveURL(/\/p\/\d+\/board$/);
  await expect(page.locator("h1")).toHaveText("Shop API");
  await expect(page.locator("#board-counts")).toHaveText("0 active · 0 queued · 0 failed");
});

test("a path that is not a git work tree is refused with a reason, and nothing is created", async ({ page, request }) => {
  const plain = mkdtempSync(join(tmpdir(), "devlog-plain-"));
  await openHydrated(page, "/");
  await page.locator("#project-path").fill(plain);
  await page.locator("#register-project").click();
  await expect(page.locator(".field-error[data-field='path']")).toContainText("is not inside a git work tree");
  await page.locator("#project-path").fill("   ");
  await page.locator("#register-project").click();
  await expect(page.locator(".field-error[data-field='path']")).toContainText("is required");
  const repo = makeRepo();
  await page.locator("#project-path").fill(repo);
  await page.locator("#project-branch").fill("no-such-branch");
  await page.locator("#register-project").click();
  await expect(page.locator(".field-error[data-field='default_branch']")).toContainText("does not exist");
  // Other tests register projects in parallel: check that none of these paths was registered.
  const paths = (await api<{ path: string }[]>(request, "list_projects", {})).map((p) => p.path);
  expect(paths).not.toContain(plain);
  expect(paths).not.toContain(repo);
});

test("rename, switch between and remove projects; files stay on disk", async ({ page, request }) => {
  const a = await api(request, "register_project", { draft: { path: makeRepo("alpha"), name: "Alpha e2e" } });
  const b = await api(request, "register_project", { draft: { path: makeRepo("beta"), name: "Beta e2e" } });
  await openHydrated(page, `/p/${a.id}/board`);
  await page.locator("#project-switcher").selectOption(String(b.id));
  await expect(page).toHaveURL(new RegExp(`/p/${b.id}/board$`));
  await expect(page.locator("h1")).toHaveText("Beta e2e");

  await openHydrated(page, "/");
  const row = page.locator(`li.project[data-project-id='${a.id}']`);
  await row.locator("button.rename").click();
  await row.locator("input[name='name']").fill("Alpha renamed");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.locator(".project-name")).toHaveText("Alpha renamed");
  await page.reload();
  await expect(page.locator(`li.project[data-project-id='${a.id}'] .project-name`)).toHaveText("Alpha renamed");

  await openHydrated(page, "/");
  const again = page.locator(`li.project[data-project-id='${a.id}']`);
  await again.locator("button.remove").click();
  await again.locator("button.confirm-remove").click();
  await expect(page.locator(`li.project[data-project-id='${a.id}']`)).toHaveCount(0);
  const { existsSync } = await import("node:fs");
  expect(existsSync(join(a.path, "README.md"))).toBeTruthy();
  expect(existsSync(join(a.path, ".git"))).toBeTruthy();
});

test("a project's pages share its bar and title; an unknown project or session is a 404 with a way back", async ({ page, request }) => {
  const p = await api(request, "register_project", { draft: { path: makeRepo("frame"), name: "Frame e2e" } });
  await openHydrated(page, `/p/${p.id}/board`);
  await expect(page).toHaveTitle("Board · Frame e2e · DevLog");
  await expect(page.locator("#project-switcher")).toHaveValue(String(p.id));
  // Inside the app, the bar stays and only the page below it changes.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sessions" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/${p.id}/sessions$`));
  await expect(page.locator("h1")).toHaveText("Frame e2e · Sessions");
  await expect(page).toHaveTitle("Sessions · Frame e2e · DevLog");
  await expect(page.locator("#project-switcher")).toHaveValue(String(p.id));

  const noSession = await page.goto(`/p/${p.id}/sessions/999999`);
  expect(noSession?.status()).toBe(404);
  await expect(page.locator(".error-panel")).toContainText("Not found");
  await expect(page.locator("#project-switcher")).toHaveValue(String(p.id));

  const noProject = await page.goto("/p/999999/board");
  expect(noProject?.status()).toBe(404);
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
  await expect(page.locator(".error-panel")).toContainText("Not found");
  await page.getByRole("link", { name: "Back to your projects" }).click();
  await expect(page).toHaveURL(/\/$/);
});
