// Starts a real quayside-server (the demo, on its embedded SQLite, on a free loopback port) and
// Debian's Chromium driven by playwright-core; runs axe-core in pages; keeps screenshots.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, homedir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const shots = join(root, "build", "browser");
const target = process.env.CARGO_TARGET_DIR || join(homedir(), ".cache", "quayside-target");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The demo server; `codes[user]` are its one-time enrolment codes. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "quayside-browser-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(join(target, "debug", "quayside-server"), ["--data", join(dir, "data"), "--listen", `127.0.0.1:${port}`, "--demo"], {
    env: { ...process.env, RUST_LOG: "warn", QUAYSIDE_ENROL_PER_MINUTE: "600" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`${url}/healthz`).then((r) => r.ok).catch(() => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const codes = {};
  for (const m of log.matchAll(/console sign-in code for (\w+): (\S+)/g)) codes[m[1]] = m[2];
  if (!codes.esi) throw new Error(`the demo server did not start:\n${log}`);
  const phoneCodes = {};
  for (const m of log.matchAll(/^ {2}enrolment code for (\w+): (\S+)/gm)) phoneCodes[m[1]] = m[2];
  const adminToken = log.match(/API token \(shown once\):\s+(\S+)/)[1];
  const analystToken = log.match(/analyst token for nana: (\S+)/)[1];
  return {
    url,
    dir,
    codes,
    phoneCodes,
    analystToken,
    /** A new one-time code for `user`, through the admin API. */
    async mintCode(user) {
      const res = await fetch(`${url}/v1/admin/enrolment-codes`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ user }),
      });
      if (!res.ok) throw new Error(`no code for ${user}: ${res.status} ${await res.text()}`);
      return (await res.json()).code;
    },
    stop() {
      server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The command-line field client (the real core, its own store in `dir`): `cli(dir, "list")`
 * returns what it prints; with `json`, the parsed `--json` answer.
 */
export function cli(store, ...args) {
  const out = execFileSync(join(target, "debug", "quayside"), ["--store", store, ...args], { encoding: "utf8" });
  return out;
}
export const cliJson = (store, ...args) => JSON.parse(cli(store, "--json", ...args));

/** Enrols the browser of `page` as `user` with console code `code`, on the sign-in page. */
export async function enrolBrowser(page, url, user, code) {
  await page.goto(`${url}/console/sign-in`);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Enrolment code").fill(code);
  await page.getByRole("button", { name: "Enrol and sign in" }).click();
  await page.waitForURL(`${url}/console/`);
}

/** Chromium as this machine runs it (no sandbox as root, no calls to Google's hosts). */
export function launch() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    chromiumSandbox: false,
    args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** axe-core's serious and critical violations on `page`, as readable lines. */
export async function accessibilityProblems(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
