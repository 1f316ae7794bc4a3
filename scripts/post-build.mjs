// Trunk post-build hook, release only: makes what every user downloads smaller, then updates the
// integrity hashes index.html carries for the files it changed.
// - esbuild minifies wasm-bindgen's glue, the embed loader and its prefetch, and the component's
//   stylesheet (Trunk's own minifier fails on the glue, and copies CSS unminified);
// - classes nothing can instantiate (wasm-streams', through Leptos), which scripts/wasm-ld left out
//   of the WebAssembly, leave the glue too (scripts/dead-classes.mjs);
// - the WebAssembly's import names are shortened in it and in the glue (scripts/wasm-imports.mjs);
// - each of those files gets a brotli (.br) and a gzip (.gz) copy beside it, for servers that send
//   precompressed files (the reference backend does), at levels too slow to use per request.
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { transform } from "esbuild";
import { shortenImports } from "./wasm-imports.mjs";
import { dropDeadClasses, exportNames } from "./dead-classes.mjs";
import { writePrecompressed } from "./precompress.mjs";

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== "release" || !dir) process.exit(0);

const GLUE = "plaid-link-leptos.js";
const WASM = "plaid-link-leptos_bg.wasm";
const TEXT_FILES = [GLUE, "plaid-link.js", "plaid-link-prefetch.js", "plaid-link.css"];
// Top-level await (the embed loader) and import.meta (the glue) are ES2022. CSS gets no target, so
// that esbuild leaves light-dark() and custom properties as written.
const OPTIONS = {
  js: { loader: "js", format: "esm", target: "es2022", treeShaking: true },
  css: { loader: "css" },
};

const dead = dropDeadClasses(dropInitSync(await readFile(join(dir, GLUE), "utf8")));
console.log(`[minify] ${GLUE}: dead classes dropped: ${dead.classes.join(", ") || "none"}`);

const output = new Map();
for (const name of TEXT_FILES) {
  const before = name === GLUE ? dead.glue : await readFile(join(dir, name), "utf8");
  const { code } = await transform(before, {
    ...OPTIONS[name.split(".").pop()],
    minify: true,
    legalComments: "none",
  });
  output.set(name, code);
  console.log(`[minify] ${name}: ${before.length} -> ${code.length} bytes`);
}

const wasmBefore = await readFile(join(dir, WASM));
// Every export the glue calls is there (an export left out of a class that is not dead would be
// a method that throws), and the dead classes' exports are not (they would keep their code).
const exported = new Set(exportNames(wasmBefore));
const missing = new Set([...dead.glue.matchAll(/\bwasm\.(\w+)/g)].map((m) => m[1]).filter((name) => !exported.has(name)));
if (missing.size) throw new Error(`minify: the glue calls exports the WebAssembly lacks: ${[...missing].join(", ")}`);
const stillExported = [...dead.exports].filter((name) => exported.has(name));
if (stillExported.length) {
  throw new Error(`minify: the WebAssembly still exports ${stillExported.join(", ")}: was it linked by scripts/wasm-ld?`);
}
const shortened = shortenImports(wasmBefore, output.get(GLUE));
output.set(WASM, shortened.wasm);
output.set(GLUE, shortened.glue);
console.log(`[minify] ${WASM}: ${shortened.renamed} import names shortened, ${wasmBefore.length} -> ${shortened.wasm.length} bytes`);

const indexPath = join(dir, "index.html");
let index = await readFile(indexPath, "utf8");
for (const [name, contents] of output) {
  await writeFile(join(dir, name), contents);
  writePrecompressed(join(dir, name), contents);
  // Any tag of index.html that names this file with an integrity hash gets the new file's hash.
  const tag = new RegExp(`<[^>]*(?:href|src)="[^"]*/${name.replaceAll(".", "\\.")}"[^>]*>`, "g");
  index = index.replace(tag, (element) => {
    const match = element.match(/integrity="(sha256|sha384|sha512)-[^"]*"/);
    if (!match) return element;
    const digest = createHash(match[1]).update(contents).digest("base64");
    return element.replace(match[0], `integrity="${match[1]}-${digest}"`);
  });
}
await writeFile(indexPath, index);

/** The glue without `initSync` (a synchronous start no page of ours uses): esbuild then drops it. */
function dropInitSync(glue) {
  const exports = "export { initSync, __wbg_init as default };";
  if (!glue.includes(exports)) throw new Error("minify: the glue's export line is not the expected one");
  return glue.replace(exports, "export { __wbg_init as default };");
}
