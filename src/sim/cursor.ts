// Opaque keyset cursors: base64url of the last item's sort key, so items appearing or closing
// between pages never shift the others. Anything undecodable reads as "no cursor" (the wire
// answers a garbage cursor with a first page: markets__garbage_cursor.json).

export type SortKey = [primary: number, tie: string];

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): SortKey | null {
  if (!cursor) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && Number.isFinite(v[0]) && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    // fall through: garbage cursor
  }
  return null;
}

/**
 * Order: primary DESCENDING (newest first, as Kalshi lists), then tie ASCENDING.
 * Returns <0 if a comes before b.
 */
export function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return b[0] - a[0];
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Index of the first element strictly after `key` in an array sorted by compareKeys. */
export function indexAfter<T>(sorted: readonly T[], keyOf: (t: T) => SortKey, key: SortKey): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = sorted[mid] as T;
    if (compareKeys(keyOf(item), key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
