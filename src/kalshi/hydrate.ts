// Layer 1: page in the whole open, non-combo universe fast. Cursor paging is sequential per stream, so the universe
// is cut into created-time windows paged in parallel; all streams share the client's token bucket, so going wide
// never goes over the rate limit. The plan adapts while it runs:
// - With the last scan's created-time distribution (kept in the journal, so also after a restart) each window is cut
//   to fill about one page, the newest one leaving room for markets created since: the scan is a batch of independent
//   requests whose pace is the token bucket's.
// - Without one (a fresh install) the windows come from a prior, and whenever a stream is free and no window waits,
//   the longest-running window is split at its cursor's created time: the stream takes the older part as a new
//   window, and the walker stops once its cursor passes the split. That relies on the listing coming newest first,
//   which every page is checked for; if it ever does not, no more splits are made and every stopped walker is
//   resumed from its cursor to the end of its window, so nothing is lost either way.
// Neighbouring windows overlap by a second or two at their seams (whatever Kalshi's bound semantics), and markets
// seen twice are kept once (by ticker).
import { KalshiClient } from './client.js';
import type { Market } from './market-schema.js';
import { type EventNames, MarketTable } from './market-table.js';

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

/** What a scan learned about the universe's created times: the next scan plans its windows by it. */
export interface CreatedProfile {
  /** Created time of every open market, whole Unix seconds, ascending. */
  createdS: Float64Array;
  /** When the scan ran (epoch ms). */
  takenAtMs: number;
  /** A page's round trip when no token wait delays it (ms); null when unknown. */
  pageMs: number | null;
  /** Whether every page listed its markets newest first (what splitting a running window relies on). */
  ordered: boolean;
}

/** The read bucket as the client paces it (tokens), and what a page of markets costs. */
export interface ReadBudget {
  capacity: number;
  refillPerSec: number;
  pageCost: number;
}

export interface HydrateResult {
  /** The open, non-combo markets, one row each. */
  table: MarketTable;
  /** Records that failed their schema, skipped and counted. */
  skipped: number;
  /** Closed or combo markets that leaked into the open listing, dropped by the local re-check. */
  leaked: number;
  /** Tickers seen more than once (window seams overlap by design), kept once. */
  duplicates: number;
  pages: number;
  repeatedCursors: number;
  /** Windows walked: those planned plus those split off while running. */
  windows: number;
  /** Windows split off a running one. */
  splits: number;
  /** How the windows were planned: from the last scan's distribution, or from a prior (a cold scan). */
  planned: 'profile' | 'prior';
  /** Requests in flight at most (the streams). */
  streams: number;
  /** False when some page did not list newest first (no split was trusted; stopped walkers were resumed). */
  ordered: boolean;
  /** Walkers stopped at a split and resumed to their window's end because the listing was not in order. */
  resumed: number;
  /** Records the listing returned (open markets plus leaked ones), what the scan had to page through. */
  listed: number;
  /** This scan's distribution, for the next one (and the journal). */
  profile: CreatedProfile;
  elapsedMs: number;
}

export interface HydrateOptions {
  /** Requests in flight at most. Default: enough to keep the read bucket busy at the expected latency (8..48). */
  streams?: number;
  pageLimit?: number;
  nowMs?: number;
  onProgress?: (p: HydrateProgress) => void;
  /** The last scan's distribution (from the journal after a restart). Without one the scan is planned cold. */
  profile?: CreatedProfile | null;
  /** The read budget; default: the client's own buckets (a KalshiClient), else Basic. */
  budget?: ReadBudget;
  /** Rows to reserve in the table (e.g. the last scan's count). */
  expectedMarkets?: number;
  /** The last scan's event tickers: an event seen again keeps the same string (see MarketTable). */
  previousEvents?: EventNames | null;
}

export interface Window {
  /** Inclusive bounds in Unix seconds; undefined = open-ended. */
  min?: number;
  max?: number;
}

const DAY_S = 86_400;
/** Planned windows hold at most this share of a page (markets that open later or leak in land in old windows too). */
const FILL = 0.97;
/** A page's round trip assumed before one is measured (ms). */
const DEFAULT_PAGE_MS = 600;
const MAX_STREAMS = 48;

/**
 * Disjoint created-time windows from a prior that favours recent markets (most open markets are young: short-lived
 * markets churn): the last 90 days cut quadratically, windows narrowing toward now. The outer windows are
 * open-ended so markets created outside the range are still found.
 */
export function planWindows(streams: number, nowS: number): Window[] {
  if (streams <= 1) return [{}];
  const span = 90 * DAY_S;
  const cuts: number[] = [];
  for (let i = 1; i < streams; i++) cuts.push(nowS - Math.floor(span * (1 - i / streams) ** 2));
  return windowsFromCuts([...new Set(cuts)].sort((a, b) => a - b));
}

/**
 * Neighbouring windows share their seam second (and the one before it): whether Kalshi compares the millisecond
 * created_time to whole seconds, or treats a bound as exclusive, no market falls between two windows. A window
 * [min, max] surely holds every market created in seconds min+1 .. max-1.
 */
function windowsFromCuts(cuts: readonly number[]): Window[] {
  const windows: Window[] = [];
  let lo: number | undefined;
  for (const cut of cuts) {
    windows.push(lo === undefined ? { max: cut } : { min: lo, max: cut });
    lo = cut - 1;
  }
  windows.push(lo === undefined ? {} : { min: lo });
  return windows;
}

/** Index of the first element >= x in an ascending array. */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > x in an ascending array. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Markets of the profile created in seconds lo..hi (inclusive; undefined = open-ended). */
export function profileCount(p: CreatedProfile, lo: number | undefined, hi: number | undefined): number {
  const from = lo === undefined ? 0 : lowerBound(p.createdS, lo);
  const to = hi === undefined ? p.createdS.length : upperBound(p.createdS, hi);
  return Math.max(0, to - from);
}

/**
 * Windows from the last scan's distribution, each holding at most `fill` of its markets (seams counted in both
 * windows), planned from the newest down. The newest window leaves room for the markets created since the profile
 * was taken (estimated from the rate of its last hour). Most windows are then one page, so no stream walks a long
 * cursor chain.
 */
export function planFromProfile(p: CreatedProfile, pageLimit: number, nowMs: number): Window[] {
  const s = p.createdS;
  const n = s.length;
  const fill = Math.max(1, Math.floor(pageLimit * FILL));
  const takenS = Math.floor(p.takenAtMs / 1000);
  const lastHour = profileCount(p, takenS - 3600, undefined);
  const sinceH = Math.max(0, nowMs - p.takenAtMs) / 3_600_000;
  const expectedNew = Math.ceil(lastHour * Math.min(sinceH, 24));
  const top = Math.max(Math.floor(fill / 10), Math.min(Math.floor(fill / 2), fill - expectedNew));
  if (n <= top) return [{}];
  // Cuts from the newest down: a window [cut - 1, hi] holds the markets created in those seconds.
  const cuts: number[] = [];
  // Newest window [cut - 1, open): at most `top` markets of the profile, i.e. s[n - top - 1] < cut - 1.
  let cut = s[n - top - 1]! + 2;
  cuts.push(cut);
  for (;;) {
    const upTo = upperBound(s, cut); // markets in seconds <= cut
    if (upTo <= fill) break; // the rest fits the oldest (open-ended) window
    let next = s[upTo - fill - 1]! + 2; // [next - 1, cut] holds at most `fill`
    if (next > cut - 2) next = cut - 2; // one second holds more than a page: it takes several, but the plan moves on
    cut = next;
    cuts.push(cut);
  }
  return windowsFromCuts(cuts.reverse());
}

/** The read budget a client paces by: its own read bucket and the cost table's price of a listing page. */
export function budgetOf(source: MarketsPageSource): ReadBudget | null {
  if (!(source instanceof KalshiClient)) return null;
  const limiter = source.http.limiter;
  return { capacity: limiter.read.limits.capacity, refillPerSec: limiter.read.limits.refillPerSec, pageCost: limiter.costOf('GET', '/markets') };
}

/**
 * Requests worth having in flight: enough to spend the bucket's burst at once, and enough to keep its refill busy
 * over a round trip, whichever is more (a few more to cover the spread). More would only wait for tokens while
 * holding pages in memory.
 */
export function streamsFor(budget: ReadBudget, pageMs: number, max = MAX_STREAMS): number {
  const burst = Math.floor(budget.capacity / budget.pageCost);
  const sustained = Math.ceil((budget.refillPerSec / budget.pageCost) * (pageMs / 1000));
  return Math.max(4, Math.min(max, Math.max(burst, sustained) + 4));
}

interface Chain {
  min: number | undefined;
  max: number | undefined;
  /** Set by a split: stop once the cursor has passed this second (the newer part of a window: >= stopAt - 1). */
  stopAt: number | undefined;
  /** The newest created second this window's lineage started from (for splitting an open-ended remainder). */
  originS: number | undefined;
  cursor: string | undefined;
  readonly seenCursors: Set<string>;
  pages: number;
  records: number;
  /** Created second of the newest and of the oldest record seen. */
  firstS: number | undefined;
  lastS: number | undefined;
  lastMs: number;
  done: boolean;
  /** Stopped at a split with more pages behind its cursor. */
  parked: boolean;
}

export async function hydrateUniverse(source: MarketsPageSource, opts: HydrateOptions = {}): Promise<HydrateResult> {
  const started = performance.now();
  const nowMs = opts.nowMs ?? Date.now();
  const nowS = Math.floor(nowMs / 1000);
  const limit = opts.pageLimit ?? 1000;
  const profile = opts.profile && opts.profile.createdS.length > 0 ? opts.profile : null;
  const budget = opts.budget ?? budgetOf(source) ?? { capacity: 180, refillPerSec: 190, pageCost: 10 };
  const streams = Math.max(1, opts.streams ?? streamsFor(budget, profile?.pageMs ?? DEFAULT_PAGE_MS));
  // Oldest to newest; taken from the end, so the newest goes first: it is the one that grows between scans (and,
  // cold, the densest).
  const queue: Window[] = profile ? planFromProfile(profile, limit, nowMs) : planWindows(streams, nowS);
  const table = new MarketTable(Math.ceil((opts.expectedMarkets ?? profile?.createdS.length ?? 0) * 1.05) || 4096, opts.previousEvents ?? null);
  const stats = { pages: 0, skipped: 0, leaked: 0, duplicates: 0, repeatedCursors: 0, done: 0, splits: 0, resumed: 0, listed: 0 };
  const chains: Chain[] = [];
  let running = 0;
  let ordered = true;
  let bestPageMs = Number.POSITIVE_INFINITY;

  const report = () =>
    opts.onProgress?.({
      pages: stats.pages,
      markets: table.size,
      skipped: stats.skipped,
      elapsedMs: Math.round(performance.now() - started),
      streamsDone: stats.done,
      streams: chains.length,
    });

  // The scheduler sleeps until a page arrives or a walker ends, then starts what it can.
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  // One stream failing (after the client's retries) fails the scan: the others stop at their next page,
  // and the scan returns only when every stream has, so nothing keeps paging into the next cycle.
  let failure: { err: unknown } | null = null;
  const walk = async (ch: Chain, mayPark: boolean) => {
    while (!failure) {
      const t0 = performance.now();
      const page = await source.getMarketsPage({
        limit,
        status: 'open',
        mveFilter: 'exclude',
        ...(ch.min !== undefined ? { minCreatedTs: ch.min } : {}),
        ...(ch.max !== undefined ? { maxCreatedTs: ch.max } : {}),
        ...(ch.cursor ? { cursor: ch.cursor } : {}),
      });
      const ms = performance.now() - t0;
      if (ms < bestPageMs) bestPageMs = ms;
      stats.pages++;
      ch.pages++;
      stats.skipped += page.skipped;
      for (const m of page.markets) {
        // Newest first, or splits are not to be trusted (equal times are fine).
        if (m.createdMs > ch.lastMs) ordered = false;
        ch.lastMs = m.createdMs;
        const s = Math.floor(m.createdMs / 1000);
        ch.firstS ??= s;
        ch.lastS = s;
        ch.records++;
        stats.listed++;
        // Closed markets leak into the open chain, and a combo can slip past the filter: re-check locally.
        if (m.status !== 'active' || m.isCombo) {
          stats.leaked++;
          continue;
        }
        if (table.put(m)) stats.duplicates++;
      }
      report();
      if (!page.cursor) break;
      if (ch.seenCursors.has(page.cursor)) {
        // A garbage or looping cursor returns data forever: stop this stream rather than spin.
        stats.repeatedCursors++;
        break;
      }
      ch.seenCursors.add(page.cursor);
      ch.cursor = page.cursor;
      // Past the split: everything older is the other window's (the cursor is kept in case it must resume).
      if (mayPark && ch.stopAt !== undefined && ordered && ch.lastS !== undefined && ch.lastS <= ch.stopAt - 2) {
        ch.parked = true;
        return;
      }
      signal();
    }
  };

  const start = (w: Window, originS: number | undefined) => {
    const ch: Chain = {
      min: w.min,
      max: w.max,
      stopAt: undefined,
      originS,
      cursor: undefined,
      seenCursors: new Set(),
      pages: 0,
      records: 0,
      firstS: undefined,
      lastS: undefined,
      lastMs: Number.POSITIVE_INFINITY,
      done: false,
      parked: false,
    };
    chains.push(ch);
    running++;
    walk(ch, true)
      .catch((err: unknown) => {
        failure ??= { err };
      })
      .finally(() => {
        ch.done = true;
        running--;
        stats.done++;
        report();
        signal();
      });
  };

  /**
   * Split the running window with the most left behind its cursor (beyond the page already asked for): the older
   * part becomes a new window, the walker stops once its cursor passes the split. Null when no split is worth a
   * request (the profile or the walker's own density says little is left).
   */
  const split = (): { w: Window; originS: number | undefined } | null => {
    // A listing seen out of order (now, or by the scan the profile comes from) is never split.
    if (!ordered || profile?.ordered === false) return null;
    let best: { ch: Chain; at: number; left: number } | null = null;
    for (const ch of chains) {
      if (ch.done || ch.parked || ch.lastS === undefined || ch.firstS === undefined || ch.records < limit) continue;
      const c = ch.lastS;
      // The oldest second this walker must still cover.
      const low = ch.stopAt !== undefined ? ch.stopAt - 1 : ch.min !== undefined ? ch.min + 1 : undefined;
      if (low !== undefined && c - low < 4) continue;
      let at: number;
      let left: number;
      if (profile) {
        // The profile knows the remainder; scale it by how this window compares with it so far.
        const walked = profileCount(profile, c, ch.firstS);
        const drift = Math.min(4, Math.max(0.5, (ch.records + 1) / (walked + 1)));
        const lowIdx = low === undefined ? 0 : lowerBound(profile.createdS, low);
        const hiIdx = upperBound(profile.createdS, c) - Math.ceil(limit / drift); // after the page in flight
        left = (hiIdx - lowIdx) * drift;
        if (hiIdx - lowIdx < 2) continue;
        at = profile.createdS[lowIdx + Math.floor((hiIdx - lowIdx) / 2)]! + 1;
      } else {
        // Cold: this walker's own density says how far the page in flight reaches; split the rest where a
        // prior that thins with age (density ~ 1/sqrt(age)) puts half of it.
        const density = ch.records / Math.max(1, ch.firstS - c + 1);
        const next = c - Math.ceil(limit / density);
        if (low !== undefined) {
          if (next - low < 3) continue;
          const ageHi = Math.max(1, nowS - next);
          const ageLo = Math.max(ageHi + 1, nowS - low);
          at = Math.round(nowS - ((Math.sqrt(ageHi) + Math.sqrt(ageLo)) / 2) ** 2);
          left = density * (next - low);
        } else {
          // Open-ended: no telling how much is older; give the new window everything beyond twice what this
          // window's lineage has walked.
          const walkedSpan = Math.max(3_600, (ch.originS ?? ch.firstS) - next);
          at = next - walkedSpan;
          left = density * walkedSpan * 2;
        }
      }
      if (left < limit) continue;
      if (!best || left > best.left) best = { ch, at, left };
    }
    if (!best) return null;
    const { ch, at } = best;
    const low = ch.stopAt !== undefined ? ch.stopAt - 2 : ch.min;
    if (low !== undefined && at - low < 3) return null;
    if (ch.lastS === undefined || at > ch.lastS) return null;
    // The new window [low, at] surely holds seconds low+1 .. at-1; the walker covers everything >= at - 1.
    const w: Window = low === undefined ? { max: at } : { min: low, max: at };
    ch.stopAt = at;
    stats.splits++;
    return { w, originS: ch.originS ?? ch.firstS };
  };

  for (;;) {
    while (!failure && running < streams) {
      const next = queue.pop();
      if (next) {
        start(next, undefined);
        continue;
      }
      const s = split();
      if (!s) break;
      start(s.w, s.originS);
    }
    if (running === 0) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }

  // A split relied on newest-first order. If any page broke it, walk every stopped window to its end.
  if (!failure && !ordered) {
    const parked = chains.filter((c) => c.parked);
    stats.resumed = parked.length;
    await Promise.all(
      parked.map((ch) =>
        walk(ch, false).catch((err: unknown) => {
          failure ??= { err };
        }),
      ),
    );
  }
  if (failure) throw (failure as { err: unknown }).err;
  report();
  return {
    table,
    skipped: stats.skipped,
    leaked: stats.leaked,
    duplicates: stats.duplicates,
    pages: stats.pages,
    repeatedCursors: stats.repeatedCursors,
    windows: chains.length,
    splits: stats.splits,
    planned: profile ? 'profile' : 'prior',
    streams,
    ordered,
    resumed: stats.resumed,
    listed: stats.listed,
    profile: {
      createdS: table.createdSecondsSorted(),
      takenAtMs: nowMs,
      pageMs: Number.isFinite(bestPageMs) ? Math.round(bestPageMs) : (profile?.pageMs ?? null),
      ordered,
    },
    elapsedMs: Math.round(performance.now() - started),
  };
}
