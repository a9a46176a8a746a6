// Categories come from series (market -> event -> series). Series change rarely: the list is cached and
// refreshed slowly; an event's series never changes, so it is looked up once, and only for candidates.
import type { Clock } from '../clock.js';
import type { Event, Series } from '../kalshi/schemas.js';

export interface CategorySource {
  getSeries(): Promise<{ series: Series[] }>;
  getEvent(eventTicker: string): Promise<Event>;
}

export class CategoryCache {
  private series = new Map<string, Series>();
  private seriesLoadedAt = -Infinity;
  private readonly eventSeries = new Map<string, { seriesTicker: string; category: string | null }>();

  constructor(
    private readonly source: CategorySource,
    private readonly clock: Clock,
    private readonly opts: { seriesTtlMs?: number; concurrency?: number } = {},
  ) {}

  /** Make categories known for these events. Failures leave them unknown (validation then decides). */
  async ensure(eventTickers: Iterable<string>): Promise<void> {
    if (this.clock.now() - this.seriesLoadedAt > (this.opts.seriesTtlMs ?? 6 * 3_600_000)) {
      try {
        const { series } = await this.source.getSeries();
        this.series = new Map(series.map((s) => [s.ticker, s]));
        this.seriesLoadedAt = this.clock.now();
      } catch {
        // Keep the stale list; retry next cycle.
      }
    }
    // Event tickers are SERIES-SUFFIX by Kalshi's convention: the series list answers almost all of them
    // in one request; only the rest are looked up one event at a time.
    const missing = [...new Set(eventTickers)].filter((t) => !this.eventSeries.has(t) && !this.series.has(seriesPrefix(t)));
    const queue = [...missing];
    const worker = async () => {
      for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
        try {
          const e = await this.source.getEvent(t);
          this.eventSeries.set(t, { seriesTicker: e.seriesTicker, category: e.category });
        } catch {
          // Unknown for now.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, queue.length) }, worker));
  }

  private seriesOf(eventTicker: string): { series: Series | undefined; eventCategory: string | null } {
    const e = this.eventSeries.get(eventTicker);
    if (e) return { series: this.series.get(e.seriesTicker), eventCategory: e.category };
    return { series: this.series.get(seriesPrefix(eventTicker)), eventCategory: null };
  }

  categoryOf(eventTicker: string): string | undefined {
    const { series, eventCategory } = this.seriesOf(eventTicker);
    return series?.category || eventCategory || undefined;
  }

  feeMultiplierOf(eventTicker: string): number | undefined {
    return this.seriesOf(eventTicker).series?.feeMultiplierE4;
  }
}

export const seriesPrefix = (eventTicker: string): string => eventTicker.split('-', 1)[0]!;
