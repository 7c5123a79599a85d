/** Strings JSON.stringify leaves as they are, between quotes: printable ASCII but `"` and `\`. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** Object keys repeat (the same few field names in every event): their JSON is remembered. */
const KEY_CACHE_MAX = 1024;
const quotedKeys = new Map<string, string>();

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < KEY_CACHE_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * Array.prototype.sort's order for strings (UTF-16 code units) without its scratch copy: the
 * objects hashed here have a handful of keys, where an insertion sort allocates nothing.
 */
function sortInPlace(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * JSON with object keys sorted at every level and bigints as strings: a stable byte form to hash.
 * Written as one pass with string appends because it hashes every event the writer decides;
 * the output is byte for byte that of the map/sort/join definition kept in the spec.
 *
 * For plain JSON values (what events hold, and all JSON.parse gives back) it is JSON.stringify's
 * text with the keys sorted (by UTF-16 code units): parsing either gives the same value. The
 * hash chain hashes this text while the log keeps JSON (an event's metadata is stored with
 * JSON.stringify), and a verifier re-hashes what it read back; so for anything else it either
 * agrees with JSON.stringify or refuses:
 * - bigint: its decimal digits as a string (JSON.stringify throws). Money, revisions and the
 *   state hash's counters are bigints; 5n and "5" give the same text.
 * - undefined, as JSON.stringify: an object member left out, an array item (or a hole of a sparse
 *   array) null; undefined itself gives `null` (JSON.stringify gives no text at all).
 * - NaN and ±Infinity: null, as JSON.stringify. (A request's 1e400, which parses to Infinity,
 *   never gets here: metadata validation refuses it with 400.)
 * - functions, symbols, objects with a toJSON method (a Date) and boxed primitives: a TypeError
 *   naming where the value is. JSON.stringify would leave out, call or unwrap them; hashing
 *   something other than what is stored would break the chain when it is verified.
 * - other objects (class instances, a Map): their own enumerable string keys, as JSON.stringify
 *   (a Map gives {}). A cycle overflows the stack (RangeError).
 */
export function canonicalJson(value: unknown): string {
  let json: string;
  try {
    json = write(value);
  } catch (error) {
    if (!(error instanceof NotJson)) throw error;
    throw new TypeError(`canonicalJson: ${kindOf(error.value)} at ${pathTo(value, error.value)} has no JSON form to hash (see canonicalJson's doc comment)`);
  }
  // Built by appends, the string is a tree of its pieces (about four times its flat size) until
  // a character is read; the writer keeps an event's JSON until its append, so flatten it now.
  json.charCodeAt(0);
  return json;
}

/** Thrown from deep inside write(); canonicalJson, which has the whole value, words the TypeError. */
class NotJson {
  constructor(readonly value: unknown) {}
}

/** JSON.stringify unwraps these to their primitive; write() would list a String's characters as keys. */
function isBoxedPrimitive(value: object): boolean {
  return value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt;
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      // NaN and ±Infinity become null, as JSON.stringify has them.
      return JSON.stringify(value);
    case 'bigint':
      return `"${value.toString()}"`;
    case 'undefined':
      return 'null';
    case 'object': {
      if (value === null) return 'null';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') throw new NotJson(value);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + write(value[i]);
        return `${out}]`;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null && isBoxedPrimitive(value)) throw new NotJson(value);
      const keys = sortInPlace(Object.keys(value));
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        out += (first ? '' : ',') + quoteKey(key) + ':' + write(item);
        first = false;
      }
      return `${out}}`;
    }
    default:
      // Functions and symbols: JSON.stringify drops them from objects but writes null in arrays.
      throw new NotJson(value);
  }
}

function kindOf(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const name = (value as object).constructor?.name;
  return typeof (value as { toJSON?: unknown }).toJSON === 'function' ? `an object with toJSON (${name ?? 'no class'})` : `a boxed ${name ?? 'primitive'}`;
}

/** Where `target` is inside `root`, like `$.entries[2].metadata`; only run to word an error. */
function pathTo(root: unknown, target: unknown): string {
  const stack: [unknown, string][] = [[root, '$']];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (value === target) return path;
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${path}[${i}]`]);
    } else {
      for (const key of Object.keys(value).reverse()) stack.push([(value as Record<string, unknown>)[key], `${path}.${key}`]);
    }
  }
  return '$';
}
