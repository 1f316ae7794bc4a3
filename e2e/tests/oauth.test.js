// OAuth banks, end to end against the stand-in's "Platypus OAuth Bank": on desktop its sign-in
// opens in a pop-up, from inside the user's click; with PLAID_REDIRECT_URI the whole page goes to
// the bank and back, and the component picks the session up with the link token it kept.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, exchangeRequests, assertTokenGone, assertStrictCsp, occurrencesInWasmMemory,
  startBackend, launchBrowser, screenshotPath, watchPlaid, freePort,
} from "./harness.js";

const KEY = "plaid-link:oauth-link-token";
const ctx = {};

before(async () => {
  const port = await freePort();
  ctx.popup = await startBackend();
  ctx.redirect = await startBackend({
    PLAID_LINK_ADDR: `127.0.0.1:${port}`,
    PLAID_REDIRECT_URI: `http://127.0.0.1:${port}/`,
  });
  // The bank sends the user back to the page with the embedded search.
  const embeddedPort = await freePort();
  ctx.embeddedRedirect = await startBackend({
    PLAID_LINK_ADDR: `127.0.0.1:${embeddedPort}`,
    PLAID_REDIRECT_URI: `http://127.0.0.1:${embeddedPort}/pages/embedded.html`,
  });
  ctx.browser = await launchBrowser();
});
after(async () => {
  await ctx.browser?.close();
  await ctx.popup?.stop();
  await ctx.redirect?.stop();
  await ctx.embeddedRedirect?.stop();
});

const connect = (page) => page.getByRole("button", { name: "Connect a bank account" });
const dialog = (page) => page.getByRole("dialog", { name: "Plaid Link" });
const status = (page) => page.getByRole("status").first();

/** An init script (after `watchPlaid`): records whether each `open()` of Link ran inside the user's click: synchronously
 *  in the click's dispatch (`window.event` is that trusted click), with the page's user activation. */
function recordActivation() {
  window.__openedWithActivation = [];
  window.__plaid.onHandler.push((handler) => {
    const open = handler.open;
    handler.open = () => {
      const inClick = window.event?.type === "click" && window.event.isTrusted;
      window.__openedWithActivation.push(inClick && navigator.userActivation.isActive);
      return open();
    };
  });
}

test("desktop: the bank's sign-in opens in a pop-up from the user's click, and Link carries on", async () => {
  const { page, context, console, requests, policy } = await openPage(ctx.browser, ctx.popup.url + "/", async (p) => {
    await p.addInitScript(watchPlaid);
    await p.addInitScript(recordActivation);
  });
  await connect(page).click();
  const popupOpened = page.waitForEvent("popup");
  await dialog(page).getByRole("button", { name: "Platypus OAuth Bank" }).click();
  const popup = await popupOpened;
  await popup.getByRole("button", { name: "Allow" }).click();
  await dialog(page).getByRole("heading", { name: "Choose accounts" }).waitFor();
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connected to Platypus OAuth Bank (3 accounts)." }).waitFor();

  const activation = await page.evaluate(() => window.__openedWithActivation);
  assert.deepEqual(activation, [true], "open() ran inside the click's user gesture, so a real browser lets the pop-up open");
  assert.ok(popup.isClosed(), "Link closed the bank's pop-up");
  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  await assertTokenGone({ page, context, console }, JSON.parse(exchanges[0].body).public_token, assert);
  assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), KEY), null);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});

test("redirect: the page goes to the bank and back, and Link resumes with the kept token", async () => {
  const { page, context, console, requests } = await openPage(ctx.browser, ctx.redirect.url + "/");
  await connect(page).click();
  await dialog(page).getByRole("button", { name: "Platypus OAuth Bank" }).click();
  await page.waitForURL(/\/plaid\/link\/oauth\/consent\?oauth_state_id=/);
  const kept = JSON.parse(await page.evaluate((key) => sessionStorage.getItem(key), KEY));
  assert.deepEqual(Object.keys(kept).sort(), ["component", "expires_at_ms", "link_token"],
    "the link token, its expiration and which component left");
  assert.equal(kept.component, "new");
  assert.match(kept.link_token, /^link-sandbox-/);
  await page.screenshot({ path: screenshotPath("oauth-bank-page.png") });

  await page.getByRole("button", { name: "Allow" }).click();
  await dialog(page).getByRole("heading", { name: "Choose accounts" }).waitFor();
  assert.ok(!page.url().includes("oauth_state_id"), `the state id is taken out of the address: ${page.url()}`);
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connected to Platypus OAuth Bank (3 accounts)." }).waitFor();

  // (The demo's list then asks update-mode tokens for the new item's "Add accounts": not counted.)
  const tokenRequests = requests.filter((r) => r.url.endsWith("/api/link_token") && !r.body.includes("item_id"));
  assert.equal(tokenRequests.length, 1, "no second link-token request on the way back");
  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  const token = JSON.parse(exchanges[0].body).public_token;
  await assertTokenGone({ page, context, console }, token, assert);
  assert.equal(await occurrencesInWasmMemory(page, token), 0);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, "storage is empty afterwards");
  await context.close();
});

test("redirect from the embedded search: the page goes to the bank and back, and Link resumes there", async () => {
  const { page, context, console, requests } = await openPage(ctx.browser, ctx.embeddedRedirect.url + "/pages/embedded.html");
  const search = page.getByRole("group", { name: "Choose your bank" });
  await search.getByRole("button", { name: "Platypus OAuth Bank" }).click();
  await page.waitForURL(/\/plaid\/link\/oauth\/consent\?oauth_state_id=/);
  const kept = JSON.parse(await page.evaluate((key) => sessionStorage.getItem(key), KEY));
  assert.equal(kept.component, "embedded");
  assert.match(kept.link_token, /^link-sandbox-/);
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(/\/pages\/embedded\.html/);
  await dialog(page).getByRole("heading", { name: "Choose accounts" }).waitFor();
  assert.ok(!page.url().includes("oauth_state_id"), `the state id is taken out of the address: ${page.url()}`);
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await status(page).filter({ hasText: "Connected to Platypus OAuth Bank (3 accounts)." }).waitFor();
  assert.equal(requests.filter((r) => r.url.endsWith("/api/link_token")).length, 1, "no second link-token request on the way back");
  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  await assertTokenGone({ page, context, console }, JSON.parse(exchanges[0].body).public_token, assert);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, "storage is empty afterwards");
  await context.close();
});

test("redirect: a missing or expired kept token is explained, and Start again fetches a fresh one", async () => {
  for (const expired of [false, true]) {
    const { page, context, requests } = await openPage(ctx.browser, ctx.redirect.url + "/?oauth_state_id=abc123", (p) =>
      expired
        ? p.addInitScript((key) => {
            if (location.search.includes("oauth_state_id")) {
              sessionStorage.setItem(key, JSON.stringify({ link_token: "link-sandbox-old", expires_at_ms: Date.now() - 1000 }));
            }
          }, KEY)
        : Promise.resolve());
    const message = expired ? "took too long and has expired" : "could not pick up your sign-in";
    await status(page).filter({ hasText: message }).waitFor();
    assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), KEY), null);
    assert.equal(requests.filter((r) => r.url.endsWith("/api/link_token")).length, 0);
    await page.getByRole("button", { name: "Start again" }).click();
    await connect(page).waitFor();
    assert.ok(await connect(page).isEnabled());
    assert.equal(requests.filter((r) => r.url.endsWith("/api/link_token")).length, 1);
    await context.close();
  }
});
