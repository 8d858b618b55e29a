import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.DEVLOG_E2E_PORT ?? 3111);
export const BASE_URL = `http://127.0.0.1:${PORT}`;
const NO_CODEX_PORT = PORT + 1;
export const NO_CODEX_URL = `http://127.0.0.1:${NO_CODEX_PORT}`;

/** A server running the real Claude Code, Codex, Gemini and Qwen Code CLIs (npm
 * devDependencies), and the fake model API they talk to instead of Anthropic's, OpenAI's and
 * Google's. Qwen Code is the built-in ACP agent `qwen`, found on PATH. */
const REAL_CLI_PORT = PORT + 2;
export const REAL_CLI_URL = `http://127.0.0.1:${REAL_CLI_PORT}`;
const FAKE_MODEL_API_PORT = PORT + 3;
export const FAKE_MODEL_API_URL = `http://127.0.0.1:${FAKE_MODEL_API_PORT}`;

/** A server whose key variable for the "Server environment variable" mode is set. */
export const SERVER_ENV_VAR = "DEVLOG_E2E_SERVER_KEY";
export const SERVER_ENV_KEY = "sk-e2e-from-the-server-environment";

/** The name the stand-in servers declare the stand-in under as an ACP agent (`--agent`). */
export const DECLARED_ACP = "standin-acp";

/** The main server posts the webhooks of the project of this name to `WEBHOOK_URL`, where
 * tests/webhooks.spec.ts listens. */
export const WEBHOOK_PROJECT = "webhook-e2e";
export const WEBHOOK_PORT = PORT + 4;
const WEBHOOK_URL = `http://127.0.0.1:${WEBHOOK_PORT}/hook`;

/** What every DevLog server of the suite shares: ready when its health check answers. */
function devlog(port: number) {
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
  };
}

/** The release server on `port` with a fresh data directory; the agent CLIs are the stand-in,
 * under the names it picks its protocol by. */
function server(port: number, codexBin: string, extraFlags = "") {
  return {
    ...devlog(port),
    command:
      `bash -c 'data=$(mktemp -d) && mkdir "$data/bin" && ` +
      `ln -s "$(realpath ../target/release/devlog-standin-agent)" "$data/bin/claude" && ` +
      `ln -s "$(realpath ../target/release/devlog-standin-agent)" "$data/bin/codex" && ` +
      `ln -s "$(realpath ../target/release/devlog-standin-agent)" "$data/bin/gemini" && ` +
      `exec ../target/release/devlog --addr 127.0.0.1:${port} --data-dir "$data" ` +
      `--site-root ../target/site --claude-bin "$data/bin/claude" --codex-bin "${codexBin}" ` +
      `--gemini-bin "$data/bin/gemini" ` +
      // The stand-in declared as an ACP agent, and one whose program is not installed.
      `--agent "${DECLARED_ACP}=$(realpath ../target/release/devlog-standin-agent) --standin-protocol=acp --acp" ` +
      `--agent "ghost=/nonexistent/bin/ghost-agent --acp" ` +
      `--gh-bin /nonexistent/bin/gh --permission-timeout-secs 600 ${extraFlags}'`,
    env: { ...(process.env as Record<string, string>), [SERVER_ENV_VAR]: SERVER_ENV_KEY },
  };
}

/** The release server with the real CLIs, each with a fresh home (their login and config). */
function realCliServer(port: number) {
  return {
    ...devlog(port),
    command:
      // Qwen Code retries a 429 ten times, minutes apart, unless its settings say otherwise.
      `bash -c 'data=$(mktemp -d) && mkdir -p "$data/home/.qwen" && ` +
      `echo "{\\"model\\":{\\"generationConfig\\":{\\"maxRetries\\":0}}}" > "$data/home/.qwen/settings.json" && ` +
      `HOME="$data/home" ` +
      `PATH="$(realpath node_modules/.bin):$PATH" ` +
      `exec ../target/release/devlog --addr 127.0.0.1:${port} --data-dir "$data" ` +
      `--site-root ../target/site --claude-bin "$(realpath node_modules/.bin/claude)" ` +
      `--codex-bin "$(realpath node_modules/.bin/codex)" ` +
      `--gemini-bin "$(realpath node_modules/.bin/gemini)" --gh-bin /nonexistent/bin/gh'`,
    env: {
      ...(process.env as Record<string, string>),
      // No telemetry, update checks or error reports: this machine has no internet.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      // Claude Code retries a 429 ten times over three minutes before it gives up (recorded
      // in engine/tests/fixtures/agents/claude/claude_rate_limit_429.jsonl): the suite's
      // 429 tests are about what DevLog does once it has, so it gives up at once.
      CLAUDE_CODE_MAX_RETRIES: "0",
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  // One folder per run: two runs at once (say, a bench beside the suite) never delete each
  // other's traces.
  outputDir: `test-results/run-${process.pid}`,
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
  webServer: [
    server(PORT, "$data/bin/codex", `--webhook "${WEBHOOK_PROJECT}=${WEBHOOK_URL}"`),
    // The same app on a machine without Codex installed, for the missing-CLI messages.
    server(NO_CODEX_PORT, "/nonexistent/bin/codex"),
    realCliServer(REAL_CLI_PORT),
    {
      command: `../target/release/devlog-fake-model-api ${FAKE_MODEL_API_PORT}`,
      url: `${FAKE_MODEL_API_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
