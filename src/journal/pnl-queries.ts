// Read-only queries behind the P&L commands (/pnl, /profit, /daily, /performance, /positions, /balance).
// Money stays integer e4 and counts e2; what they mean is decided in src/control/pnl.ts.
//
// Real money only: paper rows (a dry run's fills, state 'paper') never reached the exchange, so no settlement exists
// for them; every query here leaves them out except the paper* ones, which report them apart.
import { z } from 'zod';
import type { Db } from './db.js';

/** One settled market the bot traded with real money: what the exchange paid for it and what the bot paid. */
export const SettledMarketRow = z.object({
  ticker: z.string(),
  /** The market's title as the journal's newest order on it recorded it ('' when none was). */
  title: z.string(),
  settled_at: z.number().int(),
  /** The trading day the settlement was booked on (the configured TIMEZONE). */
  day: z.string(),
  /** What the settlement paid (bounded when booked: $1 a contract held on the winning side). */
  revenue_e4: z.number().int(),
  /** What the bot's filled orders on the market cost, fees apart (every day, not only earlier days). */
  cost_e4: z.number().int(),
  fees_e4: z.number().int(),
  orders: z.number().int(),
  filled_e2: z.number().int(),
  exchange_index: z.number().int().nullable(),
});
export type SettledMarketRow = z.infer<typeof SettledMarketRow>;

export interface FillDayRow {
  day: string;
  orders: number;
  filled_e2: number;
  cost_e4: number;
  fees_e4: number;
}

export interface TradeTotals {
  orders: number;
  markets: number;
  filled_e2: number;
  cost_e4: number;
  fees_e4: number;
  first_at: number | null;
  last_at: number | null;
}

/** A market held by the bot's paper (dry-run) fills: per side. */
export interface PaperHolding {
  ticker: string;
  title: string;
  side: 'yes' | 'no';
  filled_e2: number;
  cost_e4: number;
  fees_e4: number;
  last_at: number;
}

/** The bot's filled, non-paper orders per market. */
const BOT_MARKETS = `
  SELECT ticker, COUNT(*) AS orders, SUM(filled_e2) AS filled_e2, SUM(fill_cost_e4) AS cost_e4, SUM(fees_e4) AS fees_e4
  FROM orders WHERE filled_e2 > 0 AND state != 'paper' GROUP BY ticker`;

export class PnlQueries {
  constructor(private readonly db: Db) {}

  /**
   * Every market the bot bought with real money that has settled, oldest settlement first (from `fromDay` on when
   * given). A market settles once: should the exchange list a second record for it (another settled time), only the
   * first counts, so a market's revenue and cost are never counted twice.
   */
  settledMarkets(fromDay?: string): SettledMarketRow[] {
    const rows = this.db
      .prepare(
        `WITH bot AS (${BOT_MARKETS}),
         firsts AS (
           SELECT ticker, settled_at, day, revenue_e4, exchange_index,
                  ROW_NUMBER() OVER (PARTITION BY ticker ORDER BY settled_at) AS n
           FROM settlements)
         SELECT s.ticker,
                COALESCE((SELECT title FROM orders o WHERE o.ticker = s.ticker ORDER BY o.id DESC LIMIT 1), '') AS title,
                s.settled_at, s.day, s.revenue_e4, bot.cost_e4, bot.fees_e4, bot.orders, bot.filled_e2, s.exchange_index
         FROM firsts s JOIN bot ON bot.ticker = s.ticker
         WHERE s.n = 1 AND (@fromDay IS NULL OR s.day >= @fromDay)
         ORDER BY s.settled_at, s.ticker`,
      )
      .all({ fromDay: fromDay ?? null });
    return rows.map((r) => SettledMarketRow.parse(r));
  }

  /** Markets the bot holds real fills in that have not settled yet: how many, and what they cost (fees apart). */
  openMarkets(): { markets: number; cost_e4: number; fees_e4: number } {
    return this.db
      .prepare(
        `WITH bot AS (${BOT_MARKETS})
         SELECT COUNT(*) AS markets, COALESCE(SUM(cost_e4), 0) AS cost_e4, COALESCE(SUM(fees_e4), 0) AS fees_e4
         FROM bot WHERE NOT EXISTS (SELECT 1 FROM settlements s WHERE s.ticker = bot.ticker)`,
      )
      .get() as { markets: number; cost_e4: number; fees_e4: number };
  }

  /** Filled, non-paper orders per trading day they were placed on, from `fromDay` on, oldest first. */
  fillsByDay(fromDay: string): FillDayRow[] {
    return this.db
      .prepare(
        `SELECT day, COUNT(*) AS orders, SUM(filled_e2) AS filled_e2, SUM(fill_cost_e4) AS cost_e4, SUM(fees_e4) AS fees_e4
         FROM orders WHERE filled_e2 > 0 AND state != 'paper' AND day >= ? GROUP BY day ORDER BY day`,
      )
      .all(fromDay) as FillDayRow[];
  }

  /** Every filled, non-paper order since the journal began. */
  tradeTotals(): TradeTotals {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS orders, COUNT(DISTINCT ticker) AS markets, COALESCE(SUM(filled_e2), 0) AS filled_e2,
                COALESCE(SUM(fill_cost_e4), 0) AS cost_e4, COALESCE(SUM(fees_e4), 0) AS fees_e4,
                MIN(created_at) AS first_at, MAX(created_at) AS last_at
         FROM orders WHERE filled_e2 > 0 AND state != 'paper'`,
      )
      .get() as TradeTotals;
  }

  /** Every paper (dry-run) fill since the journal began: reported apart, never as money. */
  paperTotals(): TradeTotals {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS orders, COUNT(DISTINCT ticker) AS markets, COALESCE(SUM(filled_e2), 0) AS filled_e2,
                COALESCE(SUM(fill_cost_e4), 0) AS cost_e4, COALESCE(SUM(fees_e4), 0) AS fees_e4,
                MIN(created_at) AS first_at, MAX(created_at) AS last_at
         FROM orders WHERE filled_e2 > 0 AND state = 'paper'`,
      )
      .get() as TradeTotals;
  }

  /** Paper holdings per market and side bought since `sinceMs`, newest first, at most `limit`. */
  paperHoldings(sinceMs: number, limit: number): PaperHolding[] {
    return this.db
      .prepare(
        `SELECT ticker, side,
                COALESCE((SELECT title FROM orders o WHERE o.ticker = p.ticker ORDER BY o.id DESC LIMIT 1), '') AS title,
                SUM(filled_e2) AS filled_e2, SUM(fill_cost_e4) AS cost_e4, SUM(fees_e4) AS fees_e4, MAX(created_at) AS last_at
         FROM orders p WHERE state = 'paper' AND filled_e2 > 0 AND created_at >= ?
         GROUP BY ticker, side ORDER BY last_at DESC, ticker LIMIT ?`,
      )
      .all(sinceMs, limit) as PaperHolding[];
  }

  /** The newest title the journal recorded for each of these markets (those it has one for). */
  titles(tickers: readonly string[]): Map<string, string> {
    const get = this.db.prepare(`SELECT title FROM orders WHERE ticker = ? AND title != '' ORDER BY id DESC LIMIT 1`);
    const out = new Map<string, string>();
    for (const t of new Set(tickers)) {
      const row = get.get(t) as { title: string } | undefined;
      if (row) out.set(t, row.title);
    }
    return out;
  }

  /** Every change of the daily cap, oldest first (values are the settings' JSON: integer e4). */
  capChanges(): { changed_at: number; old_value: string | null; new_value: string }[] {
    return this.db
      .prepare(`SELECT changed_at, old_value, new_value FROM settings_audit WHERE name = 'dailyCapE4' ORDER BY changed_at, id`)
      .all() as { changed_at: number; old_value: string | null; new_value: string }[];
  }
}
