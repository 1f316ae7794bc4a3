// The whole flow, as a person clicks it: the Trunk-built page, the reference backend, Plaid's stand-in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { homedir } from "node:os";
import {
  openPage, exchangeRequests, linkThrough, screenshotPath, assertTokenGone,
  assertStrictCsp, watchPlaid, root,
  useServers,
} from "./harness.js";

const ctx = useServers();

const connect = (page) => page.getByRole("button", { name: "Connect a bank account" });
const status = (page) => page.getByRole("status");

async function successOn(path, shotPrefix) {
  const { page, context, console, requests, policy } = await openPage(ctx.browser, ctx.backend.url + path);
  await connect(page).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).waitFor();
  if (shotPrefix) await page.screenshot({ path: screenshotPath(`${shotPrefix}-link-stand-in.png`) });
  await dialog.getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();
  if (shotPrefix) await page.screenshot({ path: screenshotPath(`${shotPrefix}-connected.png`) });
  await assertStrictCsp(page, policy, assert);
  return { page, context, console, requests };
}

test("success: the backend holds one encrypted access token and the page names the bank", async () => {
  const before = ctx.backend.items().length;
  const { page, context, console, requests } = await successOn("/", "demo");

  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1, "exactly one exchange request");
  const body = JSON.parse(exchanges[0].body);
  assert.match(body.public_token, /^public-sandbox-/);
  assert.equal(body.institution.name, "First Platypus Bank");
  assert.equal(body.accounts.length, 3);

  const items = ctx.backend.items();
  assert.equal(items.length, before + 1);
  const item = items.at(-1);
  assert.equal(item.institution_name, "First Platypus Bank");
  assert.ok(item.ciphertext_len > 16, "an encrypted access token is stored");
  assert.ok(!ctx.backend.databaseBytes().includes("access-sandbox"), "no plaintext access token in the database");

  // The public token is nowhere in the page afterwards.
  const token = body.public_token;
  await assertTokenGone({ page, context, console }, token, assert);
  assert.ok(!ctx.backend.logs.join("").includes(token), "public token found in the backend's log");
  assert.ok(!ctx.backend.logs.join("").includes("access-sandbox"), "access token found in the backend's log");
  await context.close();
});

test("wrong credentials: the user sees the error and can retry", async () => {
  const { page, context, requests } = await openPage(ctx.browser, ctx.backend.url + "/");
  await connect(page).click();
  const dialog = await linkThrough(page, { password: "pass_wrong" });
  await dialog.getByRole("alert").filter({ hasText: "The provided credentials were not correct" }).waitFor();
  assert.equal(exchangeRequests(requests).length, 0);

  await dialog.getByLabel("Username").fill("user_good");
  await dialog.getByLabel("Password").fill("pass_good");
  await dialog.getByRole("button", { name: "Submit" }).click();
  await dialog.getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connected to First Platypus Bank" }).waitFor();
  assert.equal(exchangeRequests(requests).length, 1);
  await context.close();
});

test("wrong credentials, then closing Link: the page explains and offers to try again", async () => {
  const { page, context, requests } = await openPage(ctx.browser, ctx.backend.url + "/");
  await connect(page).click();
  const dialog = await linkThrough(page, { password: "nope" });
  await dialog.getByRole("alert").waitFor();
  await dialog.getByRole("button", { name: "Close" }).click();
  await status(page).filter({ hasText: "The provided credentials were not correct" }).waitFor();
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("dialog", { name: "Plaid Link" }).waitFor();
  assert.equal(exchangeRequests(requests).length, 0);
  await context.close();
});

test("closing Link sends no exchange request and lets the user open it again", async () => {
  const { page, context, requests } = await openPage(ctx.browser, ctx.backend.url + "/");
  await connect(page).click();
  await page.getByRole("dialog", { name: "Plaid Link" }).getByRole("button", { name: "Close" }).click();
  await status(page).filter({ hasText: "You closed Plaid before finishing" }).waitFor();
  assert.equal(exchangeRequests(requests).length, 0);
  await connect(page).click();
  await page.getByRole("dialog", { name: "Plaid Link" }).waitFor();
  await context.close();
});

test("a plain HTML page embeds the bundle with the README's snippet and connects", async () => {
  const { context, requests } = await successOn("/pages/embed.html", "embed");
  assert.equal(exchangeRequests(requests).length, 1);
  await context.close();
});

test("the embed loader without its prefetch (the file does not load): the component starts on its own", async () => {
  const { page, context, requests } = await openPage(ctx.browser, ctx.backend.url + "/pages/embed.html", (p) =>
    p.route("**/plaid-link-prefetch.js", (route) => route.abort("failed")));
  await connect(page).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();
  assert.equal(requests.filter((r) => r.url.endsWith("/api/link_token")).length, 1, "one link token, asked by the component");
  assert.equal(exchangeRequests(requests).length, 1);
  await context.close();
});

// Plaid's own description of what onEvent reports: the event names of its OpenAPI description
// (standin/spec/, written from it), and the metadata fields of LinkEventMetadata, plus the three
// the Link web SDK's onEvent table adds (link_session_id, timestamp, is_update_mode).
const spec = JSON.parse(readFileSync(join(root, "standin/spec/plaid-2020-09-14.json"), "utf8"));
const DOCUMENTED_EVENTS = new Set(spec.$defs.LinkEventName.enum);
const DOCUMENTED_METADATA = new Set([
  ...Object.keys(spec.$defs.LinkEventMetadata.properties), "link_session_id", "timestamp", "is_update_mode",
]);

test("the Link stand-in reports only event names and metadata fields Plaid documents, and its exit metadata", async () => {
  const { page, context } = await openPage(ctx.browser, ctx.backend.url + "/", async (p) => {
    await p.addInitScript(watchPlaid);
    await p.addInitScript(() => {
      // Listen in on what Link hands the component, without changing it.
      window.__link = { events: [], exits: [] };
      window.__plaid.onConfig.push((config) => {
        const { onEvent, onExit } = config;
        config.onEvent = (name, metadata) => { window.__link.events.push({ name, metadata }); onEvent(name, metadata); };
        config.onExit = (error, metadata) => { window.__link.exits.push({ error, metadata }); onExit(error, metadata); };
      });
    });
  });
  await connect(page).click();
  const dialog = await linkThrough(page, { password: "wrong" });
  await dialog.getByRole("alert").waitFor();
  await dialog.getByRole("button", { name: "Close" }).click();
  await status(page).filter({ hasText: "not correct" }).waitFor();

  const { events, exits } = await page.evaluate(() => window.__link);
  const names = events.map((e) => e.name);
  for (const name of names) assert.ok(DOCUMENTED_EVENTS.has(name), `${name} is not an event Plaid documents`);
  // What Plaid documents of a failed sign-in: Link opened first, EXIT last, the error in between.
  assert.equal(names[0], "OPEN");
  assert.equal(names.at(-1), "EXIT");
  for (const name of ["SELECT_INSTITUTION", "SUBMIT_CREDENTIALS", "ERROR"]) assert.ok(names.includes(name), names.join());
  for (const { name, metadata } of events) {
    for (const key of Object.keys(metadata)) {
      assert.ok(DOCUMENTED_METADATA.has(key), `${name}'s metadata has ${key}, which Plaid does not document`);
    }
    // "Emitted by: all events."
    for (const key of ["link_session_id", "request_id", "timestamp"]) assert.ok(key in metadata, `${name} lacks ${key}`);
  }
  for (const { metadata } of events.filter((e) => e.name === "TRANSITION_VIEW")) assert.ok(metadata.view_name);
  const error = events.find((e) => e.name === "ERROR").metadata;
  assert.equal(error.error_code, "INVALID_CREDENTIALS");
  assert.equal(exits.length, 1);
  assert.equal(exits[0].error.error_type, "ITEM_ERROR");
  assert.equal(exits[0].error.error_code, "INVALID_CREDENTIALS");
  assert.ok("display_message" in exits[0].error);
  assert.equal(exits[0].metadata.status, "requires_credentials");
  assert.deepEqual(exits[0].metadata.institution, { name: "First Platypus Bank", institution_id: "ins_109508" });
  assert.ok(exits[0].metadata.link_session_id && exits[0].metadata.request_id);
  await context.close();
});

test("embedded institution search: a click on a bank in the page opens Link there and connects", async () => {
  const { page, context, console, requests, policy } = await openPage(ctx.browser, ctx.backend.url + "/pages/embedded.html");
  const search = page.getByRole("group", { name: "Choose your bank" });
  await search.waitFor();
  const box = await search.boundingBox();
  assert.ok(box.width >= 350 && box.height >= 300, `at least 350×300: ${JSON.stringify(box)}`);
  await search.getByRole("button", { name: "Tartan Bank" }).click();
  const dialog = page.getByRole("dialog", { name: "Plaid Link" });
  await dialog.getByRole("heading", { name: "Log in to Tartan Bank" }).waitFor();
  await dialog.getByLabel("Username").fill("user_good");
  await dialog.getByLabel("Password").fill("pass_good");
  await dialog.getByRole("button", { name: "Submit" }).click();
  await dialog.getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connected to Tartan Bank (3 accounts)." }).waitFor();
  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  await assertTokenGone({ page, context, console }, JSON.parse(exchanges[0].body).public_token, assert);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});

// --- accessibility ----------------------------------------------------------------------------------

const axeSource = readFileSync(join(root, "e2e/node_modules/axe-core/axe.min.js"), "utf8");

/** axe-core's violations inside the component (Link's own dialog is Plaid's, not ours). */
async function axeViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run({ include: [[".plaid-link"]] }));
  return results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Holds every request to `path` until the returned function is called. */
async function hold(page, path) {
  let release;
  const gate = new Promise((r) => { release = r; });
  await page.route(`**${path}`, async (route) => { await gate; await route.continue(); });
  return release;
}

test("accessibility: axe-core finds nothing in any state, and focus comes back when Link closes", async () => {
  const { page, context } = await openPage(ctx.browser, ctx.backend.url + "/pages/embed.html", async (p) => {
    ctx.releaseToken = await hold(p, "/api/link_token");
  });
  const component = page.locator(".plaid-link");
  const button = component.getByRole("button");
  const checked = {};
  const check = async (state) => {
    await page.locator(`.plaid-link[data-status="${state}"]`).waitFor();
    checked[state] = await axeViolations(page);
  };
  await check("preparing");
  assert.equal(await button.getAttribute("aria-busy"), "true");
  ctx.releaseToken();
  await check("ready");
  assert.equal(await button.getAttribute("aria-busy"), "false");

  // From the keyboard: Enter opens Link; closing it gives the focus back to the button.
  await button.focus();
  await page.keyboard.press("Enter");
  await check("open");
  const dialog = page.getByRole("dialog", { name: "Plaid Link" });
  await dialog.getByRole("button", { name: "Close" }).focus();
  await page.keyboard.press("Enter");
  await check("closed");
  assert.ok(await button.evaluate((b) => document.activeElement === b), "focus is back on the button");

  const releaseExchange = await hold(page, "/api/exchange_public_token");
  await page.keyboard.press("Enter");
  await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await check("sending");
  releaseExchange();
  await check("connected");
  await context.close();

  const failing = await openPage(ctx.browser, ctx.backend.url + "/pages/embed.html", (p) =>
    p.route("**/api/link_token", (route) => route.fulfill({ status: 500, contentType: "application/json", body: "{}" })));
  await failing.page.locator('.plaid-link[data-status="failed"]').waitFor();
  checked.failed = await axeViolations(failing.page);
  await failing.context.close();

  assert.deepEqual(Object.keys(checked).sort(), ["closed", "connected", "failed", "open", "preparing", "ready", "sending"]);
  for (const [state, violations] of Object.entries(checked)) assert.deepEqual(violations, [], `axe-core, ${state}`);
});

test("?lang=fr: the demo's components speak French (mount()'s texts), under the same strict policy", async () => {
  const { page, context, requests, policy } = await openPage(ctx.browser, ctx.backend.url + "/?lang=fr");
  assert.equal(await page.evaluate(() => document.documentElement.lang), "fr");
  const connectFr = page.getByRole("button", { name: "Connecter un compte bancaire" });
  await connectFr.click();
  const dialog = page.getByRole("dialog", { name: "Plaid Link" });
  await dialog.getByRole("button", { name: "Close" }).click();
  await status(page).filter({ hasText: "Vous avez fermé Plaid avant la fin." }).waitFor();

  await connectFr.click();
  await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connecté à First Platypus Bank (3 comptes)." }).waitFor();
  assert.equal(await page.locator(".plaid-link button").first().textContent(), "Connecté");
  assert.equal(exchangeRequests(requests).length, 1);
  // Components the page's code mounts (`mount(el, {texts})`) take the words too: the list's
  // "Add accounts" (whose label is the demo's own).
  const addAccounts = page.locator(".demo-item__link").last();
  await addAccounts.getByRole("button", { name: "Add accounts" }).click();
  await dialog.getByRole("button", { name: "Close" }).click();
  await addAccounts.getByRole("status").filter({ hasText: "Vous avez fermé Plaid avant la fin." }).waitFor();
  await assertStrictCsp(page, policy, assert);
  await context.close();

  const failing = await openPage(ctx.browser, ctx.backend.url + "/?lang=fr", (p) =>
    p.route("**/api/link_token", (route) => route.fulfill({ status: 503, contentType: "application/json", body: "{}" })));
  await failing.page.getByRole("status").filter({ hasText: "Le serveur a rencontré un problème." }).first().waitFor();
  assert.equal(await failing.page.locator(".plaid-link button").first().textContent(), "Réessayer");
  await failing.context.close();
});

test("look: custom properties restyle it, dark follows a page that supports it, reduced motion stills it, and a page can leave the stylesheet out", async () => {
  // After any colour transition under way (the stylesheets arrive one after the other) has ended.
  const buttonStyle = (page) => page.locator(".plaid-link__button").evaluate(async (b) => {
    await Promise.all(b.getAnimations().map((a) => a.finished));
    const s = getComputedStyle(b);
    return { background: s.backgroundColor, radius: s.borderRadius, transition: s.transitionDuration };
  });
  const ready = (page) => page.locator('.plaid-link[data-status="ready"]').waitFor();
  const open = async (path, media) => {
    const opened = await openPage(ctx.browser, ctx.backend.url + path, (p) => p.emulateMedia(media));
    await ready(opened.page);
    return opened;
  };
  const LIGHT = "rgb(17, 24, 39)";
  const DARK = "rgb(243, 244, 246)";

  // A page with no colour scheme of its own stays light, even when the user prefers dark.
  let { page, context, policy } = await open("/pages/embed.html", { colorScheme: "dark", reducedMotion: "no-preference" });
  assert.deepEqual(await buttonStyle(page), { background: LIGHT, radius: "8px", transition: "0.15s" });
  await context.close();

  // The demo declares `color-scheme: light dark`: the dark set, and no motion when asked for none.
  ({ page, context, policy } = await open("/", { colorScheme: "dark", reducedMotion: "reduce" }));
  assert.deepEqual(await buttonStyle(page), { background: DARK, radius: "8px", transition: "0s" });
  ({ page } = await openPage(ctx.browser, ctx.backend.url + "/", (p) => p.emulateMedia({ colorScheme: "light" })));
  await ready(page);
  assert.equal((await buttonStyle(page)).background, LIGHT);
  await context.close();

  // The app's theme sets two custom properties on .plaid-link.
  ({ page, context, policy } = await open("/pages/themed.html", { colorScheme: "light" }));
  assert.deepEqual(await buttonStyle(page), { background: "rgb(1, 2, 3)", radius: "7px", transition: "0.15s" });
  await assertStrictCsp(page, policy, assert);
  await context.close();

  // The page opted out: no stylesheet of ours, its own rules on the documented classes.
  ({ page, context, policy } = await open("/pages/unstyled.html", { colorScheme: "light" }));
  assert.equal(await page.locator('link[href$="/plaid-link.css"]').count(), 0);
  assert.deepEqual(await buttonStyle(page), { background: "rgb(4, 5, 6)", radius: "0px", transition: "0s" });
  await assertStrictCsp(page, policy, assert);
  await context.close();
});

test("the bundle names no directory of the machine that built it", () => {
  // A panic's location in the WebAssembly once read `/home/<who built it>/.cargo/registry/…`.
  const home = process.env.CARGO_HOME || join(homedir(), ".cargo");
  const dists = [join(root, "dist"), process.env.PLAID_LINK_PLAIN_DIST].filter(Boolean);
  for (const dist of dists) {
    for (const name of ["plaid-link-leptos_bg.wasm", "plaid-link-leptos.js"]) {
      const built = readFileSync(join(dist, name), "latin1");
      assert.ok(!built.includes(home), `${dist}/${name} names ${home}`);
      assert.ok(!built.includes("/registry/src/"), `${dist}/${name} names cargo's registry`);
      if (name.endsWith(".wasm")) {
        assert.match(built, /reactive_graph-[\d.]+\/src\//, `${dist}/${name}: the crates' own paths`);
      }
    }
  }
});

test("the bundle is served precompressed (brotli, else gzip) and decodes to the built files", async () => {
  for (const name of ["plaid-link-leptos_bg.wasm", "plaid-link-leptos.js", "plaid-link.js", "plaid-link-prefetch.js", "plaid-link.css"]) {
    const built = readFileSync(join(root, "dist", name));
    for (const [accept, encoding] of [["br, gzip", "br"], ["gzip", "gzip"], ["identity", null]]) {
      const response = await fetch(`${ctx.backend.url}/${name}`, { headers: { "accept-encoding": accept } });
      assert.equal(response.status, 200, name);
      assert.equal(response.headers.get("content-encoding"), encoding, `${name}, accepting ${accept}`);
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(built), `${name} decodes to the built file`);
    }
  }
});
