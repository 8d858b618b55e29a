import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh git repository with one commit on `main`, in a folder named `name`. */
export function makeRepo(name = "repo"): string {
  const dir = join(mkdtempSync(join(tmpdir(), "devlog-e2e-")), name);
  mkdirSync(dir);
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(join(dir, "README.md"), "# test\n");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

/** Runs `git -C dir args…` as the tests' author; its trimmed output. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "e2e",
      GIT_AUTHOR_EMAIL: "e2e@example.invalid",
      GIT_COMMITTER_NAME: "e2e",
      GIT_COMMITTER_EMAIL: "e2e@example.invalid",
    },
  })
    .toString()
    .trim();
}

/** Calls a server function through its stable JSON endpoint. */
export async function api<T = any>(request: APIRequestContext, name: string, args: object): Promise<T> {
  const res = await request.post(`/api/${name}`, { data: args });
  const body = await res.text();
  expect(res.ok(), `${name}: ${res.status()} ${body}`).toBeTruthy();
  return JSON.parse(body) as T;
}

export interface Project {
  id: number;
  name: string;
  path: string;
  default_branch: string;
}

export interface Task {
  id: number;
  title: string;
  status: string;
}

export async function newProject(request: APIRequestContext, name?: string): Promise<Project> {
  return api<Project>(request, "register_project", { draft: { path: makeRepo(name) } });
}

export async function newTask(request: APIRequestContext, project: number, title: string, extra: object = {}): Promise<Task> {
  return api<Task>(request, "create_task", { project, draft: { title, ...extra } });
}

/** The runtime of a Local CLI launch (no secrets). */
export { DECLARED_ACP } from "../playwright.config";

/** Local CLI of `agent`: a built-in kind, or `acp:NAME` for an ACP agent the server declares. */
export function localCli(agent: string) {
  const declared = agent.startsWith("acp:") ? agent.slice(4) : null;
  const selection = declared ? { mode: "local_cli", agent: "acp", acp_agent: declared } : { mode: "local_cli", agent };
  return { selection, secrets: {} };
}

/** Opens a page and waits until the app has hydrated (set by an Effect in the browser). */
export async function openHydrated(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1);
}

export function column(page: Page, slug: string) {
  return page.locator(`section.column[data-column='${slug}']`);
}

export function card(page: Page, title: string) {
  return page.locator("article.card", { has: page.locator(".card-title", { hasText: title }) });
}

/** Titles of the cards in a column, top to bottom. */
export async function columnTitles(page: Page, slug: string): Promise<string[]> {
  return column(page, slug).locator(".card-title").allTextContents();
}
