// Every way a Link session ends, end to end against the stand-in: Multi-Item Link (the page's call
// and the SESSION_FINISHED webhook racing, then the webhook alone), Identity Verification, a
// duplicate refused before any exchange, an exit report, and what a page hears.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, linkThrough, assertTokenGone, assertStrictCsp, occurrencesInWasmMemory,
  startBackend, useServers, exchangeRequests, eventually,
} from "./harness.js";

const ctx = useServers();
const PAGE = "/pages/endings.html";

/** Two banks in one Multi-Item Link session, through the stand-in's Link; "Done" at the end. */
async function twoBanks(page) {
  await page.getByRole("button", { name: "Connect several banks" }).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await dialog.getByRole("button", { name: "Add another bank" }).click();
  await linkThrough(page, { bank: "Tartan Bank" });
  await dialog.getByRole("button", { name: "Continue" }).click();
  await dialog.getByRole("button", { name: "Done" }).click();
}

/** No public token of any kind anywhere in the page, its memory included. */
async function noTokenInPage(opened) {
  await assertTokenGone(opened, "public-sandbox-", assert);
  assert.equal(await occurrencesInWasmMemory(opened.page, "public-sandbox-"), 0, "a public token in WebAssembly memory");
}

test("Multi-Item Link: two banks in one session become exactly two items, the page's call and the webhook racing", async () => {
  const before = ctx.backend.items().length;
  const opened = await openPage(ctx.browser, ctx.backend.url + PAGE);
  const { page, requests, policy } = opened;
  await twoBanks(page);
  await page.getByRole("status").filter({ hasText: "Connected 2 banks: First Platypus Bank and Tartan Bank." }).waitFor();
  const finished = requests.filter((r) => r.url.endsWith("/api/link_session_finished"));
  assert.equal(finished.length, 1);
  assert.ok(!finished[0].body.includes("public_token"), "no token is sent: the page has none");
  assert.equal(exchangeRequests(requests).length, 0);
  // The webhook's path is done too once the log says so; still two.
  await eventually("the webhook handled", () => ctx.backend.logs.join("").includes("LINK SESSION_FINISHED"));
  const items = ctx.backend.items().slice(before);
  assert.deepEqual(items.map((i) => i.institution_name).sort(), ["First Platypus Bank", "Tartan Bank"]);
  assert.ok(!ctx.backend.logs.join("").includes('"status":5'), "no 5xx");

  // What the page heard: every status, and Link's events with Plaid's metadata; never a token.
  const heard = await page.evaluate(() => window.__heard);
  const statuses = heard.filter((e) => e.type === "plaid-link:status").map((e) => e.detail.status);
  assert.deepEqual(statuses.slice(-3), ["open", "sending", "connected"]);
  const connected = heard.filter((e) => e.type === "plaid-link:status").at(-1).detail;
  assert.equal(connected.item_ids.length, 2);
  const select = heard.find((e) => e.type === "plaid-link:event" && e.detail.name === "SELECT_INSTITUTION");
  assert.equal(select.detail.metadata.institution_name, "First Platypus Bank");
  assert.ok(!JSON.stringify(heard).includes("public-sandbox-"));
  await noTokenInPage(opened);
  await assertStrictCsp(page, policy, assert);
  await opened.context.close();
});

test("Multi-Item Link, the page gone before its call left: the webhook alone adds both banks", async () => {
  const before = ctx.backend.items().length;
  const opened = await openPage(ctx.browser, ctx.backend.url + PAGE, (page) =>
    page.route("**/api/link_session_finished", (route) => route.abort()));
  await twoBanks(opened.page);
  await eventually("two items from the webhook", () => ctx.backend.items().length === before + 2);
  const items = ctx.backend.items().slice(before);
  assert.deepEqual(items.map((i) => i.institution_name).sort(), ["First Platypus Bank", "Tartan Bank"]);
  await noTokenInPage(opened);
  await opened.context.close();
});

test("the same bank and accounts again are refused before any exchange, and the page says so", async () => {
  const opened = await openPage(ctx.browser, ctx.backend.url + "/");
  const { page } = opened;
  const before = ctx.backend.items().length;
  const connectOnce = async () => {
    await page.getByRole("button", { name: "Connect a bank account" }).first().click();
    const dialog = await linkThrough(page);
    await dialog.getByRole("button", { name: "Continue" }).click();
  };
  await connectOnce();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank" }).first().waitFor();
  await page.reload({ waitUntil: "domcontentloaded" });
  await connectOnce();
  await page.getByText("First Platypus Bank is already connected.").waitFor();
  assert.equal(ctx.backend.items().length, before + 1, "no second item");
  assert.ok(ctx.backend.logs.join("").includes("not exchanged"), "refused before the exchange");
  await noTokenInPage(opened);
  await opened.context.close();
});

test("an onExit error reaches the backend's log with exactly the listed fields", async () => {
  const opened = await openPage(ctx.browser, ctx.backend.url + PAGE);
  const { page } = opened;
  await page.getByRole("button", { name: "Connect several banks" }).click();
  const dialog = await linkThrough(page, { password: "hunter2-typed-by-the-user" });
  await dialog.getByRole("alert").waitFor();
  await dialog.getByRole("button", { name: "Close" }).click();
  await eventually("the exit report", () => ctx.backend.logs.join("").includes('"message":"link_exit"'));
  const line = ctx.backend.logs.join("").split("\n").find((l) => l.includes('"message":"link_exit"'));
  const fields = JSON.parse(line).fields;
  assert.deepEqual(Object.keys(fields).sort(),
    ["error_code", "error_type", "institution_id", "link_session_id", "message", "request_id", "status"]);
  assert.equal(fields.error_code, "INVALID_CREDENTIALS");
  assert.equal(fields.institution_id, "ins_109508");
  assert.ok(!line.includes("hunter2"), "nothing the user typed");
  await noTokenInPage(opened);
  await opened.context.close();
});

test("Identity Verification: a success without a token says Verified, and no token is sent", async () => {
  const backend = await startBackend({ PLAID_PRODUCTS: "identity_verification" });
  try {
    const opened = await openPage(ctx.browser, backend.url + "/");
    const { page, requests } = opened;
    await page.getByRole("button", { name: "Connect a bank account" }).first().click();
    await page.getByRole("dialog", { name: "Plaid Link" }).getByRole("button", { name: "Verify" }).click();
    await page.getByRole("status").filter({ hasText: "Verified." }).first().waitFor();
    const finished = requests.filter((r) => r.url.endsWith("/api/link_session_finished"));
    assert.equal(finished.length, 1);
    assert.ok(!finished[0].body.includes("public_token"));
    assert.equal(backend.items().length, 0);
    await noTokenInPage(opened);
    await opened.context.close();
  } finally {
    await backend.stop();
  }
});
