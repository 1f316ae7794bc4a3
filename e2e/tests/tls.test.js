// "Forwards over HTTPS" shown, not assumed: the success path with the page, the backend and the
// Plaid stand-in all on HTTPS, with a certificate made for this run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, exchangeRequests, linkThrough, assertStrictCsp, useServers } from "./harness.js";

const ctx = useServers({}, { tls: true });

test("over HTTPS: the public token travels only over TLS and the bank is connected", async () => {
  assert.match(ctx.backend.url, /^https:\/\/127\.0\.0\.1:/);
  const before = ctx.backend.items().length;
  const { page, context, requests, policy, headers } = await openPage(ctx.browser, ctx.backend.url + "/");
  assert.match(headers["strict-transport-security"] || "", /max-age=\d{7,}/, "HSTS over TLS");
  await page.getByRole("button", { name: "Connect a bank account" }).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();

  // Over TLS the cookies are __Host- (this host only, the whole site, HTTPS only) and Secure.
  const cookies = await context.cookies();
  for (const name of ["__Host-plaid_link_csrf", "__Host-plaid_link_session"]) {
    const cookie = cookies.find((c) => c.name === name);
    assert.ok(cookie, `${name} is set: ${cookies.map((c) => c.name)}`);
    assert.ok(cookie.secure && cookie.httpOnly && cookie.sameSite === "Strict" && cookie.path === "/", name);
  }

  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  assert.match(exchanges[0].url, /^https:\/\//);
  assert.ok(requests.every((r) => r.url.startsWith("https://")), "every request of the page is HTTPS");
  assert.equal(ctx.backend.items().length, before + 1);
  assert.match(policy, /https:\/\/127\.0\.0\.1:\d+\/plaid\/link\/v2\/stable\/link-initialize\.js/);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});
