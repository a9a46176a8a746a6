// Realized losses: positions opened on earlier days that settle today count against today's cap.
// (Positions opened today already count at their full cost, so only earlier days' cost is booked.)
import { type Clock, tradingDay } from '../clock.js';
import type { Settlement } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';

export interface SettlementSource {
  getSettlements(params: { minTs?: number }): Promise<Settlement[]>;
}

/** No order passes the cap check on a ledger whose view of the exchange's settlements is older than this. */
export const SETTLEMENTS_FRESH_MS = 5_000;

/**
 * Keeps the ledger's view of settlements fresh: the cycle syncs at its start, and every order (a cycle's or an
 * approval's) syncs first when the last sync is older than a few seconds, so a loss that settled minutes ago is on
 * the ledger before the cap is checked. Each sync reads only what is new (from a little before the latest one seen).
 */
export class SettlementSync {
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: { journal: Journal; clock: Clock; timeZone: string; source: SettlementSource }) {}

  async sync(): Promise<number> {
    const asOf = this.d.clock.now();
    const booked = await syncSettlements(this.d);
    this.lastMs = asOf;
    return booked;
  }

  /** Sync unless the view is at most `maxAgeMs` old. Throws when the exchange cannot be read: no order on a stale ledger. */
  async ensureFresh(maxAgeMs = SETTLEMENTS_FRESH_MS): Promise<void> {
    if (this.d.clock.now() - this.lastMs > maxAgeMs) await this.sync();
  }
}

/** Settlements can be listed a little after the time they carry: look back this far behind the latest one seen. */
const SETTLED_LOOKBACK_MS = 10 * 60_000;

/** Book each new settlement once; returns the loss booked today (e4). */
export async function syncSettlements(d: { journal: Journal; clock: Clock; timeZone: string; source: SettlementSource }): Promise<number> {
  const now = d.clock.now();
  const today = tradingDay(now, d.timeZone);
  const db = d.journal.db;
  // Two days back covers the turn of the day in any time zone; after the first sync, only what is new.
  const latest = (db.prepare('SELECT MAX(settled_at) AS t FROM settlements').get() as { t: number | null }).t;
  const fromMs = Math.max(now - 2 * 86_400_000, latest === null ? 0 : latest - SETTLED_LOOKBACK_MS);
  const settlements = await d.source.getSettlements({ minTs: Math.floor(fromMs / 1000) });
  const seen = db.prepare('SELECT 1 FROM settlements WHERE ticker = ? AND settled_at = ?');
  const costBefore = db.prepare(
    // Only what no longer counts on the settlement's day (an order final that day already counts there).
    `SELECT COALESCE(SUM(fill_cost_e4 + fees_e4), 0) AS c FROM orders WHERE ticker = ? AND final = 1 AND final_day < ? AND filled_e2 > 0 AND state != 'paper'`,
  );
  const insert = db.prepare('INSERT INTO settlements (ticker, settled_at, day, revenue_e4, cost_e4, loss_e4, exchange_index) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let booked = 0;
  d.journal.tx(() => {
    for (const s of settlements) {
      if (seen.get(s.ticker, s.settledMs)) continue;
      const day = tradingDay(s.settledMs, d.timeZone);
      const cost = (costBefore.get(s.ticker, day) as { c: number }).c;
      // Revenue is credited to the earlier cost first: the loss booked is never more than what was really lost.
      const loss = Math.max(0, cost - s.revenueE4);
      insert.run(s.ticker, s.settledMs, day, s.revenueE4, cost, loss, s.exchangeIndex);
      if (loss > 0) {
        d.journal.orders.addRealizedLoss(day, loss);
        if (day === today) booked += loss;
      }
    }
  });
  return booked;
}
