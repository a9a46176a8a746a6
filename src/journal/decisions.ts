// The last cycle's decision trail, compactly: 120,000 decisions as one row (tickers deflated, the numbers in
// columns, each distinct reason text once), written in a few tens of milliseconds; /why finds one ticker in it.
import { promisify } from 'node:util';
import { deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Db } from './db.js';

export type Outcome = 'rejected' | 'ordered' | 'approval' | 'passed';

/** A decision as /why shows it (the same shape as cycles.ts's Decision). */
export interface TrailDecision {
  ticker: string;
  cycleId: number;
  layer: 2 | 3 | 4 | 5;
  outcome: Outcome;
  reason: string;
  side: 'yes' | 'no' | null;
  priceE4: number | null;
}

/** The trail in memory: row i is `tickers[i]`'s decision (layer 0: none). Codes as in rules/table-pass. */
export interface TrailColumns {
  count: number;
  layer: Uint8Array;
  outcome: Uint8Array;
  side: Uint8Array;
  priceE4: Int32Array;
  reason: Int32Array;
  reasons: readonly string[];
}

/** Outcome codes in the trail: OUTCOMES[code - 1]. */
export const OUTCOMES: readonly Outcome[] = ['rejected', 'ordered', 'approval', 'passed'];
/** Bytes per row in the `rows` blob (before it is deflated): layer, outcome, side (u8), price (i32), reason (u32). */
const ROW_BYTES = 11;
/** `rows_format`: 0 the columns as they are (migration 006), 1 raw-deflated (nearly every row is a layer-2 rejection). */
const ROWS_DEFLATED = 1;

/**
 * The rows, and the texts they use. The columns' texts may include earlier cycles' (the pass keeps them from cycle to
 * cycle): only those a row uses are stored, renumbered in order of first use.
 */
function encodeRows(c: TrailColumns): { rows: Buffer; reasons: string[] } {
  const n = c.count;
  const buf = Buffer.alloc(n * ROW_BYTES);
  buf.set(c.layer.subarray(0, n), 0);
  buf.set(c.outcome.subarray(0, n), n);
  buf.set(c.side.subarray(0, n), 2 * n);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stored = new Int32Array(c.reasons.length).fill(-1);
  const reasons: string[] = [];
  for (let i = 0; i < n; i++) {
    view.setInt32(3 * n + 4 * i, c.priceE4[i]!, true);
    // A row without a decision (layer 0) has no text to keep.
    if (c.layer[i] === 0) continue;
    const id = c.reason[i]!;
    let k = stored[id]!;
    if (k < 0) {
      k = reasons.push(c.reasons[id] ?? '') - 1;
      stored[id] = k;
    }
    view.setUint32(7 * n + 4 * i, k, true);
  }
  return { rows: buf, reasons };
}

const deflateAsync = promisify(deflateRaw);

/** The trail's tickers (newline-separated UTF-8 in row order) as stored. */
export const packNames = (text: Buffer): Buffer => deflateRawSync(text, { level: 1 });

/**
 * packNames on the thread pool: started right after the scan, it is ready by the time the trail is written. One output
 * chunk for the whole text: with zlib's 16 KB default every chunk waits for the main thread, which is busy with the
 * layers, so the deflate would still be running when the trail is written.
 */
export const packNamesAsync = (text: Buffer): Promise<Buffer> => deflateAsync(text, { level: 1, chunkSize: Math.max(64 * 1024, text.length + 1024) });

export class DecisionTrail {
  constructor(private readonly db: Db) {}

  /** Replace the stored trail (inside the caller's transaction, if any); `names` from packNames. */
  write(cycleId: number, names: Buffer, c: TrailColumns): void {
    const encoded = encodeRows(c);
    this.db
      .prepare(
        `INSERT INTO decision_trail (id, cycle_id, markets, tickers, rows, rows_format, reasons)
         VALUES (1, @cycleId, @markets, @tickers, @rows, @format, @reasons)
         ON CONFLICT (id) DO UPDATE SET cycle_id = @cycleId, markets = @markets, tickers = @tickers, rows = @rows, rows_format = @format,
           reasons = @reasons`,
      )
      .run({
        cycleId,
        markets: c.count,
        tickers: names,
        // About 1.3 MB as columns, a few tens of KB deflated: less to write (and sync) each cycle.
        rows: deflateRawSync(encoded.rows, { level: 1 }),
        format: ROWS_DEFLATED,
        reasons: JSON.stringify(encoded.reasons),
      });
  }

  clear(): void {
    this.db.prepare('DELETE FROM decision_trail').run();
  }

  /** The decision for a ticker (ASCII case-insensitive, like the decisions table's NOCASE), if the trail has one. */
  find(ticker: string): TrailDecision | undefined {
    const r = this.db.prepare('SELECT cycle_id, markets, tickers, rows, rows_format, reasons FROM decision_trail WHERE id = 1').get() as
      | { cycle_id: number; markets: number; tickers: Buffer; rows: Buffer; rows_format: number; reasons: string }
      | undefined;
    if (!r) return undefined;
    const n = r.markets;
    const rows = r.rows_format === ROWS_DEFLATED ? inflateRawSync(r.rows) : r.rows;
    if (rows.length !== n * ROW_BYTES) return undefined;
    const names = inflateRawSync(r.tickers).toString('utf8').split('\n');
    const want = asciiLower(ticker);
    const i = names.findIndex((t) => t.length === want.length && asciiLower(t) === want);
    if (i < 0 || i >= n) return undefined;
    const layer = rows[i]!;
    if (layer === 0) return undefined;
    const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
    const side = rows[2 * n + i]!;
    const price = view.getInt32(3 * n + 4 * i, true);
    const reasons = JSON.parse(r.reasons) as string[];
    return {
      ticker: names[i]!,
      cycleId: r.cycle_id,
      layer: layer as TrailDecision['layer'],
      outcome: OUTCOMES[rows[n + i]! - 1] ?? 'rejected',
      reason: reasons[view.getUint32(7 * n + 4 * i, true)] ?? '',
      side: side === 1 ? 'yes' : side === 2 ? 'no' : null,
      priceE4: price < 0 ? null : price,
    };
  }
}

/** SQLite's NOCASE folds ASCII letters only. */
const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (x) => x.toLowerCase());
