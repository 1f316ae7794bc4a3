// Shared set-up for the end-to-end suite: a backend (with Plaid's stand-in) on a free loopback port,
// with its own database and key, and headless Chromium. Everything started here is stopped in `after`.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "../..");
export const artifacts = join(root, "e2e/artifacts");
const binary = process.env.PLAID_LINK_DEV_BIN || join(root, "target/debug/plaid-link-dev");

/** Starts the backend serving the release bundle (dist/) and the plain host pages. */
export async function startBackend() {
  const dir = mkdtempSync(join(tmpdir(), "plaid-link-e2e-"));
  const env = {
    ...process.env,
    PLAID_ENV: "local",
    PLAID_LINK_ADDR: "127.0.0.1:0",
    PLAID_LINK_DB: join(dir, "items.db"),
    PLAID_LINK_STATIC_DIR: join(root, "dist"),
    PLAID_LINK_PAGES_DIR: join(root, "e2e/pages"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  const child = spawn(binary, [], { env, stdio: ["ignore", "pipe", "pipe"] });
  const logs = [];
  child.stderr.on("data", (d) => logs.push(d.toString()));
  const url = await new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) ok(m[1]);
    });
    child.on("exit", (code) => fail(new Error(`backend exited with ${code}: ${logs.join("")}`)));
  });
  return {
    url,
    logs,
    dbPath: env.PLAID_LINK_DB,
    /** The items the backend stored, as `plaid-link-dev items` lists them. */
    items() {
      return JSON.parse(execFileSync(binary, ["items"], { env }).toString());
    },
    databaseBytes() {
      return readFileSync(env.PLAID_LINK_DB);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * A fresh page that records what a token could leak into: console lines, and the requests it makes.
 */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const console = [];
  const requests = [];
  page.on("console", (m) => console.push(m.text()));
  page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
  page.on("request", (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
  await page.goto(url);
  return { page, context, console, requests };
}

export function exchangeRequests(requests) {
  return requests.filter((r) => r.url.endsWith("/api/exchange_public_token"));
}

/** Clicks through the stand-in's Link: bank, credentials, accounts. */
export async function linkThrough(page, { bank = "First Platypus Bank", username = "user_good", password = "pass_good" } = {}) {
  const dialog = page.getByRole("dialog", { name: "Plaid Link" });
  await dialog.getByRole("button", { name: bank }).click();
  await dialog.getByLabel("Username").fill(username);
  await dialog.getByLabel("Password").fill(password);
  await dialog.getByRole("button", { name: "Submit" }).click();
  return dialog;
}

export function screenshotPath(name) {
  mkdirSync(artifacts, { recursive: true });
  return join(artifacts, name);
}

/** Everything in the page a token could have been left in. */
export async function pageLeftovers(page, context) {
  const inPage = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
    url: location.href,
    dom: document.documentElement.outerHTML,
  }));
  const cookies = JSON.stringify(await context.cookies());
  return { ...inPage, cookies };
}
