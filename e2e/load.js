// `make bench`, part two: a bounded load test of the reference backend, on loopback only. Each of
// N sessions (200 by default, all at once) loads the page, fetches a link token, goes through the
// Link stand-in, and exchanges its public token with injected retries: the same request twice at
// once and once more after, as a browser that timed out would send it. Every session must end with
// exactly one stored item and no 5xx; the backends' memory must stay bounded over two rounds.
//
// First one instance on its SQLite file; then, when PLAID_LINK_TEST_POSTGRES names a cluster
// (scripts/with-postgres.sh, as `make bench` runs this), two instances on one PostgreSQL database,
// each session's requests alternating between them (page and exchanges on one, link token and the
// second retry on the other), as a load balancer without affinity would send them. Prints
// throughput and latency percentiles for each. It stops by itself.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { startBackend, startFullstack } from "./tests/harness.js";

const sessions = Number(process.env.LOAD_SESSIONS || 200);

/** Two rounds of `sessions` sessions over `backends`; prints the numbers, says whether they held. */
async function load(label, backends) {
  const statuses = [];
  const latency = { link_token: [], exchange: [] };
  const on = (i) => backends[i % backends.length].url;

  async function timed(kind, promise) {
    const start = performance.now();
    const response = await promise;
    latency[kind].push(performance.now() - start);
    statuses.push(response.status);
    return response;
  }

  async function session(i) {
    const page = await fetch(on(i) + "/");
    const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]);
    const csrf = (await page.text()).match(/name="csrf-token" content="([^"]+)"/)[1];
    const headers = () => ({ "content-type": "application/json", "x-csrf-token": csrf, cookie: cookie.join("; ") });
    const token = await timed("link_token", fetch(on(i + 1) + "/api/link_token", { method: "POST", headers: headers(), body: "{}" }));
    cookie.push(...token.headers.getSetCookie().map((c) => c.split(";")[0]));
    const { link_token } = await token.json();
    // Link talks to Plaid: the stand-in the first backend hosts, which every instance uses.
    const post = (path, body) => fetch(backends[0].url + "/plaid" + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const institution_id = "ins_109508";
    const { accounts } = await post("/link/credentials", { link_token, institution_id, username: "user_good", password: "pass_good" });
    const { public_token } = await post("/link/complete", { link_token, institution_id, accounts });
    const body = JSON.stringify({ public_token, institution: { institution_id, name: "First Platypus Bank" }, accounts: [], link_session_id: `load-${i}` });
    const exchange = (at) => timed("exchange", fetch(on(at) + "/api/exchange_public_token", {
      method: "POST", headers: { ...headers(), "idempotency-key": `key-${i}` }, body,
    }));
    // The injected retries: two at once (a retry racing the first), then one more after.
    const answers = await Promise.all([exchange(i), exchange(i + 1)]);
    answers.push(await exchange(i + 1));
    const items = await Promise.all(answers.map((r) => r.json()));
    if (new Set(items.map((a) => a.item_id)).size !== 1 || !items[0].item_id) {
      throw new Error(`session ${i}: the retries got different answers: ${JSON.stringify(items)}`);
    }
  }

  const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]);
  const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  const rounds = [];
  for (let round = 0; round < 2; round++) {
    const start = performance.now();
    await Promise.all(Array.from({ length: sessions }, (_, i) => session(round * sessions + i)));
    rounds.push({ seconds: (performance.now() - start) / 1000, rssKb: backends.map((b) => rssKb(b.pid)) });
  }
  const items = backends[0].items();
  const fivexx = statuses.filter((s) => s >= 500).length;
  const perSession = new Map();
  for (const item of items) perSession.set(item.client_user_id, (perSession.get(item.client_user_id) || 0) + 1);
  const mb = (kbs) => kbs.map((kb) => (kb / 1024).toFixed(1)).join(" + ");
  console.log(`\nload, ${label}: ${sessions} concurrent sessions a round, 2 rounds, each exchanging once with 2 injected retries`);
  for (const [i, r] of rounds.entries()) {
    console.log(`  round ${i + 1}: ${(sessions / r.seconds).toFixed(1)} sessions/s, backend RSS ${mb(r.rssKb)} MB`);
  }
  for (const kind of ["link_token", "exchange"]) {
    console.log(`  ${kind}: p50 ${percentile(latency[kind], 50).toFixed(1)} ms, p99 ${percentile(latency[kind], 99).toFixed(1)} ms (${latency[kind].length} requests)`);
  }
  console.log(`  stored items: ${items.length} for ${2 * sessions} sessions; sessions with more than one: ${[...perSession.values()].filter((n) => n > 1).length}; 5xx answers: ${fivexx}`);
  // Bounded: the second round, with twice the state behind it, may not need much more memory.
  const bounded = rounds[1].rssKb.every((kb, i) => kb < rounds[0].rssKb[i] * 1.5);
  const ok = items.length === 2 * sessions && perSession.size === 2 * sessions && fivexx === 0 && bounded;
  console.log(`  ${ok ? "held" : "FAILED"}: exactly one item per session, no 5xx, memory within 1.5x of the first round`);
  return ok;
}

/**
 * The same sessions through the full-stack example (plaid-link-server under an app's own members):
 * each signs a member in, gets a link token from a server function, goes through the stand-in and
 * exchanges at the library's route with the same injected retries.
 */
async function loadFullstack() {
  const app = await startFullstack({ BENCH_MEMBERS: String(2 * sessions), RATE_LIMIT: "1000000" });
  const url = app.url;
  const statuses = [];
  const latency = { link_token: [], exchange: [] };
  const timed = async (kind, promise) => {
    const start = performance.now();
    const response = await promise;
    latency[kind].push(performance.now() - start);
    statuses.push(response.status);
    return response;
  };
  const suffix = (await (await fetch(url + "/")).text()).match(/action="\/api\/sign_in(\d+)"/)[1];
  const form = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
  const counts = [];
  async function session(i) {
    const name = `member-${i}`;
    const signed = await fetch(`${url}/api/sign_in${suffix}`, { method: "POST", headers: form, body: `name=${name}&password=${name}-password` });
    const cookie = signed.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const token = await timed("link_token", fetch(`${url}/api/link_token${suffix}`, {
      method: "POST", headers: { ...form, cookie }, body: "account_selection=false&multi_item=false" }));
    const [link_token] = await token.json();
    const post = (path, body) => fetch(url + "/plaid" + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json());
    const institution_id = "ins_109508";
    const { accounts } = await post("/link/credentials", { link_token, institution_id, username: "user_good", password: "pass_good" });
    const { public_token } = await post("/link/complete", { link_token, institution_id, accounts });
    const body = JSON.stringify({ public_token, institution: { institution_id, name: "First Platypus Bank" }, accounts: [], link_session_id: `load-${i}` });
    const exchange = () => timed("exchange", fetch(url + "/bank/exchange_public_token", {
      method: "POST", headers: { "content-type": "application/json", cookie, "idempotency-key": `key-${i}` }, body }));
    const answers = await Promise.all([exchange(), exchange()]);
    answers.push(await exchange());
    const items = await Promise.all(answers.map((r) => r.json()));
    if (new Set(items.map((a) => a.item_id)).size !== 1 || !items[0].item_id) {
      throw new Error(`session ${i}: the retries got different answers: ${JSON.stringify(items)}`);
    }
    const listed = await (await fetch(url + "/bank/items", { headers: { cookie } })).json();
    counts.push(listed.items.length);
  }
  const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  try {
    console.log(`\nload, the full-stack example (plaid-link-server under the app's own members): ${sessions} concurrent sessions a round, 2 rounds`);
    for (let round = 0; round < 2; round++) {
      const start = performance.now();
      await Promise.all(Array.from({ length: sessions }, (_, i) => session(round * sessions + i)));
      console.log(`  round ${round + 1}: ${(sessions / ((performance.now() - start) / 1000)).toFixed(1)} sessions/s`);
    }
    for (const kind of ["link_token", "exchange"]) {
      console.log(`  ${kind}: p50 ${percentile(latency[kind], 50).toFixed(1)} ms, p99 ${percentile(latency[kind], 99).toFixed(1)} ms (${latency[kind].length} requests)`);
    }
    const fivexx = statuses.filter((s) => s >= 500).length;
    const once = counts.filter((n) => n === 1).length;
    console.log(`  members with exactly one item: ${once} of ${2 * sessions}; 5xx answers: ${fivexx}`);
    const ok = once === 2 * sessions && fivexx === 0;
    console.log(`  ${ok ? "held" : "FAILED"}: exactly one item per session, no 5xx`);
    return ok;
  } finally {
    await app.stop();
  }
}

let held = true;
if (process.env.PLAID_LINK_FULLSTACK_BIN) {
  held = (await loadFullstack()) && held;
}
const single = await startBackend();
try {
  held = (await load("one instance, SQLite", [single])) && held;
} finally {
  await single.stop();
}
const postgres = process.env.PLAID_LINK_TEST_POSTGRES;
if (postgres) {
  const shared = { DATABASE_URL: postgres, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
  const first = await startBackend(shared);
  const second = await startBackend({ ...shared, PLAID_BASE_URL: first.url + "/plaid" });
  try {
    held = (await load("two instances, one PostgreSQL", [first, second])) && held;
  } finally {
    await Promise.all([first.stop(), second.stop()]);
  }
} else {
  console.log("\nload, two instances: skipped (no PLAID_LINK_TEST_POSTGRES; `make bench` starts a cluster)");
}
if (!held) process.exitCode = 1;
