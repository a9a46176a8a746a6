// Categories (or series, where the category is unknown) the exchange refused with a 403 today, e.g. because the
// key's location attestation lapsed: not tried again until the trading day turns. Shared by the cycle and approvals.
import type { Market } from '../kalshi/market-schema.js';
import { seriesPrefix } from './tickers.js';

export class DayBlocklist {
  private readonly reasons = new Map<string, string>();
  private day = '';

  /** Why this market is not traded today, or null. */
  reason(m: Pick<Market, 'eventTicker'>, category: string | undefined, day: string): string | null {
    this.turn(day);
    // Nearly always empty: no key to build for each of thousands of markets a cycle.
    if (this.reasons.size === 0) return null;
    return this.reasons.get(keyOf(m, category)) ?? null;
  }

  /** Block the market's category (or series) for the rest of `day`; returns what was blocked, for the alert. */
  block(m: Pick<Market, 'eventTicker'>, category: string | undefined, why: string, day: string): { key: string; what: string } {
    this.turn(day);
    const key = keyOf(m, category);
    const what = category ? `category ${category}` : `series ${seriesPrefix(m.eventTicker)}`;
    this.reasons.set(key, `${what} refused by the exchange today (403 ${why}); tried again tomorrow`);
    return { key, what };
  }

  private turn(day: string): void {
    if (this.day === day) return;
    this.reasons.clear();
    this.day = day;
  }
}

const keyOf = (m: Pick<Market, 'eventTicker'>, category: string | undefined): string => (category ? `category:${category.toLowerCase()}` : `series:${seriesPrefix(m.eventTicker)}`);
