// What PostgreSQL can store of the text a request brings. Its text and jsonb types hold no NUL, and
// an unpaired UTF-16 surrogate has no UTF-8 form (pg sends it in text as U+FFFD, so two different
// strings would be stored alike, and jsonb refuses its \u escape): a value holding either fails the
// whole statement it is written in, unless it is refused or replaced before. (A response's bytes
// are decoded into storable text by http-client.ts's storableText.)

export const isStorableString = (s: string): boolean => s.isWellFormed() && !s.includes('\0');

/** Request-derived text made storable: each NUL and unpaired surrogate becomes U+FFFD, cut at `max` characters. */
export function storableString(s: string, max: number): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  return cut.toWellFormed().replaceAll('\0', '\u{FFFD}');
}

/**
 * Nesting a stored JSON value may have. JSON.stringify overflows the stack some thousands of levels
 * deep (and PostgreSQL's jsonb parser a little further), so a deeper value would fail where it is
 * written instead of being refused by name where it comes in.
 */
const JSON_MAX_DEPTH = 100;

/**
 * Why a JSON value cannot be stored as jsonb ("holds ...", "nests ..."): a string or key that is
 * not storable text, or nesting past JSON_MAX_DEPTH; undefined when it can. Iterative: the value
 * may be deep.
 */
export function unstorableJson(value: unknown): string | undefined {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 1 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { v, depth } = next;
    if (typeof v === 'string') {
      if (!isStorableString(v)) return 'holds a NUL character or an unpaired UTF-16 surrogate in a string, which cannot be stored';
    } else if (v !== null && typeof v === 'object') {
      if (depth > JSON_MAX_DEPTH) return `nests deeper than ${JSON_MAX_DEPTH} levels`;
      for (const [key, item] of Object.entries(v)) {
        if (!isStorableString(key)) return 'holds a NUL character or an unpaired UTF-16 surrogate in a key, which cannot be stored';
        stack.push({ v: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
