// Relay connections over id-ordered rows: ids sort by creation (src/platform/ids.ts), so the cursor is the
// last id seen, base64url-encoded to keep it opaque.
import { badInput } from '../platform/errors.ts';

export const MAX_PAGE_SIZE = 100;

export function pageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return first;
}

export const encodeCursor = (id: string) => Buffer.from(`c:${id}`).toString('base64url');

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('c:')) throw badInput('after', 'is not a cursor from this API');
  return text.slice(2);
}

/** `rows` was fetched with one row more than the page, to know whether there is a next page. */
export function connection<T extends { id: string }>(rows: T[], size: number, after?: string | null) {
  const page = rows.slice(0, size);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node.id), node })),
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: after !== null && after !== undefined,
      startCursor: page.length > 0 ? encodeCursor(page[0]!.id) : null,
      endCursor: page.length > 0 ? encodeCursor(page[page.length - 1]!.id) : null,
    },
  };
}

/**
 * A Relay page from a read model: `first` checked, the cursor decoded to the last id seen, and
 * `load` asked for one row more than the page (to know whether there is a next page).
 */
export async function paged<T extends { id: string }>(
  args: { first: number; after?: string | null },
  load: (page: { first: number; after: string | undefined }) => Promise<T[]>,
) {
  const size = pageSize(args.first);
  return connection(await load({ first: size, after: decodeCursor(args.after) }), size, args.after);
}
