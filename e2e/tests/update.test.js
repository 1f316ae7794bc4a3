// Update mode and several components on one page, on the demo page: a bank whose login broke is
// listed with "Reconnect", Link opens straight on that bank's sign-in, and the item is repaired with
// no exchange and no public token left anywhere; "Add accounts" adds one.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, exchangeRequests, assertTokenGone, assertStrictCsp, occurrencesInWasmMemory, screenshotPath,
  useServers,
} from "./harness.js";

const ctx = useServers();

const dialog = (page) => page.getByRole("dialog", { name: "Plaid Link" });
const item = (page, bank) => page.locator(".demo-item").filter({ hasText: bank });

/** An init script: keeps every status line any component shows (`window.__messages`), since the
 *  demo's list replaces a row's component once it has reconnected. */
function recordMessages() {
  window.__messages = [];
  new MutationObserver(() => {
    for (const node of document.querySelectorAll(".plaid-link__message")) {
      const text = node.textContent;
      if (text && !window.__messages.includes(text)) window.__messages.push(text);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

const open = (path = "/") => openPage(ctx.browser, ctx.backend.url + path, (p) => p.addInitScript(recordMessages));
const shown = (page, message) => page.waitForFunction((m) => window.__messages.includes(m), message);

/** Records every public token Link's stand-in hands out, from the network, outside the page. */
function publicTokens(page) {
  const tokens = [];
  page.on("response", async (response) => {
    if (response.url().endsWith("/plaid/link/complete") && response.ok()) {
      tokens.push((await response.json()).public_token);
    }
  });
  return tokens;
}

/** Connects `bank` with the page's "Connect" button, sharing its first `accounts` accounts. */
async function connect(page, bank, accounts) {
  await page.locator("[data-demo-connect]").getByRole("button", { name: "Connect a bank account" }).click();
  await dialog(page).getByRole("button", { name: bank }).click();
  await signIn(page);
  const boxes = dialog(page).getByRole("checkbox");
  await boxes.first().waitFor();
  for (let i = accounts; i < (await boxes.count()); i++) await boxes.nth(i).uncheck();
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await item(page, bank).waitFor();
}

async function signIn(page) {
  await dialog(page).getByLabel("Username").fill("user_good");
  await dialog(page).getByLabel("Password").fill("pass_good");
  await dialog(page).getByRole("button", { name: "Submit" }).click();
}

test("update mode: a broken login is reconnected with no exchange, and the list says it is fine again", async () => {
  const { page, context, console, requests, policy } = await open();
  const tokens = publicTokens(page);
  await page.getByText("No bank connected yet.").waitFor();
  await connect(page, "First Platypus Bank", 2);
  await item(page, "First Platypus Bank").filter({ hasText: "2 accounts, connected" }).waitFor();

  await item(page, "First Platypus Bank").getByRole("button", { name: "Break the login (sandbox)" }).click();
  const broken = item(page, "First Platypus Bank").filter({ hasText: "needs you to sign in again" });
  await broken.getByRole("button", { name: "Reconnect" }).waitFor();
  assert.equal(ctx.backend.items().at(-1).status, "login_required");
  const exchangesBefore = exchangeRequests(requests).length;

  await broken.getByRole("button", { name: "Reconnect" }).click();
  // Straight to the item's bank: no institution list in update mode.
  await dialog(page).getByRole("heading", { name: "Log in to First Platypus Bank" }).waitFor();
  await page.screenshot({ path: screenshotPath("update-mode-sign-in.png") });
  await signIn(page);
  await shown(page, "Reconnected to First Platypus Bank (2 accounts).");
  await item(page, "First Platypus Bank").filter({ hasText: "2 accounts, connected" }).waitFor();

  assert.equal(exchangeRequests(requests).length, exchangesBefore, "update mode sends no exchange request");
  const told = requests.filter((r) => r.url.endsWith("/api/item_updated"));
  assert.equal(told.length, 1);
  assert.ok(!told[0].body.includes("public"), "nothing of the public token goes to the backend");
  assert.equal(ctx.backend.items().at(-1).status, "ok");
  assert.equal(ctx.backend.items().length >= 1, true);

  const token = tokens.at(-1);
  assert.match(token, /^public-sandbox-/, "Link did hand out a public token in update mode");
  await assertTokenGone({ page, context, console }, token, assert);
  assert.equal(await occurrencesInWasmMemory(page, token), 0, "public token found in WebAssembly memory");
  await assertStrictCsp(page, policy, assert);
  await context.close();
});

test("update mode with account selection adds an account to the same item", async () => {
  const { page, context, console, requests } = await open();
  const tokens = publicTokens(page);
  await connect(page, "Tartan Bank", 2);
  const row = item(page, "Tartan Bank");
  await row.filter({ hasText: "2 accounts, connected" }).waitFor();
  const itemsBefore = ctx.backend.items().length;
  const exchangesBefore = exchangeRequests(requests).length;

  await row.getByRole("button", { name: "Add accounts" }).click();
  await signIn(page);
  const third = dialog(page).getByRole("checkbox").nth(2);
  assert.equal(await third.isChecked(), false, "an account not shared yet starts unchosen");
  assert.equal(await dialog(page).getByRole("checkbox").nth(0).isChecked(), true, "shared accounts start chosen");
  await third.check();
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await shown(page, "Reconnected to Tartan Bank (3 accounts).");
  await item(page, "Tartan Bank").filter({ hasText: "3 accounts, connected" }).waitFor();

  assert.equal(exchangeRequests(requests).length, exchangesBefore, "no exchange");
  assert.equal(ctx.backend.items().length, itemsBefore, "the same item, not a new one");
  await assertTokenGone({ page, context, console }, tokens.at(-1), assert);
  await context.close();
});

test("three components on one page: one Link at a time, each for its own item", async () => {
  const { page, context, console, requests } = await open();
  const tokens = publicTokens(page);
  await connect(page, "Houndstooth Bank", 1);
  await page.reload(); // The page's own button says "Connected" now; a fresh page connects another.
  await item(page, "Houndstooth Bank").waitFor();
  await connect(page, "Tartan Bank", 1);
  for (const bank of ["Houndstooth Bank", "Tartan Bank"]) {
    await item(page, bank).getByRole("button", { name: "Break the login (sandbox)" }).click();
    await item(page, bank).getByRole("button", { name: "Reconnect" }).waitFor();
  }
  // The page's Connect, and a Reconnect for each broken item: three components, one Link script.
  const scripts = await page.locator('script[src$="link-initialize.js"]').count();
  assert.equal(scripts, 1, "Link's script is loaded once");

  await item(page, "Houndstooth Bank").getByRole("button", { name: "Reconnect" }).click();
  await dialog(page).getByRole("heading", { name: "Log in to Houndstooth Bank" }).waitFor();
  // A click on another component while Link is open does nothing: still one Link, the same bank.
  // (Link's overlay covers the page, so the click is dispatched to the button directly.)
  await item(page, "Tartan Bank").getByRole("button", { name: "Reconnect" }).dispatchEvent("click");
  assert.equal(await dialog(page).count(), 1);
  await dialog(page).getByRole("heading", { name: "Log in to Houndstooth Bank" }).waitFor();
  await signIn(page);
  await shown(page, "Reconnected to Houndstooth Bank (1 account).");
  await item(page, "Houndstooth Bank").filter({ hasText: "connected" }).getByRole("button", { name: "Add accounts" }).waitFor();

  await item(page, "Tartan Bank").getByRole("button", { name: "Reconnect" }).click();
  await dialog(page).getByRole("heading", { name: "Log in to Tartan Bank" }).waitFor();
  await signIn(page);
  await item(page, "Tartan Bank").filter({ hasText: "1 account, connected" }).waitFor();
  const updates = requests.filter((r) => r.url.endsWith("/api/item_updated")).map((r) => JSON.parse(r.body).item_id);
  assert.equal(new Set(updates).size, 2, "each component repaired its own item");
  assert.equal(tokens.length, 4, "Link handed out a public token for each connection and each repair");
  for (const token of tokens) await assertTokenGone({ page, context, console }, token, assert);
  await context.close();
});
