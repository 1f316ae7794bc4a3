// The plain bundle: Trunk's output with no size stage (PLAID_LINK_SHRINK=0, built by `make test`
// into target/dist-plain). Turning the stage off is the runbook's first step when a toolchain
// upgrade breaks it (docs/size-stage.md), so the plain bundle must always connect a bank.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openPage, exchangeRequests, linkThrough, assertTokenGone, assertStrictCsp, useServers } from "./harness.js";

const plain = process.env.PLAID_LINK_PLAIN_DIST;
const ctx = useServers(plain ? { PLAID_LINK_STATIC_DIR: plain } : {});

test("the plain bundle, built without the size stage, connects a bank under the strict policy", { skip: !plain && "PLAID_LINK_PLAIN_DIST is not set" }, async () => {
  assert.ok(existsSync(join(plain, "plaid-link-leptos_bg.wasm")), "the plain bundle was built");
  const glue = readFileSync(join(plain, "plaid-link-leptos.js"), "utf8");
  assert.match(glue, /export \{ initSync/, "Trunk's glue as wasm-bindgen wrote it: the size stage did not run");

  const opened = await openPage(ctx.browser, ctx.backend.url + "/");
  const { page, policy, requests } = opened;
  await page.getByRole("button", { name: "Connect a bank account" }).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank (3 accounts)." }).waitFor();
  await assertStrictCsp(page, policy, assert);
  const token = JSON.parse(exchangeRequests(requests)[0].body).public_token;
  await assertTokenGone(opened, token, assert);
  await opened.context.close();
});
