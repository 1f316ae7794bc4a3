// "Forwards over HTTPS" shown, not assumed: the success path with the page, the backend and the
// Plaid stand-in all on HTTPS, with a certificate made for this run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBackend, launchBrowser, openPage, exchangeRequests, linkThrough, assertStrictCsp } from "./harness.js";

let backend;
let browser;
before(async () => {
  backend = await startBackend({}, { tls: true });
  browser = await launchBrowser({ trustSpki: backend.spki });
});
after(async () => {
  await browser?.close();
  await backend?.stop();
});

test("over HTTPS: the public token travels only over TLS and the bank is connected", async () => {
  assert.match(backend.url, /^https:\/\/127\.0\.0\.1:/);
  const before = backend.items().length;
  const { page, context, requests, policy } = await openPage(browser, backend.url + "/");
  await page.getByRole("button", { name: "Connect a bank account" }).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();

  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  assert.match(exchanges[0].url, /^https:\/\//);
  assert.ok(requests.every((r) => r.url.startsWith("https://")), "every request of the page is HTTPS");
  assert.equal(backend.items().length, before + 1);
  assert.match(policy, /https:\/\/127\.0\.0\.1:\d+\/plaid\/link\/v2\/stable\/link-initialize\.js/);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});
