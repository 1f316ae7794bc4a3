// Each publishable crate's `rust-version` against its dependencies' as locked: it must be at least
// the highest `rust-version` among the crates it builds with (normal and build dependencies, every
// target), or a user on the declared toolchain gets a build that fails. Prints each crate's
// declared and needed versions; exits 1 when one declares less than it needs.
// Usage: node scripts/msrv.mjs   (in the workspace; reads `cargo metadata --locked`)
import { execFileSync } from "node:child_process";

let metadata;
try {
  // Not --offline: metadata reads every package of the lock, those of other platforms too, which a
  // fresh machine has not downloaded yet at this step.
  const args = ["metadata", "--format-version", "1", "--locked"];
  metadata = JSON.parse(execFileSync("cargo", args, { maxBuffer: 1 << 28, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
} catch {
  process.exit(1); // cargo said why
}
const packages = new Map(metadata.packages.map((p) => [p.id, p]));
const nodes = new Map(metadata.resolve.nodes.map((n) => [n.id, n]));
const parse = (v) => (v ?? "0").split(".").map(Number).concat([0, 0]).slice(0, 3);
const cmp = (a, b) => {
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
};

/** The highest rust-version among what `id` builds with, and the crate that asks it. */
function needed(id) {
  const seen = new Set();
  const stack = [...deps(id)];
  let best = { version: null, by: null };
  while (stack.length) {
    const dep = stack.pop();
    if (seen.has(dep)) continue;
    seen.add(dep);
    const p = packages.get(dep);
    if (p.rust_version && (!best.version || cmp(p.rust_version, best.version) > 0)) {
      best = { version: p.rust_version, by: `${p.name} ${p.version}` };
    }
    stack.push(...deps(dep));
  }
  return best;
}

/** Normal and build dependencies (not dev: a user never builds those). */
function deps(id) {
  return nodes
    .get(id)
    .deps.filter((d) => d.dep_kinds.some((k) => k.kind !== "dev"))
    .map((d) => d.pkg);
}

let failed = false;
for (const id of metadata.workspace_members) {
  const p = packages.get(id);
  if (Array.isArray(p.publish) && p.publish.length === 0) continue;
  const need = needed(id);
  const ok = need.version === null || (p.rust_version && cmp(p.rust_version, need.version) >= 0);
  console.log(
    `${p.name.padEnd(22)} rust-version ${String(p.rust_version ?? "(none)").padEnd(7)} needs ${need.version} (${need.by})${ok ? "" : "  <- too low"}`,
  );
  failed ||= !ok;
}
if (failed) {
  console.error("a publishable crate declares a rust-version below what its locked dependencies need: raise it");
  process.exit(1);
}
