// The size stage's steps, each on the pinned toolchain's own output (the plain bundle, which
// `make test` builds just before: Trunk's untouched output, linked without scripts/shrink/wasm-ld),
// and each on that output with the one thing it relies on changed, where it must stop the build
// with its advice. A toolchain upgrade that changes what a step expects fails here first, saying
// what to do. Run by scripts/test.sh: PLAID_LINK_PLAIN_DIST and PLAID_LINK_DIST name the two builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropDeadClasses, exportNames } from "./dead-classes.mjs";
import { shortenImports } from "./wasm-imports.mjs";
import { dropInitSync, shrink, GLUE, WASM } from "./stage.mjs";

const plain = process.env.PLAID_LINK_PLAIN_DIST;
const staged = process.env.PLAID_LINK_DIST;
if (!plain || !staged) throw new Error("PLAID_LINK_PLAIN_DIST and PLAID_LINK_DIST must name the plain and the staged bundle (scripts/test.sh sets them)");
const glue = readFileSync(join(plain, GLUE), "utf8");
const wasm = readFileSync(join(plain, WASM));
const ADVICE = /PLAID_LINK_SHRINK=0[\s\S]*docs\/size-stage\.md/;
const STREAM_CLASSES = ["IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource"];

test("wasm-ld passes every argument to rust-lld but the exports of wasm-streams' classes", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasm-ld-"));
  try {
    writeFileSync(join(dir, "rust-lld"), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(join(dir, "rust-lld"), 0o755);
    const args = ["--export", "__wbg_intounderlyingsink_free", "--export", "mount", "-o", "out.wasm", "--export", "intounderlyingsource_pull"];
    const passed = execFileSync("scripts/shrink/wasm-ld", args, { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
    assert.deepEqual(passed.toString().trim().split("\n"), ["--export", "mount", "-o", "out.wasm"]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("the bundle linked by wasm-ld exports none of those classes' functions; the plain one does", () => {
  const isStream = (name) => /intounderlying/i.test(name);
  assert.ok(exportNames(wasm).some(isStream), "the pinned toolchain's plain output exports them");
  assert.deepEqual(exportNames(readFileSync(join(staged, WASM))).filter(isStream), []);
});

test("dead classes: the pinned glue's three stream classes go, with the exports only they called", () => {
  const dead = dropDeadClasses(glue);
  assert.deepEqual([...dead.classes].sort(), STREAM_CLASSES);
  for (const name of STREAM_CLASSES) assert.doesNotMatch(dead.glue, new RegExp(`\\b${name}\\b`));
  assert.ok(dead.exports.size > 0);
  assert.match(dead.glue, /^export class Mounted \{$/m, "a class the page can hold stays");
});

test("dead classes: a glue of another shape stops the build with the step's advice", () => {
  const changed = glue.replace("const IntoUnderlyingSinkFinalization =", "let IntoUnderlyingSinkFinalization =");
  assert.throws(() => dropDeadClasses(changed), (e) => /step "dead classes"/.test(e.message) && ADVICE.test(e.message));
});

test("initSync: the pinned glue's export line loses it; another line stops the build", () => {
  assert.match(dropInitSync(glue), /^export \{ __wbg_init as default \};$/m);
  const changed = glue.replace("export { initSync, __wbg_init as default };", "export { __wbg_init as default, initSync };");
  assert.throws(() => dropInitSync(changed), (e) => /step "initSync"/.test(e.message) && ADVICE.test(e.message));
});

test("import names: every wasm-bindgen import is shortened in the WebAssembly and the glue alike", () => {
  const hashed = /__wbg_\w+_[0-9a-f]{16}\b/;
  const short = shortenImports(wasm, glue);
  assert.ok(short.renamed > 100, `${short.renamed} renamed`);
  assert.doesNotMatch(short.glue, hashed);
  assert.ok(!hashed.test(short.wasm.toString("latin1")), "no long name left in the WebAssembly's imports");
  assert.ok(short.wasm.length < wasm.length);
});

test("import names: a name the glue holds twice stops the build with the step's advice", () => {
  const name = glue.match(/__wbg_\w+_[0-9a-f]{16}\b/)[0];
  assert.throws(
    () => shortenImports(wasm, `${glue}\n// ${name}\n`),
    (e) => /step "import names"/.test(e.message) && ADVICE.test(e.message),
  );
});

test("the whole stage on output wasm-ld did not link refuses to ship it, and says why", async () => {
  await assert.rejects(shrink(plain, () => {}), (e) => /still exports[\s\S]*wasm-ld/.test(e.message) && ADVICE.test(e.message));
});
