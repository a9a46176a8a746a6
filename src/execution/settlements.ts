// Realized losses: positions opened on earlier days that settle today count against today's cap.
// (Positions opened today already count at their full cost, so only earlier days' cost is booked.)
import { type Clock, tradingDay } from '../clock.js';
import type { Settlement } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';
import type { Alerter } from '../notify/alerter.js';
import type { Alert, Mode } from '../notify/alerts.js';

export interface SettlementSource {
  getSettlements(params: { minTs?: number }): Promise<Settlement[]>;
}

interface SyncDeps {
  journal: Journal;
  clock: Clock;
  timeZone: string;
  source: SettlementSource;
  /** Tell the chat: each settled position, won or lost, with the day's realized P&L. */
  alerter?: Alerter;
  mode?: Mode;
}

/** No order passes the cap check on a ledger whose view of the exchange's settlements is older than this. */
export const SETTLEMENTS_FRESH_MS = 5_000;

/**
 * Keeps the ledger's view of settlements fresh: the cycle syncs at its start, and every order (a cycle's or an
 * approval's) syncs first when the last sync is older than a few seconds, so a loss that settled minutes ago is on
 * the ledger before the cap is checked. Each sync reads only what is new: from a few hours before the previous
 * sync's own start (a settlement can be listed a while after the time it carries; wire times never move the window).
 */
export class SettlementSync {
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: SyncDeps) {}

  async sync(): Promise<number> {
    const asOf = this.d.clock.now();
    const fromMs = Number.isFinite(this.lastMs) ? Math.max(asOf - FIRST_LOOKBACK_MS, this.lastMs - LISTING_LAG_MS) : asOf - FIRST_LOOKBACK_MS;
    const booked = await syncSettlements({ ...this.d, fromMs });
    this.lastMs = asOf;
    return booked;
  }

  /** Sync unless the view is at most `maxAgeMs` old. Throws when the exchange cannot be read: no order on a stale ledger. */
  async ensureFresh(maxAgeMs = SETTLEMENTS_FRESH_MS): Promise<void> {
    if (this.d.clock.now() - this.lastMs > maxAgeMs) await this.sync();
  }
}

/** The first sync (and any after a long gap) looks two days back: that covers the turn of the day in any zone. */
const FIRST_LOOKBACK_MS = 2 * 86_400_000;
/** How long after its settled time a settlement may first be listed, at most (generous: re-reads are deduped). */
const LISTING_LAG_MS = 6 * 3_600_000;

/**
 * Book each new settlement once; returns the loss booked today (e4). The records are input: a settled time outside
 * the window asked for (or in the future) is clamped into it for the day it counts on, and revenue is bounded by $1
 * for every contract the journal holds on the side that won (a larger revenue would hide a loss).
 */
export async function syncSettlements(d: SyncDeps & { fromMs?: number }): Promise<number> {
  const now = d.clock.now();
  const today = tradingDay(now, d.timeZone);
  const { orders, settlements: ledger } = d.journal;
  const fromMs = d.fromMs ?? now - FIRST_LOOKBACK_MS;
  const settlements = await d.source.getSettlements({ minTs: Math.floor(fromMs / 1000) });
  let booked = 0;
  const told: Extract<Alert, { kind: 'settlement' }>[] = [];
  d.journal.tx(() => {
    for (const s of settlements) {
      if (ledger.has(s.ticker, s.settledMs)) continue;
      const day = tradingDay(Math.min(now, Math.max(fromMs, s.settledMs)), d.timeZone);
      // Only what no longer counts on the settlement's day (an order final that day already counts there).
      const cost = orders.costFinalBefore(s.ticker, day);
      // Contracts held on the side that won (or on either side when the result is not a plain yes/no).
      const side = s.marketResult === 'yes' || s.marketResult === 'no' ? s.marketResult : null;
      const maxRevenueE4 = orders.heldE2(s.ticker, side) * 100; // $1 a winning contract (100 e2 -> 10000 e4)
      const revenueE4 = Math.min(Math.max(0, s.revenueE4), maxRevenueE4);
      // Revenue is credited to the earlier cost first: the loss booked is never more than what was really lost.
      const loss = Math.max(0, cost - revenueE4);
      ledger.insert({ ticker: s.ticker, settledMs: s.settledMs, day, revenueE4, costE4: cost, lossE4: loss, exchangeIndex: s.exchangeIndex });
      const heldE2 = orders.heldE2(s.ticker, null);
      if (d.alerter && d.mode && heldE2 > 0) {
        const pos = orders.positionOf(s.ticker);
        told.push({
          kind: 'settlement',
          mode: d.mode,
          ticker: s.ticker,
          title: pos.title,
          result: s.marketResult ?? 'unknown',
          side: pos.side,
          contractsE2: heldE2,
          revenueE4,
          costE4: pos.costE4,
          day,
          dayRealizedE4: 0,
        });
      }
      if (loss > 0) {
        orders.addRealizedLoss(day, loss);
        if (day === today) booked += loss;
      }
    }
  });
  // The day's realized P&L: revenue minus the whole cost of every position settled that day (fees included).
  for (const t of told) {
    t.dayRealizedE4 = ledger.onDay(t.day).reduce((a, x) => a + x.revenueE4 - orders.positionOf(x.ticker).costE4, 0);
    d.alerter!.send(t);
  }
  return booked;
}
