/**
 * Strings PostgreSQL cannot store as sent: NUL (text and jsonb refuse it) and unpaired UTF-16
 * surrogates (jsonb refuses the escape; text would silently store U+FFFD instead, and an event's
 * hash, computed over what was sent, would no longer match what is stored).
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function storable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** A JSON body can only carry them as escapes: a cheap test on the raw text before walking. */
const SUSPECT_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * The path (`$.entries[0].description`, `$.metadata["k"]` for a key) of the first string in a
 * parsed JSON body that PostgreSQL cannot store, or null. `raw` is the body's text: without a
 * suspect escape in it there is nothing to find and nothing is walked.
 */
export function firstUnstorableString(raw: string, value: unknown): string | null {
  return SUSPECT_ESCAPE.test(raw) ? unstorableIn(value) : null;
}

/** The path of the first string in `value` PostgreSQL cannot store, or null (walks all of it). */
export function unstorableIn(value: unknown): string | null {
  return walk(value, '$');
}

/** Refused alone in a batch: an unstorable string inside one of its postings (`$.transactions[i]...`). */
export function insideBatchItem(path: string): boolean {
  return path.startsWith('$.transactions[');
}

function walk(value: unknown, path: string): string | null {
  if (typeof value === 'string') return storable(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      const at = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!storable(key)) return `${at} (the key)`;
      const found = walk(member, at);
      if (found) return found;
    }
  }
  return null;
}
