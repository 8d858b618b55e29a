import { defineConfig } from "@playwright/test";

// The release server on its own port and a fresh data directory for every run.
const PORT = Number(process.env.DEVLOG_E2E_PORT ?? 3111);
export const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
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
    // The agent CLIs are the stand-in, under the names it picks its protocol by.
    command:
      `bash -c 'data=$(mktemp -d) && mkdir "$data/bin" && ` +
      `ln -s "$(realpath ../target/release/devlog-standin-agent)" "$data/bin/claude" && ` +
      `ln -s "$(realpath ../target/release/devlog-standin-agent)" "$data/bin/codex" && ` +
      `exec ../target/release/devlog --addr 127.0.0.1:${PORT} --data-dir "$data" ` +
      `--site-root ../target/site --claude-bin "$data/bin/claude" --codex-bin "$data/bin/codex" ` +
      `--permission-timeout-secs 600'`,
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
