// The session page under a flood: a stand-in Claude Code session is sent `FLOOD 10000` through
// the page's composer, and the page must render the 10,000 assistant messages it streams.
// Prints, as `name: value unit`:
//   browser_session_10k_render_ms       send → the 10,000th message visible in the transcript
//   browser_session_10k_main_thread_ms  the renderer's main-thread busy time over that span (CDP
//                                       Performance.getMetrics TaskDuration, after − before)
//   browser_session_10k_dom_nodes       elements in the document once it is rendered
import { test, expect, type CDPSession } from "@playwright/test";
import { api, localCli, newProject, openHydrated } from "../tests/helpers";

const MESSAGES = 10_000;

/** The renderer's main-thread busy time so far, in ms (Chrome's TaskDuration, in seconds). */
async function mainThreadMs(cdp: CDPSession) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const task = metrics.find((m) => m.name === "TaskDuration");
  if (!task) throw new Error("no TaskDuration metric from the DevTools protocol");
  return task.value * 1000;
}

test("session page: 10,000 live messages", async ({ page, request }) => {
  const project = await newProject(request, "bench-session");
  const session = await api(request, "start_session", {
    project: project.id,
    start: { prompt: "REPLY ready" },
    runtime: localCli("claude_code"),
  });
  await openHydrated(page, `/p/${project.id}/sessions/${session.id}`);
  // The first turn is over and the stream is open: the flood is the only work left.
  await expect(page.locator("#session-status")).toContainText("Idle");
  await expect(page.locator("#connection")).toHaveText("Live");
  await expect(page.locator("ol.transcript .msg.assistant").last()).toContainText("ready");

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.locator("#follow-up").fill(`FLOOD ${MESSAGES}`);
  const busyBefore = await mainThreadMs(cdp);
  const sentAt = await page.evaluate(() => Date.now());
  await page.locator("#follow-up").press("Enter");

  // Checked once per frame, so only a painted page can answer, and cheaply: the last rows of
  // the transcript only, never a query over the whole document.
  const renderedAt = await page.waitForFunction(
    (needle) => {
      const transcript = document.querySelector("ol.transcript");
      let row = transcript?.lastElementChild ?? null;
      for (let i = 0; row && i < 8; i++, row = row.previousElementSibling) {
        if (row.matches(".msg.assistant") && (row.textContent ?? "").includes(needle)) {
          const box = row.getBoundingClientRect();
          return box.width > 0 && box.height > 0 ? Date.now() : false;
        }
      }
      return false;
    },
    `flood line ${MESSAGES} t=`,
    { polling: "raf", timeout: 280_000 },
  );
  const renderMs = (await renderedAt.jsonValue()) - sentAt;
  const busyMs = (await mainThreadMs(cdp)) - busyBefore;
  const domNodes = await page.evaluate(() => document.getElementsByTagName("*").length);

  console.log(`browser_session_10k_render_ms: ${Math.round(renderMs)} ms`);
  console.log(`browser_session_10k_main_thread_ms: ${Math.round(busyMs)} ms`);
  console.log(`browser_session_10k_dom_nodes: ${domNodes} nodes`);

  // The flood's turn ends with the stand-in's answer: the server is quiet before teardown.
  await expect(page.locator("#session-status")).toContainText("Idle", { timeout: 60_000 });
});
