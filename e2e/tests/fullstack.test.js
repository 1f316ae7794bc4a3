// The full-stack example (examples/fullstack): a Leptos app rendered on the server and hydrated, with
// a sign-in of its own, plaid-link-server nested in its router for its members, and the link token
// from a server function. Two members, two browser contexts: each connects a bank and sees only
// their own; the other's item is no item at all; another site cannot post; no public token stays.
// Hosted Link, through the library's routes: in this window (Plaid's page, then back), in a new
// window (the outcome when the member comes back to the app), and for a member who never does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launchBrowser, openPage, linkThrough, assertTokenGone, startFullstack, eventually } from "./harness.js";

let app;
let browser;

before(async () => {
  assert.ok(process.env.PLAID_LINK_FULLSTACK_BIN && process.env.PLAID_LINK_FULLSTACK_SITE,
    "PLAID_LINK_FULLSTACK_BIN and PLAID_LINK_FULLSTACK_SITE name the built example (scripts/fullstack.sh)");
  // Each member's page asks for three link tokens (the button and two Hosted Link buttons), more
  // than a person would in the minute this file takes: the per-user quota has tests of its own.
  app = await startFullstack({ RATE_LIMIT: "1000" });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Signs `name` in, in a fresh context, and reloads: the member's page as the server renders it. */
async function signedIn(name) {
  const opened = await openPage(browser, app.url + "/");
  const { page } = opened;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Password").fill(`${name}-password`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText(`Signed in as ${name}`).waitFor();
  await page.reload({ waitUntil: "domcontentloaded" });
  await page.getByText(`Signed in as ${name}`).waitFor();
  return opened;
}

/** Connects First Platypus Bank through the hydrated component; the item's id. */
async function connectBank(opened) {
  const { page, requests } = opened;
  const connect = page.getByRole("button", { name: "Connect a bank account" });
  await connect.click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank" }).waitFor();
  await page.locator("#items li").first().waitFor();
  const exchanges = requests.filter((r) => r.url.endsWith("/bank/exchange_public_token"));
  assert.equal(exchanges.length, 1, "one exchange, to the library's route");
  assert.equal(requests.filter((r) => r.url.endsWith("/api/link_token")).length, 0, "no request to the default URL");
  assert.ok(requests.some((r) => /\/api\/link_token\d+$/.test(r.url)), "the link token came from a server function");
  return { token: JSON.parse(exchanges[0].body).public_token, itemIds: await itemIds(page) };
}

async function itemIds(page) {
  return page.locator("#items li").evaluateAll((lis) => lis.map((li) => li.dataset.itemId));
}

/** A request from the page itself, as its own scripts would send it. */
function fromPage(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const init = { method, headers: body ? { "content-type": "application/json" } : {}, body: body && JSON.stringify(body) };
    const response = await fetch(path, init);
    return { status: response.status, body: await response.text() };
  }, { method, path, body });
}

test("two members each connect a bank and see only their own; the other's item is no item; nothing stays", async () => {
  const alice = await signedIn("alice");
  const bob = await signedIn("bob");
  const a = await connectBank(alice);
  const b = await connectBank(bob);
  assert.equal(a.itemIds.length, 1);
  assert.equal(b.itemIds.length, 1);
  assert.notEqual(a.itemIds[0], b.itemIds[0]);

  // The library's own list, for each member.
  const listed = JSON.parse((await fromPage(alice.page, "GET", "/bank/items")).body);
  assert.deepEqual(listed.items.map((i) => i.item_id), a.itemIds);
  // Bob's item, asked for by Alice: 404, and it stays Bob's.
  assert.equal((await fromPage(alice.page, "DELETE", `/bank/items/${b.itemIds[0]}`)).status, 404);
  const update = { item_id: b.itemIds[0], link_session_id: "s" };
  assert.equal((await fromPage(alice.page, "POST", "/bank/item_updated", update)).status, 404);
  await bob.page.reload();
  await bob.page.locator("#items li").first().waitFor();
  assert.deepEqual(await itemIds(bob.page), b.itemIds);

  for (const [member, { token }] of [[alice, a], [bob, b]]) {
    await assertTokenGone(member, token, assert);
    assert.ok(!app.logs.join("").includes(token), "public token found in the app's log");
  }
  await alice.context.close();
  await bob.context.close();
});

test("a page of another site cannot post to the library's routes, even for a signed-in member", async () => {
  const alice = await signedIn("alice");
  // The page's own Hosted Link buttons have their link tokens: any 200 after this is the attack's.
  await hostedReady(alice.page, "Connect in a new window");
  await hostedReady(alice.page, "Connect in this window");
  const tokensBefore = linkTokensGranted();
  // Another origin on this machine (another port: same site, another origin), whose page posts to
  // the app with the member's cookies.
  const evil = createServer((_, res) => res.end("<!doctype html><title>evil</title>"));
  await new Promise((ok) => evil.listen(0, "127.0.0.1", ok));
  const other = await alice.context.newPage();
  await other.goto(`http://127.0.0.1:${evil.address().port}/`);
  const status = await other.evaluate(async (url) => {
    const response = await fetch(url, { method: "POST", credentials: "include", mode: "no-cors",
      headers: { "content-type": "text/plain" }, body: "{}" }).catch(() => null);
    const json = await fetch(url, { method: "POST", credentials: "include",
      headers: { "content-type": "application/json" }, body: "{}" }).then((r) => r.status, () => "blocked");
    return { form: response?.type, json };
  }, `${app.url}/bank/link_token`);
  evil.close();
  // The form-like post is opaque to the other page and refused by the app (not JSON); the JSON one
  // is stopped by CORS before it is sent, and refused by the app if it were.
  assert.equal(status.form, "opaque");
  assert.equal(status.json, "blocked");
  const refused = app.logs.join("").split("\n").filter((l) => l.includes("/bank/link_token") || l.includes("link_token"));
  assert.ok(refused.some((l) => /"status":(415|403)/.test(l)), `the app refused it: ${refused.join("\n")}`);
  assert.equal(linkTokensGranted(), tokensBefore, "no link token went to another site");
  await alice.context.close();
});

/** How many link tokens the library's route has granted (its log lines). */
function linkTokensGranted() {
  return app.logs.join("").split("\n").filter((l) => /"status":200/.test(l) && l.includes("POST /bank/link_token")).length;
}

/** Waits until the Hosted Link button `name` can be pressed (its token and page are in). */
async function hostedReady(page, name) {
  const button = page.getByRole("button", { name });
  await button.and(page.locator(":enabled")).waitFor();
  return button;
}

/** Presses "Connect in a new window": Plaid's page, in the window it opened. */
async function openedHosted(page, context) {
  const popup = context.waitForEvent("page");
  await (await hostedReady(page, "Connect in a new window")).click();
  const plaid = await popup;
  await plaid.waitForURL(/\/plaid\/hl\//);
  return plaid;
}

/** Adds `bank` on Plaid's page in its own window, to its end ("You can close this window."). */
async function bankInHostedWindow(plaid, bank) {
  const dialog = await linkThrough(plaid, { bank });
  await dialog.getByRole("button", { name: "Continue" }).click();
  await plaid.getByRole("status").filter({ hasText: "You can close this window." }).waitFor();
}

/** The member's banks, as the library lists them. */
async function listed(page) {
  return JSON.parse((await fromPage(page, "GET", "/bank/items")).body).items;
}

/** The library's log lines for `route` that say a session added one bank. */
function finishedWithOneBank(route) {
  return app.logs.join("").split("\n").filter((l) => l.includes(route) && l.includes(": 1 items, 0 duplicates")).length;
}

test("Hosted Link in this window: Plaid's page, then back to the app, which shows the bank, added once", async () => {
  const alice = await signedIn("alice");
  const { page, requests } = alice;
  const before = (await listed(page)).length;
  const [hookBefore, returnBefore] = [finishedWithOneBank("webhooks/plaid"), finishedWithOneBank("hosted_link_finished")];
  await (await hostedReady(page, "Connect in this window")).click();
  await page.waitForURL(/\/plaid\/hl\//);
  const dialog = await linkThrough(page, { bank: "Tartan Bank" });
  await dialog.getByRole("button", { name: "Continue" }).click();
  // Plaid's page sends the member back to the app's page, where the component asks what was added.
  await page.waitForURL(`${app.url}/`);
  await page.getByRole("status").filter({ hasText: "Connected to Tartan Bank" }).waitFor();
  assert.equal((await listed(page)).length, before + 1);
  // Plaid's SESSION_FINISHED webhook and the page's return both finished the session, each with the
  // one bank: one item between them.
  assert.equal(finishedWithOneBank("hosted_link_finished"), returnBefore + 1, "the page's return finished it");
  await eventually("the webhook finished it too", () => finishedWithOneBank("webhooks/plaid") > hookBefore);
  assert.equal(finishedWithOneBank("webhooks/plaid"), hookBefore + 1, "the webhook finished it once");
  assert.equal((await listed(page)).length, before + 1, "one item between them");
  assert.ok(requests.some((r) => r.url.endsWith("/bank/hosted_link_finished")), "the page asked once back");
  assert.ok(!requests.some((r) => (r.body || "").includes("public-")), "no public token passed through the page");
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, "nothing kept once back");
  await alice.context.close();
});

test("Hosted Link in a new window: the app shows the bank when the member comes back to it", async () => {
  const bob = await signedIn("bob");
  const { page, context } = bob;
  const before = (await listed(page)).length;
  const plaid = await openedHosted(page, context);
  await page.getByRole("status").filter({ hasText: "Finish connecting in the Plaid window." }).waitFor();
  await bankInHostedWindow(plaid, "Tartan Bank");
  await plaid.close();
  // Back in the app's window: it gets the focus again, as when the member switches back to it
  // (headless pages never lose the focus, so the browser's event is sent here as it would be).
  await page.bringToFront();
  await page.evaluate(() => window.dispatchEvent(new FocusEvent("focus")));
  await page.getByRole("status").filter({ hasText: "Connected to Tartan Bank" }).waitFor();
  assert.equal((await listed(page)).length, before + 1);
  await bob.context.close();
});

test("a member who never comes back from Hosted Link still gets the bank, from Plaid's webhook alone", async () => {
  const alice = await signedIn("alice");
  const { page, context } = alice;
  const before = (await listed(page)).length;
  const plaid = await openedHosted(page, context);
  // The app's page is gone before the session ends: nobody will ask.
  await page.close();
  await bankInHostedWindow(plaid, "Houndstooth Bank");
  const later = await context.newPage();
  await later.goto(app.url + "/");
  await eventually("the webhook added the bank", async () => (await listed(later)).length > before);
  const banks = await listed(later);
  assert.equal(banks.length, before + 1, "one bank added");
  assert.ok(banks.some((b) => b.institution?.name === "Houndstooth Bank"), JSON.stringify(banks));
  await context.close();
});
