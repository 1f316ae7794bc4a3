// Drops the classes wasm-bindgen exports that no one can ever hold an instance of, in the glue
// and in the WebAssembly, so that wasm-opt can then remove the code behind them.
//
// Leptos 0.8 always links wasm-streams (through server_fn's browser client), and wasm-streams
// exports three classes (IntoUnderlyingSource, IntoUnderlyingByteSource, IntoUnderlyingSink) for
// handing Rust streams to JS. A `#[wasm_bindgen]` export is a root for the linker and for wasm-opt,
// so their methods, and the stream code behind them, stay in every bundle: about 1 KB gzip.
//
// A class is dead when the glue can never make an instance of it: it has no constructor, and its
// `__wrap` (the only way Rust hands an instance to JS) is called nowhere; wasm-bindgen writes a
// `__wrap` call exactly where Rust code that can return one survived its own pruning. Then its
// methods can never be called with a live object, and its exports are unreachable. The check is
// made on each build; anything else than the expected shape stops the build.

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Removes `pattern` from `text`, which must hold it exactly once: [text without it, the removed part]. */
function cut(text, pattern, what) {
  const found = text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
  if (found !== 1) throw new Error(`dead-classes: ${what} found ${found} times in the glue, not once`);
  const removed = text.match(pattern)[0];
  return [text.replace(pattern, ""), removed];
}

/**
 * From wasm-bindgen's unminified glue: the dead classes removed, and the WebAssembly exports only
 * they called. Returns `{glue, classes, exports}`.
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
    if (new RegExp(`\\b${name}\\b`).test(glue)) throw new Error(`dead-classes: ${name} is still named in the glue`);
  }
  const exports = new Set(removed.flatMap((part) => [...part.matchAll(/\bwasm\.(\w+)/g)].map((m) => m[1])));
  for (const name of exports) {
    if (new RegExp(`\\bwasm\\.${name}\\b`).test(glue)) throw new Error(`dead-classes: ${name} is still called by the glue`);
  }
  return { glue, classes: dead, exports };
}

/** The WebAssembly without the exports named in `names` (each must be there). */
export function dropExports(wasm, names) {
  const parts = [wasm.subarray(0, 8)];
  const left = new Set(names);
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    const end = start + size;
    if (id !== 7) {
      parts.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    const body = wasm.subarray(start, end);
    let [count, j] = readLeb(body, 0);
    const kept = [];
    for (let k = 0; k < count; k++) {
      const entry = j;
      const [length, nameStart] = readLeb(body, j);
      const name = body.subarray(nameStart, nameStart + length).toString("utf8");
      j = readLeb(body, nameStart + length + 1)[1]; // kind byte, then index
      if (left.delete(name)) continue;
      kept.push(body.subarray(entry, j));
    }
    const section = Buffer.concat([leb(kept.length), ...kept]);
    parts.push(Buffer.from([7]), leb(section.length), section);
    at = end;
  }
  if (left.size) throw new Error(`dead-classes: exports not found in the WebAssembly: ${[...left].join(", ")}`);
  return Buffer.concat(parts);
}
