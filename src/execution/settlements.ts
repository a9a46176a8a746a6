// Realized losses: positions opened on earlier days that settle today count against today's cap.
// (Positions opened today already count at their full cost, so only earlier days' cost is booked.)
import { type Clock, tradingDay } from '../clock.js';
import type { Settlement } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';

export interface SettlementSource {
  getSettlements(params: { minTs?: number }): Promise<Settlement[]>;
}

/** Book each new settlement once; returns the loss booked today (e4). */
export async function syncSettlements(d: { journal: Journal; clock: Clock; timeZone: string; source: SettlementSource }): Promise<number> {
  const now = d.clock.now();
  const today = tradingDay(now, d.timeZone);
  // Two days back covers the turn of the day in any time zone.
  const settlements = await d.source.getSettlements({ minTs: Math.floor(now / 1000) - 2 * 86_400 });
  const db = d.journal.db;
  const seen = db.prepare('SELECT 1 FROM settlements WHERE ticker = ? AND settled_at = ?');
  const costBefore = db.prepare(
    `SELECT COALESCE(SUM(fill_cost_e4 + fees_e4), 0) AS c FROM orders WHERE ticker = ? AND day < ? AND filled_e2 > 0 AND state != 'paper'`,
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
