// The size stage: everything the release bundle goes through after Trunk, beyond Trunk's own
// pipeline (cargo, wasm-bindgen, wasm-opt), in one place. Each step patches the toolchain's output
// on an assumption about its shape; each checks that assumption on every build and stops the build,
// saying what to do, when it no longer holds. `PLAID_LINK_SHRINK=0` builds without this stage (and
// without scripts/shrink/wasm-ld): Trunk's plain, untouched output, which `make test` also builds
// and connects through. docs/size-stage.md is the runbook: what each step saves, how its
// failure looks, what to do, and the upstream change that would make it unnecessary.
//
// The steps, in order:
// 1. dead classes: wasm-streams' classes (linked by Leptos through server_fn), which
//    scripts/shrink/wasm-ld left out of the WebAssembly, leave the glue too (dead-classes.mjs);
// 2. initSync: the glue's synchronous start, which no page of ours uses, goes;
// 3. minify: esbuild minifies the glue, the embed loader and its prefetch, and the stylesheet
//    (Trunk's own minifier fails on wasm-bindgen's glue, and copies CSS as it is);
// 4. import names: wasm-bindgen's long import names are shortened in the WebAssembly and the glue
//    alike (wasm-imports.mjs);
// 5. integrity: index.html's integrity hashes follow the files the steps changed.
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { transform } from "esbuild";
import { shortenImports } from "./wasm-imports.mjs";
import { dropDeadClasses, exportNames } from "./dead-classes.mjs";
import { StageError } from "./stage-error.mjs";

export const GLUE = "plaid-link-leptos.js";
export const WASM = "plaid-link-leptos_bg.wasm";
export const TEXT_FILES = [GLUE, "plaid-link.js", "plaid-link-prefetch.js", "plaid-link.css"];

// Top-level await (the embed loader) and import.meta (the glue) are ES2022. CSS gets no target, so
// that esbuild leaves light-dark() and custom properties as written.
const OPTIONS = {
  js: { loader: "js", format: "esm", target: "es2022", treeShaking: true },
  css: { loader: "css" },
};

/**
 * Runs the stage on Trunk's staging directory. Returns the files it changed (name → contents) and
 * index.html with its integrity hashes updated; writes nothing itself.
 */
export async function shrink(dir, log = console.log) {
  const output = new Map();

  const dead = dropDeadClasses(dropInitSync(await readFile(join(dir, GLUE), "utf8")));
  log(`[shrink] dead classes: ${dead.classes.join(", ") || "none"}; initSync dropped`);

  for (const name of TEXT_FILES) {
    const before = name === GLUE ? dead.glue : await readFile(join(dir, name), "utf8");
    const { code } = await transform(before, { ...OPTIONS[name.split(".").pop()], minify: true, legalComments: "none" });
    output.set(name, code);
    log(`[shrink] minify ${name}: ${before.length} -> ${code.length} bytes`);
  }

  const wasmBefore = await readFile(join(dir, WASM));
  // Every export the glue calls is there (an export left out of a class that is not dead would be
  // a method that throws), and the dead classes' exports are not (they would keep their code).
  const exported = new Set(exportNames(wasmBefore));
  const missing = [...new Set([...dead.glue.matchAll(/\bwasm\.(\w+)/g)].map((m) => m[1]))].filter((n) => !exported.has(n));
  if (missing.length) throw new StageError("dead classes", `the glue calls exports the WebAssembly lacks: ${missing.join(", ")}`);
  const stillExported = [...dead.exports].filter((name) => exported.has(name));
  if (stillExported.length) {
    throw new StageError("dead classes", `the WebAssembly still exports ${stillExported.join(", ")}: was it linked by scripts/shrink/wasm-ld?`);
  }
  const shortened = shortenImports(wasmBefore, output.get(GLUE));
  output.set(WASM, shortened.wasm);
  output.set(GLUE, shortened.glue);
  log(`[shrink] import names: ${shortened.renamed} shortened, ${WASM} ${wasmBefore.length} -> ${shortened.wasm.length} bytes`);

  let index = await readFile(join(dir, "index.html"), "utf8");
  for (const [name, contents] of output) {
    // Any tag of index.html that names this file with an integrity hash gets the new file's hash.
    const tag = new RegExp(`<[^>]*(?:href|src)="[^"]*/${name.replaceAll(".", "\\.")}"[^>]*>`, "g");
    index = index.replace(tag, (element) => {
      const match = element.match(/integrity="(sha256|sha384|sha512)-[^"]*"/);
      if (!match) return element;
      const digest = createHash(match[1]).update(contents).digest("base64");
      return element.replace(match[0], `integrity="${match[1]}-${digest}"`);
    });
  }
  return { output, index };
}

/** The glue without `initSync` (a synchronous start no page of ours uses): esbuild then drops it. */
export function dropInitSync(glue) {
  const exports = "export { initSync, __wbg_init as default };";
  if (!glue.includes(exports)) throw new StageError("initSync", "the glue's export line is not the expected one");
  return glue.replace(exports, "export { __wbg_init as default };");
}
