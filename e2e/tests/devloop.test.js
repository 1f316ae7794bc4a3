// `make demo`'s dev loop, started as scripts/demo.sh starts it, on free ports: the reference backend
// (the stand-in, CSRF off since `trunk serve` serves the page) and `trunk serve` with this
// repository's Trunk.toml (its Content-Security-Policy, its proxies), the page loaded in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBackend, launchBrowser, openPage, linkThrough, root, freePort, assertStrictPolicy } from "./harness.js";

const ctx = {};

/** This repository's Trunk.toml, with the backend's and trunk's ports of this run. */
function trunkConfig(dir, backendUrl, port) {
  const config = readFileSync(join(root, "Trunk.toml"), "utf8")
    .replaceAll("http://127.0.0.1:3000/", `${backendUrl}/`)
    .replace(/^port = \d+$/m, `port = ${port}`)
    .replace('target = "index.html"', `target = "${join(root, "index.html")}"`)
    .replace('dist = "dist"', `dist = "${join(dir, "dist")}"`)
    .replace('"scripts/post-build.mjs"', `"${join(root, "scripts/post-build.mjs")}"`);
  assert.ok(config.includes(backendUrl) && config.includes(`port = ${port}`), "Trunk.toml has the expected shape");
  const path = join(dir, "Trunk.toml");
  writeFileSync(path, config);
  return path;
}

/** Resolves once `url` answers with the built page; trunk builds the bundle first (a debug build). */
async function servedPage(url, trunk, deadline = Date.now() + 10 * 60_000) {
  while (Date.now() < deadline) {
    if (trunk.exitCode !== null) throw new Error(`trunk serve exited with ${trunk.exitCode}`);
    const page = await fetch(url).then((r) => (r.ok ? r.text() : ""), () => "");
    if (page.includes("data-plaid-link")) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("trunk serve did not serve the page in time");
}

before(async () => {
  ctx.backend = await startBackend({ PLAID_LINK_CSRF: "off", PLAID_LINK_STATIC_DIR: "", PLAID_LINK_PAGES_DIR: "" });
  ctx.dir = mkdtempSync(join(tmpdir(), "plaid-link-devloop-"));
  const port = await freePort();
  const config = trunkConfig(ctx.dir, ctx.backend.url, port);
  ctx.url = `http://127.0.0.1:${port}/`;
  // Its own process group, so that the cargo and wasm-bindgen it runs stop with it.
  ctx.trunk = spawn("trunk", ["serve", "--offline", "--config", config, "--no-autoreload"], {
    cwd: ctx.dir, detached: true, stdio: ["ignore", "ignore", "pipe"],
  });
  ctx.trunkLog = [];
  ctx.trunk.stderr.on("data", (d) => ctx.trunkLog.push(d.toString()));
  await servedPage(ctx.url, ctx.trunk).catch((e) => { throw new Error(`${e.message}\n${ctx.trunkLog.join("")}`); });
  ctx.browser = await launchBrowser();
});

after(async () => {
  await ctx.browser?.close();
  if (ctx.trunk && ctx.trunk.exitCode === null) {
    const exited = new Promise((r) => ctx.trunk.once("exit", r));
    process.kill(-ctx.trunk.pid, "SIGTERM");
    await exited;
  }
  await ctx.backend?.stop();
  if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
});

test("make demo's page is styled, breaks none of trunk's policy, and connects a bank", async () => {
  const { page, context, policy } = await openPage(ctx.browser, ctx.url);
  assert.match(policy, /script-src 'nonce-[^']+' 'wasm-unsafe-eval'/, "trunk serve sends the strict policy");
  assertStrictPolicy(policy, assert);
  const button = page.getByRole("button", { name: "Connect a bank account" });
  await button.waitFor();
  // The component's stylesheet applied: its custom property is defined, and the button wears its
  // colour once the stylesheet's own transition from the disabled grey has run.
  const defined = await button.evaluate((b) => getComputedStyle(b).getPropertyValue("--plaid-link-button").trim());
  assert.notEqual(defined, "", "the component's stylesheet was not applied");
  await page.waitForFunction(() => {
    const button = document.querySelector(".plaid-link__button");
    return getComputedStyle(button).backgroundColor === "rgb(17, 24, 39)";
  });

  await button.click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], "Content-Security-Policy violations");
  await context.close();
});
