// What a security review checks, shown in a real browser: no token left behind (not even in
// WebAssembly memory), a strict Content-Security-Policy that holds, and hostile text kept as text.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  openPage, exchangeRequests, linkThrough, assertTokenGone, assertStrictCsp,
  occurrencesInWasmMemory,
  useServers,
} from "./harness.js";

const HOSTILE = `<img src=x onerror="window.__pwned=1">Evil <script>window.__pwned=2</script> Bank`;

const ctx = useServers({ PLAID_STANDIN_EXTRA_INSTITUTION: HOSTILE });

async function connectWith(bank) {
  const opened = await openPage(ctx.browser, ctx.backend.url + "/");
  const { page } = opened;
  await page.getByRole("button", { name: "Connect a bank account" }).click();
  const dialog = await linkThrough(page, { bank });
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to" }).waitFor();
  return opened;
}

test("after the forward, the public token is nowhere: not in WebAssembly memory, storage, cookies, URL, DOM or console", async () => {
  const { page, context, console, requests, policy } = await connectWith("First Platypus Bank");
  const token = JSON.parse(exchangeRequests(requests)[0].body).public_token;
  assert.match(token, /^public-sandbox-/);

  // The search works: what the component does keep (the bank's name, for its message) is found.
  assert.ok((await occurrencesInWasmMemory(page, "First Platypus Bank")) > 0, "control string not found");
  assert.equal(await occurrencesInWasmMemory(page, token), 0, "public token found in WebAssembly memory");

  await assertTokenGone({ page, context, console }, token, assert);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});

test("the policy is enforced: an injected inline script is blocked and reported", async () => {
  const { page, context } = await openPage(ctx.browser, ctx.backend.url + "/");
  await page.getByRole("button", { name: "Connect a bank account" }).waitFor();
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__injected = true";
    document.body.append(s);
  });
  await page.waitForFunction(() => window.__cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  await context.close();
});

test("an institution name holding markup and a script is shown as text and never runs", async () => {
  const { page, context, policy } = await connectWith(HOSTILE);
  const message = await page.getByRole("status").filter({ hasText: "Connected to" }).textContent();
  assert.equal(message, `Connected to ${HOSTILE} (3 accounts).`);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator(".plaid-link img, .plaid-link script").count(), 0);
  await assertStrictCsp(page, policy, assert);
  await context.close();
});

// --- the trust boundary: injected markup and redirects ------------------------------------------

/** Another origin on this machine, played by Playwright: records what reaches it, and serves a script. */
const ATTACKER = "http://127.0.0.1:9";
async function routeAttacker(page, reached) {
  await page.route(`${ATTACKER}/**`, (route) => {
    reached.push(route.request().url());
    const script = route.request().url().endsWith(".js");
    return route.fulfill({
      status: 200,
      contentType: script ? "text/javascript" : "application/json",
      headers: { "access-control-allow-origin": "*" },
      body: script ? "window.__evil = true;" : '{"link_token":"link-sandbox-attacker"}',
    });
  });
}

test("injected markup can choose neither the script nor the endpoints; the page's own component still connects", async () => {
  const reached = [];
  const opened = await openPage(ctx.browser, ctx.backend.url + "/pages/injected.html", (page) => routeAttacker(page, reached));
  const { page, context, requests, policy } = opened;
  const message = (id) => page.locator(`#${id} [role=status]`);
  await message("evil-upload").filter({ hasText: "not Plaid's" }).waitFor();
  await message("evil-script").filter({ hasText: "not Plaid's" }).waitFor();
  await message("evil-exchange").filter({ hasText: "another site" }).waitFor();
  await message("evil-token").filter({ hasText: "another site" }).waitFor();

  await page.locator("#real").getByRole("button", { name: "Connect a bank account" }).click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await message("real").filter({ hasText: "Connected to First Platypus Bank" }).waitFor();

  assert.deepEqual(reached, [], "nothing reached the other origin");
  assert.ok(requests.every((r) => !r.url.startsWith(ATTACKER)), "no request left for the other origin");
  assert.equal(await page.evaluate(() => window.__evil), undefined, "the injected script never ran");
  assert.equal(await page.evaluate(() => window.__uploadedRan), undefined, "the uploaded file never ran with the nonce");
  assert.equal(await page.locator('script[src$="/pages/uploaded.js"]').count(), 0);
  assert.equal(await page.locator(`script[src^="${ATTACKER}"]`).count(), 0);
  // The injected inline script got no nonce: blocked, and the only violation on the page.
  assert.equal(await page.evaluate(() => window.__injectedInline), undefined, "the injected inline script ran");
  assert.match(policy, /script-src 'nonce-[^']+'/);
  const violations = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual(violations, ["script-src-elem inline"], "only the injected inline script was blocked");
  await context.close();
});

for (const [which, path] of [["link-token", "**/api/link_token"], ["exchange", "**/api/exchange_public_token"]]) {
  test(`a redirect from the ${which} endpoint is not followed, and the user is told`, async () => {
    const reached = [];
    const itemsBefore = ctx.backend.items().length;
    const opened = await openPage(ctx.browser, ctx.backend.url + "/", async (page) => {
      await routeAttacker(page, reached);
      await page.route(path, (route) => route.fulfill({ status: 307, headers: { location: `${ATTACKER}/stolen` } }));
    });
    const { page, context, requests } = opened;
    if (which === "exchange") {
      await page.getByRole("button", { name: "Connect a bank account" }).click();
      const dialog = await linkThrough(page);
      await dialog.getByRole("button", { name: "Continue" }).click();
    }
    await page.getByRole("status").filter({ hasText: "answered from another address" }).waitFor();
    assert.deepEqual(reached, [], "the redirect was not followed");
    const calls = requests.filter((r) => r.url.endsWith(path.slice(2)));
    assert.equal(calls.length, 1, "a redirect is not retried");
    assert.equal(ctx.backend.items().length, itemsBefore, "nothing was exchanged");
    if (which === "exchange") {
      await assertTokenGone(opened, JSON.parse(calls[0].body).public_token, assert);
    }
    await context.close();
  });
}

test("injected markup cannot make the component POST to a same-origin path its server did not declare", async () => {
  // A connected item, whose login injected markup tries to break through the component.
  const opened = await connectWith("First Platypus Bank");
  const items = () => opened.page.evaluate(() => fetch("/api/items").then((r) => r.json()));
  const item = (await items()).items.at(-1);
  assert.equal(item.status, "ok");
  const path = `/api/items/${item.item_id}/reset_login`;
  // The server's own page, with markup injected into it (as stored user content would be).
  await opened.page.route("**/pages/injected.html", async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace("<h1>", `<div id="evil-endpoint" data-plaid-link data-link-token-url="${path}"></div><h1>`);
    await route.fulfill({ response, body });
  });
  const requests = [];
  opened.page.on("request", (r) => requests.push(r.url()));
  await opened.page.goto(ctx.backend.url + "/pages/injected.html");
  await opened.page.locator("#evil-endpoint [role=status]").filter({ hasText: "has not declared" }).waitFor();
  await opened.page.locator("#real").getByRole("button", { name: "Connect a bank account" }).waitFor();
  assert.ok(!requests.some((url) => url.endsWith(path)), "nothing was sent to the undeclared path");
  assert.equal((await items()).items.find((i) => i.item_id === item.item_id).status, "ok", "the item's login is untouched");
  await opened.context.close();
});
