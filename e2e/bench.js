// `make bench`: how fast the component becomes usable and how fast a connection completes, in
// headless Chromium against the local backend and Plaid stand-in. Prints medians; asserts nothing.
import { startBackend, launchBrowser, linkThrough } from "./tests/harness.js";

const runs = Number(process.env.BENCH_RUNS || 15);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const backend = await startBackend();
const browser = await launchBrowser();
const ready = [];
const connected = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const start = Date.now();
    await page.goto(backend.url + "/");
    const button = page.getByRole("button", { name: "Connect a bank account" });
    await button.waitFor();
    ready.push(Date.now() - start);
    await button.click();
    const dialog = await linkThrough(page);
    const cont = dialog.getByRole("button", { name: "Continue" });
    await cont.waitFor();
    const clicked = Date.now();
    await cont.click();
    await page.getByRole("status").filter({ hasText: "Connected to" }).waitFor();
    connected.push(Date.now() - clicked);
    await context.close();
  }
} finally {
  await browser.close();
  await backend.stop();
}
console.log(`page load to ready (link token + script + onLoad), median of ${runs}: ${median(ready)} ms (min ${Math.min(...ready)}, max ${Math.max(...ready)})`);
console.log(`Link success to "Connected" (exchange round trip), median of ${runs}: ${median(connected)} ms (min ${Math.min(...connected)}, max ${Math.max(...connected)})`);
