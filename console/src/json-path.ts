// The live preview of an input mapping: plain JSONPath paths ($.a.b[0], $['a-b']) evaluated in the
// page against a pasted sample. The gateway checks and evaluates the full expression when it saves.
export type Preview = { ok: true; value: unknown; found: boolean } | { ok: false; reason: string };

const SEGMENT = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;

export function previewPath(path: string, sample: unknown): Preview {
  if (!path.startsWith('$')) return { ok: false, reason: 'a path starts with $' };
  let rest = path.slice(1);
  let value: unknown = sample;
  let found = true;
  while (rest.length > 0) {
    const m = SEGMENT.exec(rest);
    if (!m) return { ok: false, reason: 'the preview follows plain paths only; the gateway checks this one when you save' };
    rest = rest.slice(m[0].length);
    const key = m[1] ?? m[3] ?? m[4];
    if (found && value !== null && typeof value === 'object') {
      const next = key !== undefined ? (value as Record<string, unknown>)[key] : Array.isArray(value) ? value[Number(m[2])] : undefined;
      found = next !== undefined;
      value = next;
    } else {
      found = false;
      value = undefined;
    }
  }
  return { ok: true, value, found };
}
