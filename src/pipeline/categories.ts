// Categories and fee rules come from series (market -> event -> series). Series change rarely: the list (and its
// scheduled fee changes) is cached and refreshed slowly; an event's series never changes, so it is looked up
// once, and only for candidates. An event's own fee override is read for the markets about to be ordered.
import type { Clock } from '../clock.js';
import type { Event, Series, SeriesFeeChange } from '../kalshi/schemas.js';
import type { FeeSchedule } from '../money.js';
import { seriesPrefix } from '../rules/tickers.js';

export interface CategorySource {
  getSeries(): Promise<{ series: Series[] }>;
  getEvent(eventTicker: string): Promise<Event>;
  getSeriesFeeChanges?(): Promise<{ changes: SeriesFeeChange[] }>;
}

/** How long an event's fee override is trusted before it is read again. */
const EVENT_FEE_TTL_MS = 3_600_000;

export class CategoryCache {
  private series = new Map<string, Series>();
  private seriesLoadedAt = -Infinity;
  private feeChanges = new Map<string, SeriesFeeChange[]>();
  private readonly eventSeries = new Map<string, { seriesTicker: string; category: string | null }>();
  private readonly eventFees = new Map<string, { at: number; feeType: string | null; multiplierE4: number | null }>();
  /**
   * Answers kept across cycles, per event ticker: a cycle asks for thousands of events, nearly all asked the cycle
   * before, and each answer is a few lookups and a slice. An answer is dropped when what it was read from changes
   * (the series list, the fee changes, the event's own record), and a fee answer holds only within the times it is
   * the same for (a scheduled change's date, and that date less the horizon, end it).
   */
  private readonly categoryMemo = new Map<string, string | undefined>();
  /** Events whose series is known (a new series list may drop one: emptied with it). */
  private readonly knownEvents = new Set<string>();
  private readonly feeMemo = new Map<number, Map<string, { fromMs: number; untilMs: number; fee: FeeSchedule | null }>>();

  constructor(
    private readonly source: CategorySource,
    private readonly clock: Clock,
    private readonly opts: { seriesTtlMs?: number; concurrency?: number } = {},
  ) {}

  /** Make categories known for these events. Failures leave them unknown (validation then decides). */
  async ensure(eventTickers: Iterable<string>): Promise<void> {
    if (this.clock.now() - this.seriesLoadedAt > (this.opts.seriesTtlMs ?? 6 * 3_600_000)) {
      let read = false;
      try {
        const { series } = await this.source.getSeries();
        this.series = new Map(series.map((s) => [s.ticker, s]));
        this.seriesLoadedAt = this.clock.now();
        read = true;
      } catch {
        // Keep the stale list; retry next cycle.
      }
      try {
        const changes = (await this.source.getSeriesFeeChanges?.())?.changes ?? [];
        const bySeries = new Map<string, SeriesFeeChange[]>();
        for (const c of changes) bySeries.set(c.seriesTicker, [...(bySeries.get(c.seriesTicker) ?? []), c]);
        for (const list of bySeries.values()) list.sort((a, b) => a.scheduledMs - b.scheduledMs);
        this.feeChanges = bySeries;
        read = true;
      } catch {
        // Keep what was known.
      }
      // Either list read anew may have changed what any kept answer was read from.
      if (read) this.forgetAll();
    }
    // Event tickers are SERIES-SUFFIX by Kalshi's convention: the series list answers almost all of them
    // in one request; only the rest are looked up one event at a time.
    // Thousands of events a cycle, nearly all known: one pass, no set or array built for them.
    const queue: string[] = [];
    let seen: Set<string> | null = null;
    const known = this.knownEvents;
    for (const t of eventTickers) {
      if (known.has(t)) continue;
      if (this.eventSeries.has(t) || this.series.has(seriesPrefix(t))) {
        if (known.size >= MEMO_LIMIT) known.clear();
        known.add(t);
        continue;
      }
      seen ??= new Set();
      if (seen.has(t)) continue;
      seen.add(t);
      queue.push(t);
    }
    if (queue.length === 0) return;
    const worker = async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
        try {
          const e = await this.source.getEvent(t);
          // The same answer carries the event's fee override: no second read when it is ordered.
          this.learnEvent(t, e);
        } catch {
          // Unknown for now.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, queue.length) }, worker));
  }

  /** Read the events' own fee overrides (only for markets about to be ordered: one request per event, cached). */
  async ensureEventFees(eventTickers: Iterable<string>): Promise<void> {
    const now = this.clock.now();
    const queue = [...new Set(eventTickers)].filter((t) => now - (this.eventFees.get(t)?.at ?? -Infinity) > EVENT_FEE_TTL_MS);
    const worker = async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
        try {
          const e = await this.source.getEvent(t);
          this.learnEvent(t, e);
        } catch {
          // The series' rule applies; the next order here asks again.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, queue.length) }, worker));
  }

  /** Every category the exchange's series name (known once the series list has been read), sorted. */
  knownCategories(): string[] {
    return [...new Set([...this.series.values()].map((s) => s.category).filter((c): c is string => !!c))].sort((a, b) => a.localeCompare(b));
  }

  private learnEvent(t: string, e: Event): void {
    this.eventSeries.set(t, { seriesTicker: e.seriesTicker, category: e.category });
    this.eventFees.set(t, { at: this.clock.now(), feeType: e.feeTypeOverride, multiplierE4: e.feeMultiplierOverrideE4 });
    this.categoryMemo.delete(t);
    for (const m of this.feeMemo.values()) m.delete(t);
  }

  private forgetAll(): void {
    this.knownEvents.clear();
    this.categoryMemo.clear();
    this.feeMemo.clear();
  }

  categoryOf(eventTicker: string): string | undefined {
    const memo = this.categoryMemo;
    const kept = memo.get(eventTicker);
    if (kept !== undefined || memo.has(eventTicker)) return kept;
    const category = this.readCategory(eventTicker);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(eventTicker, category);
    return category;
  }

  private readCategory(eventTicker: string): string | undefined {
    // The event's own series where it has been read, else the ticker's prefix (no object built: thousands a cycle).
    const e = this.eventSeries.get(eventTicker);
    const series = this.series.get(e ? e.seriesTicker : seriesPrefix(eventTicker));
    return series?.category || e?.category || undefined;
  }

  /**
   * The fee rule an order placed at `nowMs` can be charged under until `nowMs + horizonMs`: the series' own, replaced
   * by its latest scheduled change that has taken effect, the highest of that and any change due within the horizon
   * (an order resting across the change pays the new fee), then the event's override where it has one.
   * Null (fail closed) when the series is not known or its fee type is not one we can bound.
   */
  feeOf(eventTicker: string, nowMs: number, horizonMs = 0): FeeSchedule | null {
    let memo = this.feeMemo.get(horizonMs);
    if (!memo) {
      // One table per horizon asked with (the cycle's, and 0 for the shadow book and the calibration).
      if (this.feeMemo.size >= 4) this.feeMemo.clear();
      memo = new Map();
      this.feeMemo.set(horizonMs, memo);
    }
    const kept = memo.get(eventTicker);
    if (kept !== undefined && kept.fromMs <= nowMs && nowMs < kept.untilMs) return kept.fee;
    const read = this.readFee(eventTicker, nowMs, horizonMs);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(eventTicker, read);
    return read.fee;
  }

  /** The fee rule at `nowMs`, and the times around it it holds for (no scheduled change's date, or date less the horizon, between). */
  private readFee(eventTicker: string, nowMs: number, horizonMs: number): { fromMs: number; untilMs: number; fee: FeeSchedule | null } {
    const e = this.eventSeries.get(eventTicker);
    const seriesTicker = e ? e.seriesTicker : seriesPrefix(eventTicker);
    const series = this.series.get(seriesTicker);
    if (!series) return { fromMs: -Infinity, untilMs: Infinity, fee: null };
    let fee: FeeSchedule = { feeType: series.feeType, multiplierE4: series.feeMultiplierE4 };
    let fromMs = -Infinity;
    let untilMs = Infinity;
    for (const c of this.feeChanges.get(seriesTicker) ?? []) {
      const change = { feeType: c.feeType, multiplierE4: c.feeMultiplierE4 };
      if (c.scheduledMs <= nowMs) fee = change;
      else if (c.scheduledMs <= nowMs + horizonMs) fee = higherFee(fee, change);
      // The answer turns where either comparison above turns: at the date, and at the date less the horizon.
      for (const turn of [c.scheduledMs, c.scheduledMs - horizonMs]) {
        if (turn <= nowMs) fromMs = Math.max(fromMs, turn);
        else untilMs = Math.min(untilMs, turn);
      }
    }
    const ev = this.eventFees.get(eventTicker);
    if (ev) fee = { feeType: ev.feeType ?? fee.feeType, multiplierE4: ev.multiplierE4 ?? fee.multiplierE4 };
    // Above about 14x, price + fee stops rising with the price and the worst case would no longer be at the limit.
    const known = KNOWN_FEE_TYPES.has(fee.feeType) && fee.multiplierE4 <= MAX_FEE_MULTIPLIER_E4;
    return { fromMs, untilMs, fee: known ? fee : null };
  }

  /** Whether the event's own fee rule (or its absence) has been read recently. */
  eventFeeKnown(eventTicker: string): boolean {
    return this.clock.now() - (this.eventFees.get(eventTicker)?.at ?? -Infinity) <= EVENT_FEE_TTL_MS;
  }
}

/** Kept answers per table before it is emptied (events come and go: a day's new events must not grow it forever). */
const MEMO_LIMIT = 200_000;

/** Multipliers seen are 0.5-2; beyond 10x the fee rule is not trusted (fail closed). */
const MAX_FEE_MULTIPLIER_E4 = 100_000;

/** The fee types whose worst case we can bound (flat conservatively, its formula being unpublished). */
const KNOWN_FEE_TYPES = new Set(['quadratic', 'quadratic_with_maker_fees', 'flat']);

/** A rule charging at least as much as either: flat above quadratic, maker fees above none, the larger multiplier. */
function higherFee(a: FeeSchedule, b: FeeSchedule): FeeSchedule {
  const types = [a.feeType, b.feeType];
  const feeType = types.includes('flat') ? 'flat' : types.includes('quadratic_with_maker_fees') ? 'quadratic_with_maker_fees' : a.feeType;
  return { feeType, multiplierE4: Math.max(a.multiplierE4, b.multiplierE4) };
}

