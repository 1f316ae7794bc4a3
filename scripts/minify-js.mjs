// Trunk post-build hook: minifies the JavaScript every user downloads (wasm-bindgen's glue and the
// embed loader and its prefetch) with esbuild, and updates the integrity hashes index.html carries for them.
// Trunk's own minifier fails on wasm-bindgen's glue (it warns and copies it as is). Release only.
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { transform } from "esbuild";

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== "release" || !dir) process.exit(0);

const FILES = ["plaid-link-leptos.js", "plaid-link.js", "plaid-link-prefetch.js"];
const indexPath = join(dir, "index.html");
let index = await readFile(indexPath, "utf8");

for (const name of FILES) {
  const path = join(dir, name);
  const before = await readFile(path, "utf8");
  const { code } = await transform(before, {
    minify: true,
    format: "esm",
    // Top-level await (the embed loader) and import.meta (the glue) are ES2022.
    target: "es2022",
    legalComments: "none",
  });
  await writeFile(path, code);
  // Any tag of index.html that names this file with an integrity hash gets the new file's hash.
  const tag = new RegExp(`<[^>]*(?:href|src)="[^"]*/${name.replace(".", "\\.")}"[^>]*>`, "g");
  index = index.replace(tag, (element) => {
    const match = element.match(/integrity="(sha256|sha384|sha512)-[^"]*"/);
    if (!match) return element;
    const digest = createHash(match[1]).update(code).digest("base64");
    return element.replace(match[0], `integrity="${match[1]}-${digest}"`);
  });
  console.log(`[minify-js] ${name}: ${before.length} -> ${code.length} bytes`);
}
await writeFile(indexPath, index);
