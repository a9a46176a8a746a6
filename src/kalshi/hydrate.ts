// Layer 1: page in the whole open, non-combo universe fast. Cursor paging is sequential per stream,
// so the universe is cut into disjoint created-time windows paged in parallel; all streams share
// the client's token bucket, so going wide never goes over the rate limit.
import type { Market } from './market-schema.js';

export interface MarketsPageSource {
  getMarketsPage(params: {
    limit?: number;
    cursor?: string;
    status?: 'open';
    mveFilter?: 'exclude' | 'only';
    minCreatedTs?: number;
    maxCreatedTs?: number;
  }): Promise<{ markets: Market[]; skipped: number; cursor: string | null }>;
}

export interface HydrateProgress {
  pages: number;
  markets: number;
  skipped: number;
  elapsedMs: number;
  streamsDone: number;
  streams: number;
}

export interface HydrateResult {
  markets: Market[];
  /** Records that failed their schema, skipped and counted. */
  skipped: number;
  /** Closed or combo markets that leaked into the open listing, dropped by the local re-check. */
  leaked: number;
  /** Tickers seen more than once (window seams overlap by design), kept once. */
  duplicates: number;
  pages: number;
  repeatedCursors: number;
  windows: number;
  elapsedMs: number;
}

export interface HydrateOptions {
  /** Parallel streams (created-time windows). */
  streams?: number;
  pageLimit?: number;
  nowMs?: number;
  onProgress?: (p: HydrateProgress) => void;
  /** Created-time seconds of the last scan's markets, to balance the windows. */
  previousCreatedS?: readonly number[];
}

export interface Window {
  /** Inclusive bounds in Unix seconds; undefined = open-ended. */
  min?: number;
  max?: number;
}

/**
 * Disjoint created-time windows. With the last scan's distribution, cut at its quantiles so each
 * stream gets about the same number of pages; without one, a prior that favours recent markets.
 * The outer windows are open-ended so markets created outside the known range are still found.
 */
export function planWindows(streams: number, nowS: number, previousCreatedS?: readonly number[]): Window[] {
  if (streams <= 1) return [{}];
  let cuts: number[];
  if (previousCreatedS && previousCreatedS.length >= streams * 10) {
    const sorted = [...previousCreatedS].sort((a, b) => a - b);
    cuts = [];
    for (let i = 1; i < streams; i++) cuts.push(sorted[Math.floor((i * sorted.length) / streams)]!);
  } else {
    // No history yet: most open markets are young (short-lived markets churn), so cut the last 90 days
    // quadratically, with windows narrowing toward now.
    const span = 90 * 86_400;
    cuts = [];
    for (let i = 1; i < streams; i++) cuts.push(nowS - Math.floor(span * (1 - i / streams) ** 2));
  }
  cuts = [...new Set(cuts)].sort((a, b) => a - b);
  // Neighbouring windows share their seam second (and the one before it): whether Kalshi compares the
  // millisecond created_time to whole seconds, or treats a bound as exclusive, no market falls between
  // two windows. Markets seen twice are deduped by ticker.
  const windows: Window[] = [];
  let lo: number | undefined;
  for (const cut of cuts) {
    windows.push(lo === undefined ? { max: cut } : { min: lo, max: cut });
    lo = cut - 1;
  }
  windows.push(lo === undefined ? {} : { min: lo });
  return windows;
}

export async function hydrateUniverse(source: MarketsPageSource, opts: HydrateOptions = {}): Promise<HydrateResult> {
  const started = performance.now();
  const nowMs = opts.nowMs ?? Date.now();
  const windows = planWindows(opts.streams ?? 16, Math.floor(nowMs / 1000), opts.previousCreatedS);
  const limit = opts.pageLimit ?? 1000;
  const byTicker = new Map<string, Market>();
  const stats = { pages: 0, skipped: 0, leaked: 0, duplicates: 0, repeatedCursors: 0, streamsDone: 0 };

  const report = () =>
    opts.onProgress?.({
      pages: stats.pages,
      markets: byTicker.size,
      skipped: stats.skipped,
      elapsedMs: Math.round(performance.now() - started),
      streamsDone: stats.streamsDone,
      streams: windows.length,
    });

  // One stream failing (after the client's retries) fails the scan: the others stop at their next page,
  // and the scan returns only when every stream has, so nothing keeps paging into the next cycle.
  let failure: { err: unknown } | null = null;
  const walk = async (w: Window) => {
    const seen = new Set<string>();
    let cursor: string | undefined;
    while (!failure) {
      const page = await source.getMarketsPage({
        limit,
        status: 'open',
        mveFilter: 'exclude',
        ...(w.min !== undefined ? { minCreatedTs: w.min } : {}),
        ...(w.max !== undefined ? { maxCreatedTs: w.max } : {}),
        ...(cursor ? { cursor } : {}),
      });
      stats.pages++;
      stats.skipped += page.skipped;
      for (const m of page.markets) {
        // Closed markets leak into the open chain, and a combo can slip past the filter: re-check locally.
        if (m.status !== 'active' || m.isCombo) {
          stats.leaked++;
          continue;
        }
        if (byTicker.has(m.ticker)) stats.duplicates++;
        byTicker.set(m.ticker, m);
      }
      report();
      if (!page.cursor) break;
      if (seen.has(page.cursor)) {
        // A garbage or looping cursor returns data forever: stop this stream rather than spin.
        stats.repeatedCursors++;
        break;
      }
      seen.add(page.cursor);
      cursor = page.cursor;
    }
    stats.streamsDone++;
    report();
  };

  await Promise.all(
    windows.map((w) =>
      walk(w).catch((err: unknown) => {
        failure ??= { err };
      }),
    ),
  );
  if (failure) throw (failure as { err: unknown }).err;
  return {
    markets: [...byTicker.values()],
    skipped: stats.skipped,
    leaked: stats.leaked,
    duplicates: stats.duplicates,
    pages: stats.pages,
    repeatedCursors: stats.repeatedCursors,
    windows: windows.length,
    elapsedMs: Math.round(performance.now() - started),
  };
}
