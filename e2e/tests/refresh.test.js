// The link token's lifetime, end to end: a stand-in whose link tokens live 8 seconds, so that the
// component's planned refresh (at three quarters of a short life) happens during the test. The
// button stays ready throughout, Link is made again with the fresh token, and the bank connects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, exchangeRequests, linkThrough, assertTokenGone, watchPlaid, useServers } from "./harness.js";

const ctx = useServers({ PLAID_STANDIN_LINK_TOKEN_TTL_SECS: "8" });

/** An init script (after `watchPlaid`): records the token of every `Plaid.create`, and every state
 *  the button shows. */
function record() {
  window.__created = [];
  window.__states = [];
  window.__plaid.onConfig.push((config) => window.__created.push(config.token));
  new MutationObserver(() => {
    const state = document.querySelector(".plaid-link")?.getAttribute("data-status");
    if (state && window.__states.at(-1) !== state) window.__states.push(state);
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
}

test("a link token about to expire is replaced under a ready button, and the fresh one connects", async () => {
  // The bodies as promises, pushed when each answer's headers arrive (before the page can read it),
  // so that a Link made with a token always finds its answer here; read once Link is made twice.
  // Listened to from before the page loads: its prefetch may have the first answer by the time the
  // page's markup is in.
  const bodies = [];
  const { page, context, console, requests } = await openPage(ctx.browser, ctx.backend.url + "/", async (p) => {
    await p.addInitScript(watchPlaid);
    await p.addInitScript(record);
    p.on("response", (r) => {
      if (!r.url().endsWith("/api/link_token")) return;
      const body = r.json();
      // An answer still arriving as the context closes (a later refresh) is not this test's to read:
      // its body's rejection must not fail the file after the test has passed.
      body.catch(() => {});
      bodies.push(body);
    });
  });
  const connect = page.getByRole("button", { name: "Connect a bank account" });
  await connect.waitFor();
  await page.waitForFunction(() => window.__created.length >= 2, null, { timeout: 20_000 }).catch(async (e) => {
    const seen = await page.evaluate(() => ({ created: window.__created, states: window.__states }));
    throw new Error(`${e.message}: ${JSON.stringify({ ...seen, answers: await Promise.all(bodies) })}`);
  });
  const answers = await Promise.all(bodies);

  const { created, states } = await page.evaluate(() => ({ created: window.__created, states: window.__states }));
  assert.equal(answers.length, 2, "one planned refresh");
  assert.deepEqual(created, answers.map((a) => a.link_token), "Link was made again with the fresh token");
  assert.deepEqual(states, ["preparing", "ready"], "the button never went back to preparing");
  assert.ok(await connect.isEnabled());

  await connect.click();
  const dialog = await linkThrough(page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("status").filter({ hasText: "Connected to First Platypus Bank" }).waitFor();
  const signIn = requests.find((r) => r.url.endsWith("/plaid/link/credentials"));
  assert.equal(JSON.parse(signIn.body).link_token, answers[1].link_token, "the session ran on the fresh token");
  const exchanges = exchangeRequests(requests);
  assert.equal(exchanges.length, 1);
  await assertTokenGone({ page, context, console }, JSON.parse(exchanges[0].body).public_token, assert);
  await context.close();
});
