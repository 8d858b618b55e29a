// `make bench`'s browser figures: Playwright in Debian's Chromium against the release build,
// with the stand-in agents. Each bench prints `name: value unit` lines on stdout; they are
// figures, never assertions on time (a bench fails only when it cannot measure).
import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.DEVLOG_BENCH_PORT ?? 3211);
export const BENCH_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "./bench",
  // One folder per run: two runs at once (say, a bench beside the suite) never delete each
  // other's traces.
  outputDir: `test-results/run-${process.pid}`,
  testMatch: /.*\.bench\.ts/,
  timeout: 300_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: BENCH_URL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command:
      `bash -c 'data=$(mktemp -d) && mkdir "$data/bin" && ` +
      `ln -s "$(realpath ../target/release/devlog-standin-agent)" "$data/bin/claude" && ` +
      `ln -s "$(realpath ../target/release/devlog-standin-agent)" "$data/bin/codex" && ` +
      `exec ../target/release/devlog --addr 127.0.0.1:${PORT} --data-dir "$data" ` +
      `--site-root ../target/site --claude-bin "$data/bin/claude" --codex-bin "$data/bin/codex" ` +
      `--gh-bin /nonexistent/bin/gh'`,
    url: `${BENCH_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
