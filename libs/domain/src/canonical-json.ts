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
 */
export function canonicalJson(value: unknown): string {
  const json = write(value);
  // Built by appends, the string is a tree of its pieces (about four times its flat size) until
  // a character is read; the writer keeps an event's JSON until its append, so flatten it now.
  json.charCodeAt(0);
  return json;
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'bigint':
      return `"${value.toString()}"`;
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + write(value[i]);
        return `${out}]`;
      }
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
      // numbers, booleans; undefined, functions and symbols become null as before.
      return JSON.stringify(value) ?? 'null';
  }
}
