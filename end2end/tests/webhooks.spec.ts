import { test, expect } from "@playwright/test";
import { createServer } from "node:http";
import { BASE_URL, WEBHOOK_PORT, WEBHOOK_PROJECT } from "../playwright.config";
import { api, localCli, newProject, newTask } from "./helpers";

type Post = { path: string; contentType: string | undefined; body: any };

test("a task reaching review is posted to its project's webhook, with a link that opens the task", async ({ page, request }) => {
  let delivered: (post: Post) => void = () => {};
  const first = new Promise<Post>((resolve) => (delivered = resolve));
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      res.end("ok");
      let parsed: any = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // Not JSON: the assertions below say so.
      }
      delivered({ path: req.url ?? "", contentType: req.headers["content-type"], body: parsed });
    });
  });
  await new Promise<void>((listening) => receiver.listen(WEBHOOK_PORT, "127.0.0.1", listening));
  try {
    const project = await newProject(request, WEBHOOK_PROJECT);
    const task = await newTask(request, project.id, "Posted when done", { prompt: "WRITE_FILE a.txt a" });
    await api(request, "execute_task", { project: project.id, task: task.id, runtime: localCli("codex") });

    const post = await first;
    expect(post.path).toBe("/hook");
    expect(post.contentType).toContain("application/json");
    expect(post.body).toMatchObject({
      event: "task_review",
      project: { id: project.id, name: WEBHOOK_PROJECT },
      task: { id: task.id, title: "Posted when done" },
      url: `${BASE_URL}/p/${project.id}/tasks/${task.id}`,
    });

    await page.goto(post.body.url);
    await expect(page.locator("#task-status")).toContainText("Review");
    await expect(page.locator("#task-title")).toHaveText("Posted when done");
  } finally {
    receiver.close();
  }
});
