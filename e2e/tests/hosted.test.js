// Hosted Link through the stand-in: the page behind `hosted_link_url` runs Link on its own, with no
// page of the app's, and ends at `completion_redirect_uri` (or says the user may close it); the
// session's results are then Plaid's to report (`/link/token/get`, and SESSION_FINISHED).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServers, openPage, linkThrough } from "./harness.js";

const ctx = useServers();

async function hostedToken(hosted) {
  const response = await fetch(`${ctx.backend.url}/plaid/link/token/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_id: "local-client-id", secret: "local-secret", client_name: "Hosted", language: "en",
      country_codes: ["US"], user: { client_user_id: "hosted-user" }, products: ["transactions"], hosted_link: hosted,
    }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

test("Hosted Link: the page runs Link alone and sends the user to completion_redirect_uri", async () => {
  const done = `${ctx.backend.url}/?hosted=done`;
  const { link_token, hosted_link_url } = await hostedToken({ completion_redirect_uri: done });
  const opened = await openPage(ctx.browser, hosted_link_url);
  const dialog = await linkThrough(opened.page);
  await dialog.getByRole("button", { name: "Continue" }).click();
  await opened.page.waitForURL(done, { waitUntil: "commit" });
  const got = await fetch(`${ctx.backend.url}/plaid/link/token/get`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_id: "local-client-id", secret: "local-secret", link_token }),
  }).then((r) => r.json());
  const added = got.link_sessions[0].results.item_add_results;
  assert.equal(added.length, 1);
  assert.equal(added[0].institution.name, "First Platypus Bank");
  assert.ok(!opened.console.some((line) => line.includes("public-")), "no public token in the console");
  await opened.context.close();
});

test("Hosted Link without completion_redirect_uri: leaving says the window may be closed", async () => {
  const { hosted_link_url } = await hostedToken({});
  const opened = await openPage(ctx.browser, hosted_link_url);
  const dialog = opened.page.getByRole("dialog", { name: "Plaid Link" });
  await dialog.getByRole("button", { name: "Close" }).click();
  await opened.page.getByRole("status").filter({ hasText: "You can close this window." }).waitFor();
  await opened.context.close();
});
