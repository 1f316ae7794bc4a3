// Layer, end to end: submit() on a live Link with the sandbox's eligible phone number (LAYER_READY,
// then open() shows the remembered login), and with another number (LAYER_NOT_AVAILABLE, a date of
// birth, LAYER_AUTOFILL_NOT_AVAILABLE, then the usual flow).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, exchangeRequests, linkThrough, assertTokenGone, assertStrictCsp, useServers } from "./harness.js";

const ctx = useServers();

const button = (page) => page.getByRole("button", { name: "Continue with Plaid" });
const dialog = (page) => page.getByRole("dialog", { name: "Plaid Link" });
const events = (page) => page.evaluate(() => window.__events);

async function submitPhone(page, number) {
  await button(page).waitFor();
  await page.waitForFunction(() => !document.querySelector("[data-layer-link] button").disabled);
  await page.getByLabel("Phone number").fill(number);
  await page.getByRole("button", { name: "Check my number" }).click();
}

test("Layer: an eligible phone number gets LAYER_READY, and open() shows the remembered login", async () => {
  const { page, context, console, requests, policy } = await openPage(ctx.browser, ctx.backend.url + "/pages/layer.html");
  await submitPhone(page, "+14155550011");
  await page.getByText("You can continue with Plaid.").waitFor();
  await button(page).click();
  await dialog(page).getByRole("heading", { name: "Continue with Plaid" }).waitFor();
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await dialog(page).getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();
  const names = await events(page);
  assert.equal(names[0], "LAYER_READY", names.join());
  assert.ok(names.indexOf("OPEN") > names.indexOf("LAYER_READY"), names.join());
  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  await assertTokenGone({ page, context, console }, JSON.parse(exchanges[0].body).public_token, assert);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});

test("Layer: another number is not available; a date of birth leads to the usual flow", async () => {
  const { page, context, console, requests } = await openPage(ctx.browser, ctx.backend.url + "/pages/layer.html");
  await submitPhone(page, "+15555550100");
  await page.getByText("Tell us your date of birth.").waitFor();
  await page.getByLabel("Date of birth").fill("1975-01-18");
  await page.getByRole("button", { name: "Check my date of birth" }).click();
  await page.getByText("Connect your bank with Plaid.").waitFor();
  assert.deepEqual(await events(page), ["LAYER_NOT_AVAILABLE", "LAYER_AUTOFILL_NOT_AVAILABLE"]);
  await button(page).click();
  const link = await linkThrough(page);
  await link.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank" }).waitFor();
  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  await assertTokenGone({ page, context, console }, JSON.parse(exchanges[0].body).public_token, assert);
  await context.close();
});
