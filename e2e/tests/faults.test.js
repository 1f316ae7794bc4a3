// The fault matrix: each case breaks one thing between the page, the backend, Plaid's script and
// Link, and asserts what the user sees and that no public token is lost (exchanged exactly once
// when the failure is recoverable) or left in the page. Faults are injected in the browser's
// network layer (Playwright routes); everything else is real.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, exchangeRequests, linkThrough, assertTokenGone, assertStrictCsp, watchPlaid,
  useServers,
} from "./harness.js";

const ctx = useServers();

const PAGE = "/pages/faults.html";
const TOKEN = "**/api/link_token";
const EXCHANGE = "**/api/exchange_public_token";
const SCRIPT = "**/plaid/link/v2/stable/link-initialize.js";
const CREDENTIALS = "**/plaid/link/credentials";

const button = (page, name) => page.getByRole("button", { name });
const status = (page) => page.getByRole("status");
const sees = (page, text) => status(page).filter({ hasText: text }).waitFor();

/** Opens the fault page with `faults` routed first. */
function open(faults) {
  return openPage(ctx.browser, ctx.backend.url + PAGE, faults);
}

/** Clicks through Link to the end; resolves once the page settles on connected or failed. */
async function finishLink(page) {
  await button(page, "Connect a bank account").click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
}

/** Success, with the token exchanged exactly once and nowhere in the page afterwards. */
async function assertConnectedOnce(opened, itemsBefore) {
  const { page, context, requests, policy } = opened;
  await sees(page, "Connected to First Platypus Bank (3 accounts).");
  assert.equal(ctx.backend.items().length, itemsBefore + 1, "exchanged exactly once");
  const bodies = exchangeRequests(requests).map((r) => r.body);
  const token = JSON.parse(bodies[0]).public_token;
  assert.ok(bodies.every((b) => b === bodies[0]), "every attempt carries the same body");
  await assertTokenGone(opened, token, assert);
  await assertStrictCsp(page, policy, assert);
}

// --- the link-token endpoint ----------------------------------------------------------------------

const tokenFaults = {
  "500 with a message": [(r) => r.fulfill({ status: 500, contentType: "application/json", body: '{"error":"Our bank partner is down. Try again soon."}' }), "Our bank partner is down. Try again soon."],
  "a timeout": [() => {}, "took too long"],
  "malformed JSON": [(r) => r.fulfill({ status: 200, contentType: "application/json", body: '{"link_token": ' }), "could not read"],
  "an HTML error page": [(r) => r.fulfill({ status: 502, contentType: "text/html", body: "<html><h1>502 Bad Gateway</h1></html>" }), "server had a problem"],
  "a connection reset": [(r) => r.abort("connectionreset"), "could not reach the server"],
};

for (const [name, [fault, message]] of Object.entries(tokenFaults)) {
  test(`link-token endpoint fails with ${name}: the user is told, and trying again works`, async () => {
    let broken = true;
    const opened = await open((page) => page.route(TOKEN, (r) => (broken ? fault(r) : r.continue())));
    await sees(opened.page, message);
    assert.equal(exchangeRequests(opened.requests).length, 0);
    broken = false;
    await button(opened.page, "Try again").click();
    await button(opened.page, "Connect a bank account").waitFor();
    await opened.context.close();
  });
}

test("backend down at page load and back later: try again connects", async () => {
  const before = ctx.backend.items().length;
  let down = true;
  const opened = await open((page) => page.route("**/api/**", (r) => (down ? r.abort("connectionrefused") : r.continue())));
  await sees(opened.page, "could not reach the server");
  down = false;
  await button(opened.page, "Try again").click();
  await finishLink(opened.page);
  await assertConnectedOnce(opened, before);
  await opened.context.close();
});

// --- the exchange endpoint ---------------------------------------------------------------------

test("exchange answers 500: not retried, the user is told to connect again, nothing exchanged", async () => {
  const before = ctx.backend.items().length;
  const opened = await open((page) =>
    page.route(EXCHANGE, (r) => r.fulfill({ status: 500, contentType: "application/json", body: '{"error":"Storage is full."}' })));
  await finishLink(opened.page);
  await sees(opened.page, "Your bank account could not be saved. Storage is full.");
  assert.equal(exchangeRequests(opened.requests).length, 1);
  assert.equal(ctx.backend.items().length, before);
  await opened.context.close();
});

const transientExchangeFaults = {
  "a 503": (r) => r.fulfill({ status: 503, contentType: "application/json", body: '{"error":"busy"}' }),
  "an HTML 502 page from a proxy": (r) => r.fulfill({ status: 502, contentType: "text/html", body: "<html>Bad gateway</html>" }),
  "a connection reset before the backend": (r) => r.abort("connectionreset"),
  "a timeout": () => {},
};

for (const [name, fault] of Object.entries(transientExchangeFaults)) {
  test(`exchange fails once with ${name}: retried with the same key, exchanged exactly once`, async () => {
    const before = ctx.backend.items().length;
    let failures = 1;
    const opened = await open((page) => page.route(EXCHANGE, (r) => (failures-- > 0 ? fault(r) : r.continue())));
    await finishLink(opened.page);
    await assertConnectedOnce(opened, before);
    const keys = exchangeRequests(opened.requests).length;
    assert.equal(keys, 2, "one failed attempt, one retry");
    await opened.context.close();
  });
}

test("exchange answers 200 with garbage: any 2xx is success", async () => {
  const before = ctx.backend.items().length;
  const opened = await open((page) =>
    page.route(EXCHANGE, async (r) => {
      const real = await r.fetch();
      await r.fulfill({ status: real.status(), contentType: "application/json", body: "{garbage" });
    }));
  await finishLink(opened.page);
  await assertConnectedOnce(opened, before);
  await opened.context.close();
});

test("connection reset after the backend exchanged: the retry is answered from the idempotency key", async () => {
  const before = ctx.backend.items().length;
  let first = true;
  const opened = await open((page) =>
    page.route(EXCHANGE, async (r) => {
      if (!first) return r.continue();
      first = false;
      await r.fetch(); // the backend exchanges and stores...
      await r.abort("connectionreset"); // ...and the answer never reaches the page
    }));
  await finishLink(opened.page);
  await assertConnectedOnce(opened, before);
  assert.equal(exchangeRequests(opened.requests).length, 2);
  assert.ok(ctx.backend.logs.join("").includes("repeated Idempotency-Key"), "the backend replayed its answer");
  await opened.context.close();
});

// --- Link's script ----------------------------------------------------------------------------------

test("Link script 404: the user is told, and trying again loads it", async () => {
  let missing = true;
  const opened = await open((page) => page.route(SCRIPT, (r) => (missing ? r.fulfill({ status: 404, body: "not found" }) : r.continue())));
  await sees(opened.page, "Plaid Link could not be loaded");
  missing = false;
  await button(opened.page, "Try again").click();
  await button(opened.page, "Connect a bank account").waitFor();
  await opened.context.close();
});

test("Link script never loads: the user is told it is taking too long", async () => {
  const opened = await open((page) => page.route(SCRIPT, () => {}));
  await sees(opened.page, "Plaid Link is taking too long to load");
  await opened.context.close();
});

// --- Link sessions that end in error ---------------------------------------------------------------

const linkErrors = {
  ITEM_ERROR: [{ error_code: "ITEM_LOCKED", display_message: "Your account is locked. Contact your bank." }, "Your account is locked. Contact your bank."],
  INSTITUTION_ERROR: [{ error_code: "INSTITUTION_DOWN", display_message: null }, "not responding right now"],
  RATE_LIMIT_EXCEEDED: [{ error_code: "INSTITUTION_RATE_LIMIT", display_message: null }, "Too many attempts"],
  API_ERROR: [{ error_code: "INTERNAL_SERVER_ERROR", display_message: null }, "Plaid had a problem"],
  INVALID_REQUEST: [{ error_code: "MISSING_FIELDS", display_message: null }, "could not be set up"],
  INVALID_INPUT: [{ error_code: "INVALID_FIELD", display_message: null }, "could not be set up"],
  OAUTH_ERROR: [{ error_code: "OAUTH_STATE_ID_ALREADY_PROCESSED", display_message: null }, "Signing in at your bank did not finish"],
  RECAPTCHA_ERROR: [{ error_code: "RECAPTCHA_BAD", display_message: null }, "could not verify this browser"],
  INVALID_RESULT: [{ error_code: "PLAID_DIRECT_ITEM_IMPORT_RETURNED_INVALID_MFA", display_message: null }, "could not be set up"],
  PAYMENT_ERROR: [{ error_code: "PAYMENT_BLOCKED", display_message: null }, "Something went wrong while connecting your bank"],
  SOME_FUTURE_ERROR: [{ error_code: "NEW_CODE", display_message: null }, "Something went wrong while connecting your bank"],
};

for (const [errorType, [fields, message]] of Object.entries(linkErrors)) {
  test(`Link ends with ${errorType}: the user reads "${message}" and can reopen Link`, async () => {
    const opened = await open((page) =>
      page.route(CREDENTIALS, (r) => r.fulfill({
        status: 400,
        contentType: "application/json",
        headers: { "access-control-allow-origin": "*" },
        body: JSON.stringify({ error_type: errorType, error_message: "developer detail", request_id: "r", ...fields }),
      })));
    await button(opened.page, "Connect a bank account").click();
    const dialog = await linkThrough(opened.page);
    await dialog.getByRole("alert").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await sees(opened.page, message);
    assert.ok(!(await status(opened.page).textContent()).includes("developer detail"));
    await button(opened.page, "Try again").click();
    await opened.page.getByRole("dialog", { name: "Plaid Link" }).waitFor();
    assert.equal(exchangeRequests(opened.requests).length, 0);
    await opened.context.close();
  });
}

test("the link token expires while Link is open: a fresh one is fetched and the user connects", async () => {
  const before = ctx.backend.items().length;
  let expired = true;
  const opened = await open((page) =>
    page.route(CREDENTIALS, (r) => (expired
      ? r.fulfill({
        status: 400,
        contentType: "application/json",
        headers: { "access-control-allow-origin": "*" },
        body: JSON.stringify({ error_type: "INVALID_INPUT", error_code: "INVALID_LINK_TOKEN", error_message: "link token expired", display_message: null, request_id: "r" }),
      })
      : r.continue())));
  await button(opened.page, "Connect a bank account").click();
  await linkThrough(opened.page);
  await button(opened.page, "Connect a bank account").waitFor();
  const tokenRequests = opened.requests.filter((r) => r.url.endsWith("/api/link_token"));
  assert.equal(tokenRequests.length, 2, "a second link token was fetched");
  expired = false;
  await finishLink(opened.page);
  await assertConnectedOnce(opened, before);
  await opened.context.close();
});

// --- the user and the page ------------------------------------------------------------------------

test("a double click opens Link once", async () => {
  // Counted where the component calls Link: the stand-in's own open() ignores a second call, so a
  // count of dialogs could not tell.
  const opened = await open(async (page) => {
    await page.addInitScript(watchPlaid);
    await page.addInitScript(() => {
      window.__opens = 0;
      window.__plaid.onHandler.push((handler) => {
        const open = handler.open;
        handler.open = function (...args) { window.__opens += 1; return open.apply(this, args); };
      });
    });
  });
  const { page } = opened;
  await button(page, "Connect a bank account").dblclick();
  const dialog = page.getByRole("dialog", { name: "Plaid Link" });
  await dialog.waitFor();
  // Both clicks were handled before dblclick() returned; one more turn of the page's event loop.
  await page.evaluate(() => new Promise((done) => setTimeout(done, 0)));
  assert.equal(await page.evaluate(() => window.__opens), 1, "the component called Link's open() once");
  assert.equal(await dialog.count(), 1);
  // The closest two clicks can come: both in one task, before the page has re-rendered anything
  // (the button is not disabled yet, Link's overlay not on top of it), as a double tap can.
  await dialog.getByRole("button", { name: "Close" }).click();
  await button(page, "Connect a bank account").waitFor();
  await page.evaluate(() => {
    window.__opens = 0;
    const connect = [...document.querySelectorAll("button")].find((b) => b.textContent === "Connect a bank account");
    connect.click();
    connect.click();
  });
  await dialog.waitFor();
  await page.evaluate(() => new Promise((done) => setTimeout(done, 0)));
  assert.equal(await page.evaluate(() => window.__opens), 1, "two clicks in one task: open() called once");
  await opened.context.close();
});

test("a component unmounted mid-request cancels it and leaves the page working", async () => {
  const opened = await openPage(ctx.browser, ctx.backend.url + "/");
  const { page } = opened;
  await button(page, "Connect a bank account").waitFor();
  let hold;
  const held = new Promise((ok) => { hold = ok; });
  await page.route(TOKEN, (r) => hold(r)); // never answered: the request stays in flight
  const aborted = new Promise((ok) => page.on("requestfailed", (r) => r.url().endsWith("/api/link_token") && ok(r.failure())));
  await page.evaluate(() => {
    const element = document.createElement("div");
    document.body.append(element);
    window.__second = window.wasmBindings.mount(element, { linkTokenUrl: "/api/link_token" });
  });
  await page.waitForFunction(() => document.querySelectorAll(".plaid-link").length === 2);
  await held;
  await page.evaluate(() => window.__second.unmount());
  assert.match((await aborted).errorText, /ABORTED/);
  assert.equal(await page.locator(".plaid-link").count(), 1);
  assert.ok(!opened.console.some((l) => l.startsWith("pageerror")), opened.console.join("\n"));
  await page.unroute(TOKEN);
  await button(page, "Connect a bank account").click();
  await page.getByRole("dialog", { name: "Plaid Link" }).waitFor();
  await opened.context.close();
});
