// The board of a project with 5,000 tasks, seeded through the API. Prints, as `name: value unit`:
//   browser_board_5k_interactive_ms  navigation start → the board painted and hydrated: the later
//                                    of first contentful paint and body[data-hydrated='true']
//                                    (set by an Effect once hydration ran); median of cold loads
//   browser_board_5k_dom_nodes       elements in the document once it is interactive
//   browser_board_5k_wire_kb         bytes on the wire for the page: the document and every
//                                    resource it loaded (transferSize), with a cold cache
//
// The statuses follow server/benches/figures.rs (task i gets the i-th of todo, in queue, in
// progress, review, fail, blocked, in turn), as far as the API can make them: blocked is a manual
// move; in progress are real stand-in sessions that hang, so there are only as many as the
// concurrency limit lets run (16), and the rest of theirs wait in the queue with the in-queue
// ones; review and fail are real agent runs (one changes a file, one does not), a few hundred
// of them because each takes a worktree and a process (~60 ms), and the rest of theirs stay to
// do. Every column holds more tasks than it renders at first.
import { test, expect, type APIRequestContext, type Browser } from "@playwright/test";
import { api, newProject, type Task } from "../tests/helpers";

const TASKS = 5_000;
const LOADS = 5;
const RUNNING = 16;
const AGENT_RUNS_PER_STATUS = 120;
const BATCH = 25;
const codex = { selection: { mode: "local_cli", agent: "codex" }, secrets: {} };

type Kind = "todo" | "in_queue" | "in_progress" | "review" | "fail" | "blocked";
const KINDS: Kind[] = ["todo", "in_queue", "in_progress", "review", "fail", "blocked"];

/** Runs `call` for every item, `BATCH` at a time. */
async function inBatches<T, R>(items: T[], call: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) {
    out.push(...(await Promise.all(items.slice(i, i + BATCH).map((item, j) => call(item, i + j)))));
  }
  return out;
}

async function statusCounts(request: APIRequestContext, project: number): Promise<Record<string, number>> {
  const board = await api(request, "get_board", { project });
  const counts: Record<string, number> = {};
  for (const t of board.tasks as Task[]) counts[t.status] = (counts[t.status] ?? 0) + 1;
  return counts;
}

/** The prompt each task gets, by what it should become and how many of its kind came before. */
function promptFor(kind: Kind, nth: number): string {
  if (kind === "in_progress" && nth < RUNNING) return "HANG";
  if (kind === "review" && nth < AGENT_RUNS_PER_STATUS) return `WRITE_FILE change-${nth}.txt a change\nREPLY done`;
  if (kind === "fail" && nth < AGENT_RUNS_PER_STATUS) return "REPLY nothing to change";
  return "Do it well.";
}

async function seed(request: APIRequestContext): Promise<{ project: number; running: Task[] }> {
  const project = (await newProject(request, "bench-board")).id;
  await api(request, "save_runtime", { project, selection: codex.selection });
  await api(request, "set_concurrency_limit", { project, limit: RUNNING });
  const kinds = Array.from({ length: TASKS }, (_, i) => KINDS[i % KINDS.length]);
  const tasks = await inBatches(kinds, (kind, i) =>
    api<Task>(request, "create_task", {
      project,
      draft: {
        title: `Task number ${i}: make the thing better`,
        description: "A realistic description of a couple of lines, so the card has some body text to render.",
        prompt: promptFor(kind, Math.floor(i / KINDS.length)),
        priority: ["low", "medium", "high", "urgent"][i % 4],
      },
    }),
  );
  const nth = (i: number) => Math.floor(i / KINDS.length);
  const ofKind = (kind: Kind, pick: (n: number) => boolean) =>
    tasks.filter((_, i) => kinds[i] === kind && pick(nth(i)));

  // Review and fail: real runs, 16 at a time; wait until they all ended.
  const runs = [...ofKind("review", (n) => n < AGENT_RUNS_PER_STATUS), ...ofKind("fail", (n) => n < AGENT_RUNS_PER_STATUS)];
  await inBatches(runs, (t) => api(request, "execute_task", { project, task: t.id, runtime: codex }));
  await expect
    .poll(async () => {
      const c = await statusCounts(request, project);
      return (c.in_progress ?? 0) + (c.in_queue ?? 0);
    }, { timeout: 240_000, intervals: [500] })
    .toBe(0);

  // In progress: sessions that never end take every slot; then whatever else runs is queued.
  const running = ofKind("in_progress", (n) => n < RUNNING);
  for (const t of running) await api(request, "execute_task", { project, task: t.id, runtime: codex });
  const queued = [...ofKind("in_queue", () => true), ...ofKind("in_progress", (n) => n >= RUNNING)];
  await inBatches(queued, (t) => api(request, "execute_task", { project, task: t.id, runtime: codex }));
  await inBatches(ofKind("blocked", () => true), (t) =>
    api(request, "move_task", { project, task: t.id, status: "blocked" }),
  );
  console.log(`seeded: ${JSON.stringify(await statusCounts(request, project))}`);
  return { project, running };
}

interface Load {
  interactiveMs: number;
  domNodes: number;
  wireBytes: number;
}

/** One cold load of the board in a fresh browser context (no cache, no compiled wasm). */
async function coldLoad(browser: Browser, baseURL: string, path: string): Promise<Load> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.addInitScript(() => {
    // Stamped the moment the hydration Effect marks the body, on the page's own clock.
    new MutationObserver((_, observer) => {
      if (document.body?.dataset.hydrated === "true") {
        (window as any).__hydratedAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
  await page.goto(path, { waitUntil: "commit", timeout: 120_000 });
  await expect(page.locator("body[data-hydrated='true']")).toHaveCount(1, { timeout: 120_000 });
  await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0, null, {
    timeout: 120_000,
  });
  await page.waitForLoadState("load");
  const load = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0].startTime;
    const hydrated = (window as any).__hydratedAt as number;
    const entries = [
      ...performance.getEntriesByType("navigation"),
      ...performance.getEntriesByType("resource"),
    ] as PerformanceResourceTiming[];
    return {
      interactiveMs: Math.max(fcp, hydrated),
      domNodes: document.getElementsByTagName("*").length,
      wireBytes: entries.reduce((sum, e) => sum + e.transferSize, 0),
    };
  });
  await context.close();
  return load;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

test("board: 5,000 tasks", async ({ browser, request, baseURL }) => {
  // Seeding through the API takes 1-3 minutes (5,000 creations, ~2,500 moves and executions,
  // 240 agent runs), more on a machine busy with builds: more than the config's default.
  test.setTimeout(600_000);
  const { project, running } = await seed(request);
  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await coldLoad(browser, baseURL!, `/p/${project}/board`));

  console.log(`browser_board_5k_interactive_ms: ${Math.round(median(loads.map((l) => l.interactiveMs)))} ms`);
  console.log(`browser_board_5k_dom_nodes: ${median(loads.map((l) => l.domNodes))} nodes`);
  console.log(`browser_board_5k_wire_kb: ${Math.round(median(loads.map((l) => l.wireBytes)) / 1024)} KB`);

  // The hanging sessions end with the bench, not with the server.
  for (const t of running) {
    const now = await api(request, "get_task", { project, task: t.id });
    if (now.session_id) await api(request, "kill_session", { project, session: now.session_id });
  }
});
