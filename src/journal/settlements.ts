// Settlements booked from the exchange's list: each (ticker, settled time) once.
import type { Db } from './db.js';

export interface NewSettlement {
  ticker: string;
  settledMs: number;
  day: string;
  revenueE4: number;
  costE4: number;
  lossE4: number;
  exchangeIndex: number | null;
}

export class SettlementsJournal {
  constructor(private readonly db: Db) {}

  has(ticker: string, settledMs: number): boolean {
    return this.db.prepare('SELECT 1 FROM settlements WHERE ticker = ? AND settled_at = ?').get(ticker, settledMs) !== undefined;
  }

  /** The settlements booked for a trading day. */
  onDay(day: string): { ticker: string; revenueE4: number }[] {
    return this.db.prepare('SELECT ticker, revenue_e4 AS revenueE4 FROM settlements WHERE day = ? ORDER BY settled_at').all(day) as { ticker: string; revenueE4: number }[];
  }

  insert(s: NewSettlement): void {
    this.db
      .prepare('INSERT INTO settlements (ticker, settled_at, day, revenue_e4, cost_e4, loss_e4, exchange_index) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(s.ticker, s.settledMs, s.day, s.revenueE4, s.costE4, s.lossE4, s.exchangeIndex);
  }
}
