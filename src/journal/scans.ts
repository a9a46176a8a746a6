// What the scan keeps between cycles and across restarts: the created-time distribution of the last full scan
// (every open market's created second, varint-delta coded: ~2 bytes a market), so windows are planned, not guessed.
import type { Db } from './db.js';

export interface StoredProfile {
  /** Created times in whole Unix seconds, ascending. */
  createdS: Float64Array;
  takenAtMs: number;
  pageMs: number | null;
  ordered: boolean;
}

/** Sorted non-negative integers -> LEB128 varints of their differences (the first from 0). */
export function encodeAscending(values: Float64Array): Buffer {
  const out = Buffer.allocUnsafe(values.length * 8 + 8);
  let o = 0;
  let prev = 0;
  for (const v of values) {
    let d = v - prev;
    if (!(Number.isSafeInteger(d) && d >= 0)) throw new RangeError('created times must be ascending integers');
    prev = v;
    while (d >= 0x80) {
      out[o++] = (d % 0x80) | 0x80;
      d = Math.floor(d / 0x80);
    }
    out[o++] = d;
  }
  return out.subarray(0, o);
}

/** The inverse of encodeAscending; null when the bytes do not decode to exactly `count` values. */
export function decodeAscending(bytes: Uint8Array, count: number): Float64Array | null {
  const out = new Float64Array(count);
  let o = 0;
  let prev = 0;
  let i = 0;
  while (i < bytes.length) {
    let d = 0;
    let scale = 1;
    for (;;) {
      if (i >= bytes.length || scale > 2 ** 49) return null;
      const b = bytes[i++]!;
      d += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
    }
    if (o >= count) return null;
    prev += d;
    out[o++] = prev;
  }
  return o === count ? out : null;
}

export class ScanProfiles {
  constructor(private readonly db: Db) {}

  /** The profile kept for this exchange, or null (none yet, or unreadable: the next scan is then planned cold). */
  load(scope: string): StoredProfile | null {
    const r = this.db.prepare('SELECT taken_at, markets, created_s, page_ms, ordered FROM scan_profiles WHERE scope = ?').get(scope) as
      | { taken_at: number; markets: number; created_s: Buffer; page_ms: number | null; ordered: number }
      | undefined;
    if (!r) return null;
    const createdS = decodeAscending(r.created_s, r.markets);
    if (!createdS) return null;
    return { createdS, takenAtMs: r.taken_at, pageMs: r.page_ms, ordered: r.ordered === 1 };
  }

  save(scope: string, p: StoredProfile): void {
    this.db
      .prepare(
        `INSERT INTO scan_profiles (scope, taken_at, markets, created_s, page_ms, ordered) VALUES (@scope, @takenAt, @markets, @created, @pageMs, @ordered)
         ON CONFLICT (scope) DO UPDATE SET taken_at = @takenAt, markets = @markets, created_s = @created, page_ms = @pageMs, ordered = @ordered`,
      )
      .run({
        scope,
        takenAt: p.takenAtMs,
        markets: p.createdS.length,
        created: encodeAscending(p.createdS),
        pageMs: p.pageMs,
        ordered: p.ordered ? 1 : 0,
      });
  }

  /**
   * A fingerprint of the orders table that changes whenever an order is added, fills or becomes final: the cycle
   * reads positions while it scans, and reads them again if this moved meanwhile.
   */
  ordersFingerprint(): string {
    const r = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS id, COALESCE(SUM(filled_e2), 0) AS f, COALESCE(SUM(final), 0) AS d FROM orders').get() as {
      n: number;
      id: number;
      f: number;
      d: number;
    };
    return `${r.n}:${r.id}:${r.f}:${r.d}`;
  }
}
