// Trunk post-build hook: minifies what every user downloads besides the WebAssembly (wasm-bindgen's
// glue, the embed loader and its prefetch, the component's stylesheet) with esbuild, and updates the
// integrity hashes index.html carries for them. Trunk's own minifier fails on wasm-bindgen's glue
// (it warns and copies it as is), and copies CSS unminified. Release only.
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { transform } from "esbuild";

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== "release" || !dir) process.exit(0);

const FILES = ["plaid-link-leptos.js", "plaid-link.js", "plaid-link-prefetch.js", "plaid-link.css"];
// Top-level await (the embed loader) and import.meta (the glue) are ES2022. CSS gets no target, so
// that esbuild leaves light-dark() and custom properties as written.
const OPTIONS = {
  js: { loader: "js", format: "esm", target: "es2022" },
  css: { loader: "css" },
};
const indexPath = join(dir, "index.html");
let index = await readFile(indexPath, "utf8");

for (const name of FILES) {
  const path = join(dir, name);
  const before = await readFile(path, "utf8");
  const { code } = await transform(before, {
    ...OPTIONS[name.split(".").pop()],
    minify: true,
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
  console.log(`[minify] ${name}: ${before.length} -> ${code.length} bytes`);
}
await writeFile(indexPath, index);
