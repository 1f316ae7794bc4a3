// "Forwards over HTTPS" shown, not assumed: the success path with the page, the backend and the
// Plaid stand-in all on HTTPS, with a certificate made for this run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, exchangeRequests, linkThrough, assertStrictCsp, useServers } from "./harness.js";

const ctx = useServers({}, { tls: true });

test("over HTTPS: the public token travels only over TLS and the bank is connected", async () => {
  assert.match(ctx.backend.url, /^https:\/\/127\.0\.0\.1:/);
  const before = ctx.backend.items().length;
  const { page, context, requests, policy } = await openPage(ctx.browser, ctx.backend.url + "/");
  await page.getByRole("button", { name: "Connect a bank account" }).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();

  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  assert.match(exchanges[0].url, /^https:\/\//);
  assert.ok(requests.every((r) => r.url.startsWith("https://")), "every request of the page is HTTPS");
  assert.equal(ctx.backend.items().length, before + 1);
  assert.match(policy, /https:\/\/127\.0\.0\.1:\d+\/plaid\/link\/v2\/stable\/link-initialize\.js/);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});
