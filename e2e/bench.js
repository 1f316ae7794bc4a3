// `make bench`: our component and its React peer (React 18 + react-plaid-link 5, bench/peer/),
// side by side in one run, against the same local backend and the same Link stand-in, in headless
// Chromium. Prints one table: our number, the peer's, and the ratio. Asserts nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { startBackend, launchBrowser, linkThrough, captureWasmMemories, watchPlaid, root } from "./tests/harness.js";

const runs = Number(process.env.BENCH_RUNS || 15);
const cycles = Number(process.env.BENCH_CYCLES || 200);
const pages = join(root, "target/bench/pages");

// --- transfer size ------------------------------------------------------------------------------
// Everything each page loads of its own: ours through the embed snippet (loader, glue, WebAssembly,
// stylesheet); the peer's one bundle (React, react-dom, react-plaid-link and the app).
const OURS = ["plaid-link.js", "plaid-link-prefetch.js", "plaid-link-leptos.js", "plaid-link-leptos_bg.wasm", "plaid-link.css"].map((f) => join(root, "dist", f));
const PEER = [join(pages, "peer.js")];
const sizes = (files) => files.reduce((t, f) => {
  const bytes = readFileSync(f);
  return {
    raw: t.raw + bytes.length,
    gzip: t.gzip + gzipSync(bytes, { level: 9 }).length,
    brotli: t.brotli + brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}, { raw: 0, gzip: 0, brotli: 0 });

// --- timing -------------------------------------------------------------------------------------
// Runs in each page before its scripts: stamps Link's onLoad and onSuccess, and the moment the
// exchange request leaves (fetch is called), on the page's clock (0 = navigation start). The
// WebAssembly memories are captured by the harness's own init script.
function instrument() {
  window.__plaid.onConfig.push((config) => {
    const { onLoad, onSuccess } = config;
    config.onLoad = (...a) => { window.__linkReady ??= performance.now(); return onLoad?.(...a); };
    config.onSuccess = (...a) => { window.__success = performance.now(); return onSuccess(...a); };
  });
  const fetch = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === "string" ? input : input.url;
    if (String(url).includes("exchange_public_token")) window.__exchange ??= performance.now();
    return fetch.call(this, input, init);
  };
}

/** Lighthouse's mobile profile: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up, 4x CPU slowdown. */
async function emulateMobile(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
}

/** One cold load: navigation → Link's onLoad; with `connect`, also onSuccess → exchange request. */
async function load(browser, url, { mobile = false, connect = false } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (mobile) await emulateMobile(context, page);
  await page.addInitScript(watchPlaid);
  await page.addInitScript(instrument);
  await page.addInitScript(captureWasmMemories);
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(() => window.__linkReady !== undefined, null, { timeout: 120_000 });
  const result = { ready: await page.evaluate(() => window.__linkReady) };
  if (connect) {
    await page.getByRole("button", { name: "Connect a bank account" }).click();
    const dialog = await linkThrough(page);
    await dialog.getByRole("button", { name: "Continue" }).click();
    await page.waitForFunction(() => window.__exchange !== undefined);
    result.forward = await page.evaluate(() => window.__exchange - window.__success);
  }
  await context.close();
  return result;
}

/** JS heap and WebAssembly memory after `n` mount → ready → unmount cycles, after a full GC. */
async function mountCycles(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(watchPlaid);
  await page.addInitScript(instrument);
  await page.addInitScript(captureWasmMemories);
  await page.goto(url);
  await page.waitForFunction(() => window.__bench);
  const cdp = await context.newCDPSession(page);
  const memory = async () => {
    await cdp.send("HeapProfiler.collectGarbage");
    const { usedSize } = await cdp.send("Runtime.getHeapUsage");
    const wasm = await page.evaluate(() => window.__wasmMemories.reduce((n, m) => n + m.buffer.byteLength, 0));
    return { heap: usedSize, wasm };
  };
  const cycle = (n) => page.evaluate(async (n) => {
    for (let i = 0; i < n; i++) {
      const element = document.createElement("div");
      document.body.append(element);
      const unmount = window.__bench.mount(element);
      // Ready: Link created and loaded, the button enabled.
      while (!element.querySelector("button:not([disabled])")) await new Promise((r) => setTimeout(r, 1));
      unmount();
      element.remove();
    }
  }, n);
  const warm = 20;
  await cycle(warm);
  const before = await memory();
  await cycle(cycles - warm);
  const after = await memory();
  await context.close();
  return { before, after, perCycle: (after.heap + after.wasm - before.heap - before.wasm) / (cycles - warm) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const backend = await startBackend({ PLAID_LINK_PAGES_DIR: pages });
const browser = await launchBrowser();
const results = { ours: {}, peer: {} };
// Ours twice: the demo page (Trunk's, which preloads everything) and a plain page with the README's
// embed snippet (the loader, then the rest).
const URLS = { ours: backend.url + "/", embed: backend.url + "/pages/ours.html", peer: backend.url + "/pages/peer.html" };
try {
  for (const [name, mobile] of [["loopback", false], ["mobile", true]]) {
    const samples = { ours: [], embed: [], peer: [] };
    // Interleaved, so that all meet the same machine at the same time.
    for (let i = 0; i < runs; i++) {
      for (const who of ["ours", "embed", "peer"]) {
        samples[who].push(await load(browser, URLS[who], { mobile, connect: !mobile && who !== "embed" }));
      }
    }
    for (const who of ["ours", "embed", "peer"]) {
      results[who] ??= {};
      results[who][`ready_${name}`] = median(samples[who].map((s) => s.ready));
      if (!mobile) results[who].forward = median(samples[who].map((s) => s.forward));
    }
  }
  results.ours.cycles = await mountCycles(browser, backend.url + "/pages/ours-cycles.html");
  results.peer.cycles = await mountCycles(browser, backend.url + "/pages/peer-cycles.html");
} finally {
  await browser.close();
  await backend.stop();
}

const ours = sizes(OURS);
const peer = sizes(PEER);
const rows = [
  ["transfer, gzip -9 (B)", ours.gzip, peer.gzip],
  ["transfer, brotli 11 (B)", ours.brotli, peer.brotli],
  ["transfer, raw (B)", ours.raw, peer.raw],
  [`navigation → Link ready, loopback (ms, median of ${runs})`, results.ours.ready_loopback, results.peer.ready_loopback],
  [`navigation → Link ready, mobile profile (ms, median of ${runs})`, results.ours.ready_mobile, results.peer.ready_mobile],
  [`  the same, a plain page with the embed snippet, loopback`, results.embed.ready_loopback, results.peer.ready_loopback],
  [`  the same, a plain page with the embed snippet, mobile`, results.embed.ready_mobile, results.peer.ready_mobile],
  [`onSuccess → exchange request leaves (ms, median of ${runs})`, results.ours.forward, results.peer.forward],
  [`JS heap after ${cycles} mount/unmount cycles (B)`, results.ours.cycles.after.heap, results.peer.cycles.after.heap],
  [`WebAssembly memory after ${cycles} cycles (B)`, results.ours.cycles.after.wasm, results.peer.cycles.after.wasm],
  [`memory growth per cycle, cycles 20→${cycles} (B)`, results.ours.cycles.perCycle, results.peer.cycles.perCycle],
];
const fmt = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
console.log(`\n${"".padEnd(58)} ${"ours".padStart(10)} ${"peer".padStart(10)} ${"ours/peer".padStart(10)}`);
for (const [label, a, b] of rows) {
  const ratio = b === 0 ? "–" : (a / b).toFixed(2);
  console.log(`${label.padEnd(58)} ${fmt(a).padStart(10)} ${fmt(b).padStart(10)} ${ratio.padStart(10)}`);
}
console.log(`\n(ours: ${OURS.map((f) => f.split("/").pop()).join(", ")}; peer: React 18.3.1, react-dom, react-plaid-link 5.0.0, built by esbuild; ${new Date().toISOString().slice(0, 10)}, ${process.env.BENCH_MACHINE || "this machine"})`);
