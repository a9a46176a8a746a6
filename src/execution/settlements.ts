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
 * the ledger before the cap is checked. Each sync reads only what is new: from a few hours before the previous
 * sync's own start (a settlement can be listed a while after the time it carries; wire times never move the window).
 */
export class SettlementSync {
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: { journal: Journal; clock: Clock; timeZone: string; source: SettlementSource }) {}

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
export async function syncSettlements(d: { journal: Journal; clock: Clock; timeZone: string; source: SettlementSource; fromMs?: number }): Promise<number> {
  const now = d.clock.now();
  const today = tradingDay(now, d.timeZone);
  const db = d.journal.db;
  const fromMs = d.fromMs ?? now - FIRST_LOOKBACK_MS;
  const settlements = await d.source.getSettlements({ minTs: Math.floor(fromMs / 1000) });
  const seen = db.prepare('SELECT 1 FROM settlements WHERE ticker = ? AND settled_at = ?');
  const costBefore = db.prepare(
    // Only what no longer counts on the settlement's day (an order final that day already counts there).
    `SELECT COALESCE(SUM(fill_cost_e4 + fees_e4), 0) AS c FROM orders WHERE ticker = ? AND final = 1 AND final_day < ? AND filled_e2 > 0 AND state != 'paper'`,
  );
  // Contracts held on the side that won (or on either side when the result is not a plain yes/no).
  const held = db.prepare(
    `SELECT COALESCE(SUM(filled_e2), 0) AS n FROM orders WHERE ticker = @ticker AND filled_e2 > 0 AND state != 'paper' AND (@side IS NULL OR side = @side)`,
  );
  const insert = db.prepare('INSERT INTO settlements (ticker, settled_at, day, revenue_e4, cost_e4, loss_e4, exchange_index) VALUES (?, ?, ?, ?, ?, ?, ?)');
  let booked = 0;
  d.journal.tx(() => {
    for (const s of settlements) {
      if (seen.get(s.ticker, s.settledMs)) continue;
      const day = tradingDay(Math.min(now, Math.max(fromMs, s.settledMs)), d.timeZone);
      const cost = (costBefore.get(s.ticker, day) as { c: number }).c;
      const side = s.marketResult === 'yes' || s.marketResult === 'no' ? s.marketResult : null;
      const maxRevenueE4 = (held.get({ ticker: s.ticker, side }) as { n: number }).n * 100; // $1 a winning contract (100 e2 -> 10000 e4)
      const revenueE4 = Math.min(Math.max(0, s.revenueE4), maxRevenueE4);
      // Revenue is credited to the earlier cost first: the loss booked is never more than what was really lost.
      const loss = Math.max(0, cost - revenueE4);
      insert.run(s.ticker, s.settledMs, day, revenueE4, cost, loss, s.exchangeIndex);
      if (loss > 0) {
        d.journal.orders.addRealizedLoss(day, loss);
        if (day === today) booked += loss;
      }
    }
  });
  return booked;
}
