import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { api, localCli, newProject, newTask, openHydrated } from "./helpers";

// axe-core's WCAG 2.1 A/AA rules on the pages a user lives in, in both palettes: no serious or
// critical violation.

async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
}

for (const scheme of ["light", "dark"] as const) {
  test.describe(`${scheme} palette`, () => {
    test.use({ colorScheme: scheme });

    test(`board, session, task and settings pages have no serious violation (${scheme})`, async ({ page, request }) => {
      const project = await newProject(request);
      await newTask(request, project.id, "A task to do", { description: "Some words", priority: "urgent" });
      const failed = await newTask(request, project.id, "A failed task", { prompt: "CRASH" });
      await api(request, "execute_task", { project: project.id, task: failed.id, runtime: localCli("claude_code") });
      const reviewed = await newTask(request, project.id, "A reviewed task", { prompt: "WRITE_FILE a.txt hi\nREPLY wrote a.txt" });
      await api(request, "execute_task", { project: project.id, task: reviewed.id, runtime: localCli("codex") });
      for (const id of [failed.id, reviewed.id]) {
        await expect
          .poll(async () => (await api(request, "get_task", { project: project.id, task: id })).status)
          .toMatch(/^(fail|review)$/);
      }
      const session = await api(request, "start_session", {
        project: project.id,
        start: { prompt: "REPLY **hello** with `code`\nASK Write" },
        runtime: localCli("claude_code"),
      });

      const pages = [
        `/p/${project.id}/board`,
        `/p/${project.id}/sessions/${session.id}`,
        `/p/${project.id}/tasks/${reviewed.id}`,
        `/p/${project.id}/tasks/${failed.id}`,
        `/p/${project.id}/settings`,
        `/p/${project.id}/sessions`,
        `/p/${project.id}/usage`,
        `/`,
      ];
      const found: string[] = [];
      for (const path of pages) {
        await openHydrated(page, path);
        if (path.includes("/sessions/")) {
          await expect(page.locator("ol.transcript li.permission button.approve")).toBeVisible();
        }
        for (const v of await violations(page)) found.push(`${path}: ${v}`);
      }
      expect(found).toEqual([]);
    });
  });
}
