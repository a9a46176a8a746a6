// The shadow book: every market a cycle saw in band (the side and price it would pay, its time to settlement, its
// category and fee rule), kept in the journal whether or not it was traded, and resolved when the market settles. It
// is calibration of the bot's own universe, going forward: what its band would have won.
//
// A market is recorded once per time-to-settlement bin (its first sighting under 6 h, 6-24 h, 1-3 d, 3-7 d and
// beyond), so the report can split by horizon without one market counting at every cycle. Resolution reads the
// exchange's settled listing since the last read (combos excluded), at most every few minutes.
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

function binOf(hoursToSettle: number): number {
  for (const h of BIN_HOURS) if (hoursToSettle < h) return h;
  return BIN_HOURS.at(-1)!;
}

/** Where the settlement sync has read to (unix seconds). */
const SYNC_KEY = 'shadow.settled_through_s';
/** A settlement listed late is still found: each read starts this far before the last one ended. */
const OVERLAP_S = 3600;
/** Pages per resolve() (the rest waits for the next one). */
const MAX_PAGES = 50;

export class ShadowBook {
  /** (ticker, bin) pairs recorded by this process: a cycle writes only what is new. */
  private readonly recorded = new Set<string>();
  private resolving: Promise<number> | null = null;

  constructor(private readonly d: ShadowDeps) {}

  /** Record one observation per market and bin (first sighting); returns how many were new to the journal. */
  record(rows: Iterable<{ ticker: string; eventTicker: string; side: 'yes' | 'no'; priceE4: number; settlesMs: number }>, nowMs: number): number {
    const fresh: NewObservation[] = [];
    for (const r of rows) {
      if (r.priceE4 <= 0 || r.priceE4 >= 10_000 || r.settlesMs <= nowMs) continue;
      const bin = binOf((r.settlesMs - nowMs) / 3_600_000);
      const key = `${r.ticker} ${bin} ${r.side}`;
      if (this.recorded.has(key)) continue;
      // The journal keeps each once anyway: the set only saves it the writes, and is bounded.
      if (this.recorded.size >= 1_000_000) this.recorded.clear();
      this.recorded.add(key);
      const fee = this.d.categories.feeOf(r.eventTicker, nowMs) ?? DEFAULT_FEE;
      fresh.push({
        source: 'shadow',
        ticker: r.ticker,
        sampleKey: bin,
        side: r.side,
        eventTicker: r.eventTicker,
        category: this.d.categories.categoryOf(r.eventTicker) ?? null,
        priceE4: r.priceE4,
        observedMs: nowMs,
        settlesMs: r.settlesMs,
        feeType: fee.feeType,
        feeMultiplierE4: fee.multiplierE4,
        result: null,
      });
    }
    return fresh.length > 0 ? this.d.journal.calibration.addObservations(fresh, nowMs) : 0;
  }

  /** A cycle's band candidates, straight from its table (side codes 1 YES, 2 NO; price the side's ask). */
  recordTable(t: MarketTable, candidates: Int32Array, side: Uint8Array, price: Int32Array, nowMs: number): number {
    const rows = function* () {
      for (const i of candidates) {
        const s = side[i];
        if (s !== 1 && s !== 2) continue;
        yield { ticker: t.tickers[i]!, eventTicker: t.eventTicker(i), side: s === 1 ? ('yes' as const) : ('no' as const), priceE4: price[i]!, settlesMs: t.settlesMs[i]! };
      }
    };
    return this.record(rows(), nowMs);
  }

  /** Resolve what settled since the last read. One at a time; returns the observations resolved. */
  resolve(): Promise<number> {
    this.resolving ??= this.readSettled().finally(() => {
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
