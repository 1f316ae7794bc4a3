// What the crate costs a Leptos app, as a user's own build makes it: the four apps of bench/apps
// (a counter; the counter with <PlaidLink>; the counter with the hook; the counter with the least
// Link flow written by hand with the crate's packages, no crate), each built by Trunk in
// release (opt-level z, LTO, wasm-opt -Oz; none of the size stage), and what the crate adds to the
// counter, gzip -9 and brotli 11; beside it, the embed bundle (dist/, through the size stage).
// Usage: node scripts/bench-apps.mjs <apps dist dir> <embed dist dir>
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const [appsDir, embedDir] = process.argv.slice(2);
// gzip is GNU gzip -9 of the bytes (no file name in its header), brotli Node's at quality 11.
const sizes = (bytes) => ({
  raw: bytes.length,
  gzip: execFileSync("gzip", ["-9c"], { input: bytes, maxBuffer: 1 << 26 }).length,
  br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
/** The wasm and the JS glue of a Trunk dist directory (or the embed bundle's two files). */
function measure(dir, pick) {
  const files = readdirSync(dir).filter(pick);
  const find = (ext) => sizes(readFileSync(join(dir, files.find((f) => f.endsWith(ext)))));
  return { wasm: find(".wasm"), js: find(".js") };
}
const app = (name) => measure(join(appsDir, name), (f) => /\.(wasm|js)$/.test(f));
const counter = app("counter");
const rows = [
  ["counter (no crate)", counter],
  ["counter + <PlaidLink>", app("component")],
  ["counter + use_plaid_link", app("hook")],
  // Not the crate: the least flow written with its packages (bench/apps/floor), what any would cost.
  ["counter + the least flow", app("floor")],
];
const pad = (s, n) => String(s).padStart(n);
console.log("\nwhat a Leptos app pays for the crate (Trunk release, opt-level z, LTO, wasm-opt -Oz; no size stage)");
console.log(`${"app".padEnd(28)}${pad("wasm gz", 10)}${pad("js gz", 9)}${pad("total gz", 10)}${pad("total br", 10)}${pad("added gz", 10)}${pad("added br", 10)}`);
for (const [name, m] of rows) {
  const gz = m.wasm.gzip + m.js.gzip;
  const br = m.wasm.br + m.js.br;
  const addedGz = gz - (counter.wasm.gzip + counter.js.gzip);
  const addedBr = br - (counter.wasm.br + counter.js.br);
  console.log(`${name.padEnd(28)}${pad(m.wasm.gzip, 10)}${pad(m.js.gzip, 9)}${pad(gz, 10)}${pad(br, 10)}${pad(addedGz, 10)}${pad(addedBr, 10)}`);
}
const embed = measure(embedDir, (f) => f === "plaid-link-leptos_bg.wasm" || f === "plaid-link-leptos.js");
console.log(`${"embed bundle (size stage)".padEnd(28)}${pad(embed.wasm.gzip, 10)}${pad(embed.js.gzip, 9)}${pad(embed.wasm.gzip + embed.js.gzip, 10)}${pad(embed.wasm.br + embed.js.br, 10)}`);
