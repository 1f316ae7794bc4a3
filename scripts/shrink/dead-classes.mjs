// Drops from wasm-bindgen's glue the classes that no one can ever hold an instance of, and checks
// that the WebAssembly exports nothing of theirs.
//
// scripts/shrink/wasm-ld links the WebAssembly without wasm-streams' class exports (see there why, and
// what it saves); wasm-bindgen still writes those classes into the glue, from their descriptions.
// A class is dead when the glue can never make an instance of it: it has no constructor, and its
// `__wrap` (the only way Rust hands an instance to JS) is called nowhere; wasm-bindgen writes a
// `__wrap` call exactly where Rust code that can return one survived. The check is made on each
// build; anything but the expected shape stops the build.

import { StageError } from "./stage-error.mjs";
import { readLeb } from "./wasm-imports.mjs";

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Removes `pattern` from `text`, which must hold it exactly once: [text without it, the removed part]. */
function cut(text, pattern, what) {
  const found = text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
  if (found !== 1) throw new StageError("dead classes", `${what} found ${found} times in the glue, not once`);
  const removed = text.match(pattern)[0];
  return [text.replace(pattern, ""), removed];
}

/**
 * From wasm-bindgen's unminified glue: the dead classes removed, and the WebAssembly exports only
 * they called (which scripts/shrink/wasm-ld left out). Returns `{glue, classes, exports}`.
 */
export function dropDeadClasses(glue) {
  const classes = [...glue.matchAll(/^export class (\w+) \{$/gm)].map((m) => m[1]);
  const dead = classes.filter((name) => {
    const body = glue.slice(glue.indexOf(`export class ${name} {`));
    const end = body.search(/^}$/m);
    return !body.slice(0, end).includes("constructor(") && !glue.includes(`${name}.__wrap(`);
  });
  const removed = [];
  for (const name of dead) {
    const dispose = `if (Symbol.dispose) ${name}.prototype[Symbol.dispose] = ${name}.prototype.free;\n`;
    let part;
    [glue, part] = cut(glue, new RegExp(`export class ${name} \\{\\n[\\s\\S]*?\\n\\}\\n${escape(dispose)}`), `class ${name}`);
    removed.push(part);
    [glue, part] = cut(glue, new RegExp(`const ${name}Finalization = [^;]*;\\n`), `${name}Finalization`);
    removed.push(part);
    if (new RegExp(`\\b${name}\\b`).test(glue)) throw new StageError("dead classes", `${name} is still named in the glue`);
  }
  const exports = new Set(removed.flatMap((part) => [...part.matchAll(/\bwasm\.(\w+)/g)].map((m) => m[1])));
  for (const name of exports) {
    if (new RegExp(`\\bwasm\\.${name}\\b`).test(glue)) throw new StageError("dead classes", `${name} is still called by the glue`);
  }
  return { glue, classes: dead, exports };
}

/** The names the WebAssembly exports. */
export function exportNames(wasm) {
  const names = [];
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    if (id === 7) {
      const body = wasm.subarray(start, start + size);
      let [count, j] = readLeb(body, 0);
      for (let k = 0; k < count; k++) {
        const [length, nameStart] = readLeb(body, j);
        names.push(body.subarray(nameStart, nameStart + length).toString("utf8"));
        j = readLeb(body, nameStart + length + 1)[1]; // kind byte, then index
      }
    }
    at = start + size;
  }
  return names;
}
