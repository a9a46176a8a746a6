// The shadow book: every market a cycle saw in band (the side and price it would pay, its time to settlement, its
// category and fee rule), kept in the journal whether or not it was traded, and resolved when the market settles. It
// is calibration of the bot's own universe, going forward: what its band would have won.
//
// A market is recorded once per time-to-settlement bin (its first sighting under 6 h, 6-24 h, 1-3 d, 3-7 d and
// beyond), so the report can split by horizon without one market counting at every cycle. Resolution reads the
// exchange's settled listing since the last read (combos excluded), at most every few minutes.
import { setImmediate } from 'node:timers/promises';
import type { Clock } from '../clock.js';
import type { NewObservation } from '../journal/calibration.js';
import type { Journal } from '../journal/index.js';
import type { MarketTable } from '../kalshi/market-table.js';
import type { SettledMarket } from '../kalshi/schemas.js';
import { DEFAULT_FEE, type FeeSchedule } from '../money.js';
import { HORIZON_BINS } from '../rules/calibration.js';

export interface ShadowSource {
  getSettledMarketsPage(p: { minSettledTs?: number; maxSettledTs?: number; cursor?: string | null; limit?: number }): Promise<{
    markets: SettledMarket[];
    cursor: string | null;
  }>;
}

export interface ShadowDeps {
  journal: Journal;
  clock: Clock;
  source: ShadowSource;
  categories: { categoryOf(eventTicker: string): string | undefined; feeOf(eventTicker: string, nowMs: number): FeeSchedule | null };
}

/** The bins' upper bounds in hours, as the journal's sample_key (the last, "beyond 7 days", as 100,000). */
const BIN_HOURS = HORIZON_BINS.map((b) => (Number.isFinite(b.maxHours) ? b.maxHours : 100_000));

/** The bin's index (0 = under 6 h). */
function binIndex(hoursToSettle: number): number {
  for (let k = 0; k < BIN_HOURS.length - 1; k++) if (hoursToSettle < BIN_HOURS[k]!) return k;
  return BIN_HOURS.length - 1;
}

/** Where the settlement sync has read to (unix seconds). */
const SYNC_KEY = 'shadow.settled_through_s';
/** A settlement listed late is still found: each read starts this far before the last one ended. */
const OVERLAP_S = 3600;
/** Pages per resolve() (the rest waits for the next one). */
const MAX_PAGES = 50;
/** Observations per journal write: the first cycle after a start sees ~30,000 markets new, written a slice at a time. */
const WRITE_SLICE = 2000;
/** Markets remembered as recorded before the memory is cleared (the journal keeps each observation once anyway). */
const MAX_REMEMBERED = 1_000_000;

type ShadowRow = { ticker: string; eventTicker: string; side: 'yes' | 'no'; priceE4: number; settlesMs: number };

export class ShadowBook {
  /** Per ticker, the (bin, side) pairs this process has recorded, as bits (bin * 2 + side): a cycle writes only what is new. */
  private readonly recorded = new Map<string, number>();
  /** Recorded, not yet in the journal: written in slices after the cycle, between other work. */
  private readonly pending: NewObservation[] = [];
  private writing: Promise<void> | null = null;
  private resolving: Promise<number> | null = null;

  constructor(private readonly d: ShadowDeps) {}

  /**
   * Record one observation per market and bin (first sighting); returns how many were new. They reach the journal in
   * slices of WRITE_SLICE with a turn of the event loop between (so a cycle and the chat never wait for 30,000 inserts);
   * `written()` resolves once they are all in, `flush()` writes the rest at once.
   */
  record(rows: Iterable<ShadowRow>, nowMs: number): number {
    let added = 0;
    for (const r of rows) if (this.add(r.ticker, r.eventTicker, r.side === 'yes' ? 0 : 1, r.priceE4, r.settlesMs, nowMs)) added++;
    if (added > 0) this.write();
    return added;
  }

  /** record() over the cycle's band candidates, read from the table's columns. */
  recordTable(t: MarketTable, candidates: Int32Array, side: Uint8Array, price: Int32Array, nowMs: number): number {
    let added = 0;
    for (let c = 0; c < candidates.length; c++) {
      const i = candidates[c]!;
      const s = side[i];
      if (s !== 1 && s !== 2) continue;
      if (this.add(t.tickers[i]!, t.eventTicker(i), s - 1, price[i]!, t.settlesMs[i]!, nowMs)) added++;
    }
    if (added > 0) this.write();
    return added;
  }

  /** Resolves once every observation recorded so far is in the journal (or its write failed). */
  async written(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  /** Write everything still queued now (before the journal closes). */
  flush(): void {
    this.writeSlice(this.pending.length);
  }

  /** Queue the observation unless this (ticker, bin, side) was recorded already; side 0 YES, 1 NO. */
  private add(ticker: string, eventTicker: string, side: number, priceE4: number, settlesMs: number, nowMs: number): boolean {
    if (priceE4 <= 0 || priceE4 >= 10_000 || settlesMs <= nowMs) return false;
    const bin = binIndex((settlesMs - nowMs) / 3_600_000);
    const bit = 1 << (bin * 2 + side);
    const had = this.recorded.get(ticker) ?? 0;
    if ((had & bit) !== 0) return false;
    if (had === 0 && this.recorded.size >= MAX_REMEMBERED) this.recorded.clear();
    this.recorded.set(ticker, had | bit);
    const fee = this.d.categories.feeOf(eventTicker, nowMs) ?? DEFAULT_FEE;
    this.pending.push({
      source: 'shadow',
      ticker,
      sampleKey: BIN_HOURS[bin]!,
      side: side === 0 ? 'yes' : 'no',
      eventTicker,
      category: this.d.categories.categoryOf(eventTicker) ?? null,
      priceE4,
      observedMs: nowMs,
      settlesMs,
      feeType: fee.feeType,
      feeMultiplierE4: fee.multiplierE4,
      result: null,
    });
    return true;
  }

  private write(): void {
    this.writing ??= (async () => {
      while (this.pending.length > 0) {
        await setImmediate();
        this.writeSlice(WRITE_SLICE);
      }
    })().finally(() => {
      this.writing = null;
    });
  }

  private writeSlice(n: number): void {
    const slice = this.pending.splice(0, n);
    if (slice.length === 0) return;
    try {
      this.d.journal.calibration.addObservations(slice, slice[0]!.observedMs);
    } catch {
      // Calibration data lost (the journal closed or failed), never a cycle; seen again, a market is recorded then.
      for (const o of slice) this.recorded.delete(o.ticker);
    }
  }

  /** Resolve what settled since the last read. One at a time; returns the observations resolved. */
  resolve(): Promise<number> {
    // What the cycles recorded is in the journal first, so it can be resolved.
    this.resolving ??= this.written()
      .then(() => this.readSettled())
      .finally(() => {
        this.resolving = null;
      });
    return this.resolving;
  }

  private async readSettled(): Promise<number> {
    const j = this.d.journal.calibration;
    const open = j.openShadow();
    if (open.tickers.size === 0) return 0;
    const nowS = Math.floor(this.d.clock.now() / 1000);
    // Where the last read got to: through a time, or in the middle of a window (a long backlog, read newest first).
    const state = parseState(j.getState(SYNC_KEY));
    let window = state.partial;
    if (!window) {
      // Nothing can have settled before it was seen.
      const from = state.throughS !== null ? state.throughS - OVERLAP_S : Math.floor((open.earliestMs ?? this.d.clock.now()) / 1000) - OVERLAP_S;
      window = { fromS: from, toS: nowS, cursor: null };
    }
    let resolved = 0;
    const seen = new Set<string>();
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page: { markets: SettledMarket[]; cursor: string | null } = await this.d.source.getSettledMarketsPage({
        minSettledTs: window.fromS,
        maxSettledTs: window.toS,
        cursor: window.cursor,
        limit: 1000,
      });
      const mine = page.markets.filter((m): m is SettledMarket & { result: 'yes' | 'no' } => m.result !== null && open.tickers.has(m.ticker));
      resolved += j.resolveShadow(mine, this.d.clock.now());
      if (page.cursor === null || seen.has(page.cursor)) {
        j.setState(SYNC_KEY, JSON.stringify({ throughS: window.toS }));
        return resolved;
      }
      seen.add(page.cursor);
      window = { ...window, cursor: page.cursor };
      j.setState(SYNC_KEY, JSON.stringify({ throughS: state.throughS, partial: window }));
    }
    return resolved;
  }
}

interface SyncState {
  throughS: number | null;
  partial: { fromS: number; toS: number; cursor: string | null } | null;
}

function parseState(text: string | null): SyncState {
  try {
    const v = JSON.parse(text ?? 'null') as Partial<SyncState> | null;
    return { throughS: typeof v?.throughS === 'number' ? v.throughS : null, partial: v?.partial ?? null };
  } catch {
    return { throughS: null, partial: null };
  }
}
