// Step "send_wrapper" of the size stage, before cargo: a copy of send_wrapper's source without its
// thread check on WebAssembly without threads, which scripts/bundle.sh puts in place of the
// registry's for the release bundle only (a cargo `paths` override).
//
// send_wrapper (Leptos' `LocalStorage`, ours) records `std::thread::current().id()` in every
// wrapper and compares it on every access. On wasm32 without the atomics feature there is one
// thread, so the check can never fail; yet `thread::current()` links std's thread handle and the
// dlmalloc it allocates that handle with, beside the bundle's own allocator: 2.8 KB gzip. The copy
// keeps the check wherever a second thread can exist.
//
//   node scripts/shrink/send-wrapper.mjs <send_wrapper's source directory> <directory to write>
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StageError } from "./stage-error.mjs";

const STEP = "send_wrapper";
const ONE_THREAD = 'all(target_family = "wasm", not(target_feature = "atomics"))';

// What the copy changes in src/lib.rs, in order: each text must be there, as many times as said.
const EDITS = [
  { from: "thread::current().id()", to: "current_thread()", times: 2 },
  {
    from: "use std::thread::{self, ThreadId};",
    to: `// One thread (WebAssembly without atomics): nothing to record or compare.
#[cfg(${ONE_THREAD})]
type ThreadId = ();
#[cfg(${ONE_THREAD})]
fn current_thread() -> ThreadId {}
#[cfg(not(${ONE_THREAD}))]
use std::thread::ThreadId;
#[cfg(not(${ONE_THREAD}))]
fn current_thread() -> ThreadId {
	std::thread::current().id()
}`,
    times: 1,
  },
];

const [source, out] = process.argv.slice(2);
const lib = await readFile(join(source, "src", "lib.rs"), "utf8");
let patched = lib;
for (const { from, to, times } of EDITS) {
  const found = patched.split(from).length - 1;
  if (found !== times) {
    throw new StageError(STEP, `${source}/src/lib.rs has "${from}" ${found} times, not ${times}: did send_wrapper change?`);
  }
  patched = patched.replaceAll(from, to);
}
// Written again only when it changes: cargo rebuilds what depends on a path crate whose files are newer.
const written = await readFile(join(out, "src", "lib.rs"), "utf8").catch(() => null);
if (written === patched) process.exit(0);
await rm(out, { recursive: true, force: true });
await cp(source, out, { recursive: true });
await writeFile(join(out, "src", "lib.rs"), patched);
