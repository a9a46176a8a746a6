// `npm run calibrate`: the exchange's own history, pulled into the journal. Two phases, both resumable:
//   1. list the markets that settled in the window (GET /markets?status=settled&min/max_settled_ts, combos
//      excluded), 1,000 a page; each page's yes/no markets wait in the journal, and the cursor is kept after it;
//   2. read their quotes some hours before close from candlesticks: for up to 100 markets at a time (the batch
//      endpoint, hourly candles, at most 10,000 a request), one request per horizon over the two hours before it, and
//      store an observation per favourite side and horizon.
// Candlesticks rather than trades: a candle carries the quote (the YES bid and ask at the end of each period), which
// is exactly the price the band pays (YES at the ask, NO at 1 - the YES bid), for up to 100 markets per request,
// where the trade tape is one paged walk per market, prints at whichever side the taker hit, and is empty for quiet
// markets. 30 days of a 20,000-markets-a-day exchange is ~600 listing pages and ~6,000 batches of 100 (three
// requests each at the default three horizons, ~3 candles a market): half an hour at 10 requests a second, in the
// background, resumable.
import type { Clock } from '../clock.js';
import type { CalibrationRun, NewObservation, PendingMarket } from '../journal/calibration.js';
import type { Journal } from '../journal/index.js';
import type { Candlestick, SettledMarket } from '../kalshi/schemas.js';
import { DEFAULT_FEE, type FeeSchedule } from '../money.js';

export interface CalibrateSource {
  getSettledMarketsPage(p: { minSettledTs?: number; maxSettledTs?: number; cursor?: string | null; limit?: number }): Promise<{
    markets: SettledMarket[];
    skipped: number;
    cursor: string | null;
  }>;
  getCandlesticks(p: { tickers: string[]; startTs: number; endTs: number; periodMinutes: number }): Promise<{ byTicker: Map<string, Candlestick[]>; skipped: number }>;
}

export interface CalibrateCategories {
  ensure(eventTickers: Iterable<string>): Promise<void>;
  categoryOf(eventTicker: string): string | undefined;
  feeOf(eventTicker: string, nowMs: number): FeeSchedule | null;
}

export interface CalibrateProgress {
  runId: number;
  resumed: boolean;
  phase: 'list' | 'candles' | 'done';
  /** Settled yes/no markets listed, and of them read (their candles), and waiting. */
  listed: number;
  sampled: number;
  pending: number;
  /** Observations stored by this process. */
  added: number;
  /** Requests this run has made (over every process that worked on it). */
  requests: number;
  elapsedMs: number;
}

export interface CalibrateOptions {
  days: number;
  /** Hours before close at which the quote is read (default 6, 24, 72). */
  hours?: number[];
  /** Start over instead of resuming an unfinished run. */
  fresh?: boolean;
  /** Awaited before every request: pacing, and staying out of the way of a scan in progress. */
  gate?: () => Promise<void>;
  onProgress?: (p: CalibrateProgress) => void;
  /** Stop after this many requests (the run stays resumable); for tests of resuming. */
  maxRequests?: number;
  signal?: AbortSignal;
}

export const DEFAULT_HOURS = [6, 24, 72];
/** Candle period (minutes): hourly, so one request spans days of 100 markets. */
const PERIOD_MIN = 60;
/** A quote is taken from the last candle ending at most this long before the target time. */
const LOOKBACK_S = 2 * 3600;
/** The batch endpoint's limits: 100 markets, 10,000 candles (kept a margin under it). */
const MAX_TICKERS = 100;
const MAX_CANDLES = 9_000;
/** Kalshi keeps about 3 months of settled markets on the live endpoints; older ones are only in /historical. */
export const LIVE_DAYS = 90;

export class CalibrateJob {
  constructor(
    private readonly d: { source: CalibrateSource; journal: Journal; clock: Clock; categories: CalibrateCategories },
  ) {}

  /** The run to work on: the unfinished one (unless `fresh`), or a new one over the window not yet covered. */
  private runFor(o: CalibrateOptions, hours: number[]): { run: CalibrationRun; resumed: boolean } {
    const j = this.d.journal.calibration;
    const now = this.d.clock.now();
    const open = j.unfinishedRun();
    if (open && !o.fresh) return { run: open, resumed: true };
    if (open) j.abandonRun(open.id, now);
    const maxS = Math.floor(now / 1000);
    let minS = maxS - Math.round(o.days * 86_400);
    // What an earlier run with the same horizons covered is not listed again (an hour of overlap for late records).
    const last = j.lastFinishedRun();
    if (!o.fresh && last && JSON.stringify(last.hours) === JSON.stringify(hours) && last.minSettledS <= minS && last.maxSettledS > minS) {
      minS = last.maxSettledS - 3600;
    }
    return { run: j.startRun({ minSettledS: minS, maxSettledS: maxS, hours, now }), resumed: false };
  }

  async run(o: CalibrateOptions): Promise<CalibrateProgress> {
    const { journal, clock, source } = this.d;
    const j = journal.calibration;
    const t0 = performance.now();
    const { run, resumed } = this.runFor(o, [...(o.hours ?? DEFAULT_HOURS)].sort((a, b) => a - b));
    const hours = run.hours;
    let added = 0;
    let madeHere = 0;
    const progress = (phase: CalibrateProgress['phase']): CalibrateProgress => {
      const r = j.run(run.id)!;
      const p = { runId: run.id, resumed, phase, listed: r.listed, sampled: r.sampled, pending: j.pendingCount(run.id), added, requests: r.requests, elapsedMs: Math.round(performance.now() - t0) };
      o.onProgress?.(p);
      return p;
    };
    const mayGoOn = async (): Promise<boolean> => {
      if (o.signal?.aborted || (o.maxRequests !== undefined && madeHere >= o.maxRequests)) return false;
      await o.gate?.();
      madeHere++;
      return true;
    };
    // Categories and fee rules come from the series list (one request); events follow the SERIES-SUFFIX convention.
    await this.d.categories.ensure([]);

    // 1. The listing.
    let state = j.run(run.id)!;
    const seen = new Set<string>();
    while (!state.listedDone) {
      if (!(await mayGoOn())) return progress('list');
      const page = await source.getSettledMarketsPage({ minSettledTs: state.minSettledS, maxSettledTs: state.maxSettledS, cursor: state.listCursor, limit: 1000 });
      const keep = page.markets.filter((m) => m.result !== null && !m.isCombo);
      const already = j.sampledTickers(keep.map((m) => m.ticker));
      const pending: PendingMarket[] = keep
        .filter((m) => !already.has(m.ticker))
        .map((m) => ({ ticker: m.ticker, eventTicker: m.eventTicker, closeMs: m.closeMs, settlesMs: m.settlesMs, result: m.result! }));
      // A cursor seen before would loop: the listing ends there.
      const next = page.cursor !== null && !seen.has(page.cursor) ? page.cursor : null;
      if (next) seen.add(next);
      j.savePage(run.id, next, pending);
      state = j.run(run.id)!;
      progress('list');
    }

    // 2. The candles.
    for (;;) {
      const queue = j.pending(run.id, MAX_TICKERS);
      if (queue.length === 0) break;
      const batch = packBatch(queue);
      const tickers = batch.map((m) => m.ticker);
      // One request per horizon, over the hours just before it: a few candles a market, not days of them.
      const candles = new Map<string, Candlestick[]>();
      for (const h of hours) {
        if (!(await mayGoOn())) return progress('candles');
        const startTs = Math.floor(batch[0]!.closeMs / 1000) - h * 3600 - LOOKBACK_S;
        const endTs = Math.ceil(batch.at(-1)!.closeMs / 1000) - h * 3600;
        const { byTicker } = await source.getCandlesticks({ tickers, startTs, endTs, periodMinutes: PERIOD_MIN });
        for (const [t, list] of byTicker) candles.set(t, [...(candles.get(t) ?? []), ...list]);
      }
      const obs = batch.flatMap((m) => this.observe(m, candles.get(m.ticker) ?? [], hours));
      added += j.completeBatch(run.id, tickers, obs, clock.now(), hours.length);
      progress('candles');
    }
    j.finishRun(run.id, clock.now());
    return progress('done');
  }

  /** A market's observations: at each horizon, each side whose ask was 50¢ or more (a favourite) then. */
  private observe(m: PendingMarket, candles: readonly Candlestick[], hours: readonly number[]): NewObservation[] {
    const out: NewObservation[] = [];
    const category = this.d.categories.categoryOf(m.eventTicker) ?? null;
    for (const h of hours) {
      const target = m.closeMs - h * 3_600_000;
      const c = lastQuoteBefore(candles, target);
      if (!c) continue;
      // Fees in force when the quote was there (the series' rule; unknown series: the standard quadratic taker fee).
      const fee = this.d.categories.feeOf(m.eventTicker, c.endMs) ?? DEFAULT_FEE;
      const base = { source: 'history' as const, ticker: m.ticker, sampleKey: h, eventTicker: m.eventTicker, category, observedMs: c.endMs, settlesMs: m.settlesMs, feeType: fee.feeType, feeMultiplierE4: fee.multiplierE4, result: m.result };
      const yes = c.yesAskE4;
      if (yes !== null && yes >= 5000 && yes < 10_000) out.push({ ...base, side: 'yes', priceE4: yes });
      const bid = c.yesBidE4;
      if (bid !== null && bid > 0 && 10_000 - bid >= 5000) out.push({ ...base, side: 'no', priceE4: 10_000 - bid });
    }
    return out;
  }
}

/** The last candle ending at or before `targetMs` (within the lookback) whose quote has both a bid and an ask. */
export function lastQuoteBefore(candles: readonly Candlestick[], targetMs: number): Candlestick | null {
  let best: Candlestick | null = null;
  for (const c of candles) {
    if (c.endMs > targetMs || c.endMs <= targetMs - LOOKBACK_S * 1000) continue;
    if (c.yesBidE4 === null || c.yesAskE4 === null || c.yesAskE4 <= 0) continue;
    if (!best || c.endMs > best.endMs) best = c;
  }
  return best;
}

/**
 * Markets (in close order) for one candle request: at most 100, and few enough that every market's hourly candles
 * over the request's window (their close times' spread plus the lookback) stay under the endpoint's 10,000.
 */
export function packBatch(queue: readonly PendingMarket[]): PendingMarket[] {
  const spanH = (a: PendingMarket, b: PendingMarket) => (b.closeMs - a.closeMs) / 3_600_000 + LOOKBACK_S / 3600 + 2;
  const out: PendingMarket[] = [];
  for (const m of queue) {
    const next = out.length + 1;
    if (out.length > 0 && next * Math.ceil(spanH(out[0]!, m)) > MAX_CANDLES) break;
    out.push(m);
    if (out.length >= MAX_TICKERS) break;
  }
  return out;
}
