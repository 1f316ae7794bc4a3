// The page policy carries what Plaid documents Link needs, and no more: the stand-in's Link does to
// a page what real Link does (a <style> under its script's nonce, inline style attributes), so the
// policy passes with no violation (the other suites check that), and each stricter policy fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServers, openPage, assertStrictPolicy } from "./harness.js";

const ctx = useServers();

/** The demo page, served under `tighten(policy)`; Link opened; the violations it recorded. */
async function violationsUnder(tighten) {
  const opened = await openPage(ctx.browser, ctx.backend.url + "/", async (page) => {
    await page.route(ctx.backend.url + "/", async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      headers["content-security-policy"] = tighten(headers["content-security-policy"]);
      await route.fulfill({ response, headers });
    });
  });
  const { page } = opened;
  await page.getByRole("button", { name: "Connect a bank account" }).first().click();
  await page.getByRole("dialog", { name: "Plaid Link" }).waitFor();
  const violations = await page.evaluate(() => window.__cspViolations);
  await opened.context.close();
  return { violations, policy: opened.policy };
}

test("the policy as served: Link's style element and attributes pass, with nothing unsafe for scripts", async () => {
  const { violations, policy } = await violationsUnder((p) => p);
  assert.deepEqual(violations, []);
  assertStrictPolicy(policy, assert);
  assert.match(policy, /style-src-attr 'unsafe-inline'/);
});

test("without style-src-attr 'unsafe-inline', Link's inline style attributes are blocked", async () => {
  const { violations } = await violationsUnder((p) => p.replace("style-src-attr 'unsafe-inline';", ""));
  assert.ok(violations.some((v) => v.startsWith("style-src-attr")), JSON.stringify(violations));
});

test("without the nonce in style-src, Link's <style> element is blocked", async () => {
  const { violations } = await violationsUnder((p) => p.replace(/style-src 'self' 'nonce-[^']+'/, "style-src 'self'"));
  assert.ok(violations.some((v) => v.startsWith("style-src-elem")), JSON.stringify(violations));
});
