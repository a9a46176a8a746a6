// Order intents and their life on the exchange. The risk ledger is derived from these rows,
// so the cap survives restarts without any state held in memory.
import { z } from 'zod';
import { tradingDay } from '../clock.js';
import type { Db } from './db.js';

export const OrderState = z.enum(['intent', 'sent', 'resting', 'executed', 'canceled', 'rejected', 'paper']);
export type OrderState = z.infer<typeof OrderState>;
export const FINAL_STATES: readonly OrderState[] = ['executed', 'canceled', 'rejected', 'paper'];

export const OrderRow = z.object({
  id: z.number().int(),
  client_order_id: z.string(),
  cycle_id: z.number().int().nullable(),
  approval_id: z.number().int().nullable(),
  mode: z.string(),
  day: z.string(),
  ticker: z.string(),
  title: z.string(),
  side: z.enum(['yes', 'no']),
  count_e2: z.number().int(),
  price_e4: z.number().int(),
  worst_case_e4: z.number().int(),
  state: OrderState,
  final: z.number().int(),
  exchange_order_id: z.string().nullable(),
  filled_e2: z.number().int(),
  fill_cost_e4: z.number().int(),
  fees_e4: z.number().int(),
  error: z.string().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
  exchange_index: z.number().int(),
  report_flag: z.string().nullable(),
  /** The trading day the order became final on (null while unfinished). */
  final_day: z.string().nullable(),
  /** The after-fee break-even win rate at the order's price, and the calibrated edge (lower bound - break-even), e4. */
  break_even_e4: z.number().int().nullable().default(null),
  edge_e4: z.number().int().nullable().default(null),
  /** taker: limit at the ask; maker: post-only, resting at the bid (ORDER_STYLE). */
  style: z.enum(['taker', 'maker']).default('taker'),
});
export type OrderRow = z.infer<typeof OrderRow>;

export interface NewIntent {
  clientOrderId: string;
  cycleId: number | null;
  approvalId: number | null;
  mode: string;
  day: string;
  ticker: string;
  title: string;
  side: 'yes' | 'no';
  countE2: number;
  priceE4: number;
  worstCaseE4: number;
  exchangeIndex: number;
  now: number;
  breakEvenE4?: number | null;
  edgeE4?: number | null;
  style?: 'taker' | 'maker';
}

export interface OrderProgress {
  state: OrderState;
  exchangeOrderId?: string | null;
  filledE2?: number;
  fillCostE4?: number;
  feesE4?: number;
  error?: string | null;
  /** The exchange reported something impossible about this order: what, for the journal. */
  reportFlag?: string | null;
}

export class OrdersJournal {
  constructor(
    private readonly db: Db,
    /** The zone whose midnight turns the trading day (orders become final on a day of this zone). */
    private readonly timeZone: string,
  ) {}

  /**
   * Money at risk on a trading day: realized losses booked that day, plus every order placed on or before it that
   * was not final before it: at its worst case while unfinished (it may still fill completely, today), at what it
   * actually spent once final. An order counts on every day from the one it was placed on to the one it became final
   * on, so fills that arrive after midnight count on the new day too (an order straddling midnight is counted on
   * both days: the ledger only ever over-counts). Settled winners are not subtracted.
   */
  atRiskE4(day: string): number {
    const row = this.db
      .prepare(
        `SELECT
           COALESCE((SELECT realized_loss_e4 FROM risk_days WHERE day = @day), 0) +
           COALESCE((SELECT SUM(CASE WHEN final = 1 THEN fill_cost_e4 + fees_e4 ELSE worst_case_e4 END)
                     FROM orders WHERE day <= @day AND (final = 0 OR final_day >= @day)), 0) AS at_risk`,
      )
      .get({ day }) as { at_risk: number };
    return row.at_risk;
  }

  /** What is already spent or lost on a day for sure (finished orders and realized losses): decides a halt. */
  committedE4(day: string): number {
    const row = this.db
      .prepare(
        `SELECT
           COALESCE((SELECT realized_loss_e4 FROM risk_days WHERE day = @day), 0) +
           COALESCE((SELECT SUM(fill_cost_e4 + fees_e4) FROM orders WHERE final = 1 AND day <= @day AND final_day >= @day), 0) AS committed`,
      )
      .get({ day }) as { committed: number };
    return row.committed;
  }

  /** Insert an intent. Must run inside the same transaction as the cap check that allowed it. */
  insertIntent(i: NewIntent): number {
    const result = this.db
      .prepare(
        `INSERT INTO orders (client_order_id, cycle_id, approval_id, mode, day, ticker, title, side, count_e2, price_e4,
                             worst_case_e4, exchange_index, state, created_at, updated_at, break_even_e4, edge_e4, style)
         VALUES (@clientOrderId, @cycleId, @approvalId, @mode, @day, @ticker, @title, @side, @countE2, @priceE4,
                 @worstCaseE4, @exchangeIndex, 'intent', @now, @now, @breakEvenE4, @edgeE4, @style)`,
      )
      .run({ ...i, breakEvenE4: i.breakEvenE4 ?? null, edgeE4: i.edgeE4 ?? null, style: i.style ?? 'taker' });
    return Number(result.lastInsertRowid);
  }

  update(id: number, p: OrderProgress, now: number): void {
    const final = FINAL_STATES.includes(p.state) ? 1 : 0;
    this.db
      .prepare(
        `UPDATE orders SET state = @state, final = @final,
           final_day = CASE WHEN @final = 1 THEN COALESCE(final_day, @finalDay) ELSE NULL END,
           exchange_order_id = COALESCE(@exchangeOrderId, exchange_order_id),
           filled_e2 = COALESCE(@filledE2, filled_e2),
           fill_cost_e4 = COALESCE(@fillCostE4, fill_cost_e4),
           fees_e4 = COALESCE(@feesE4, fees_e4),
           error = COALESCE(@error, error),
           report_flag = COALESCE(@reportFlag, report_flag),
           updated_at = @now
         WHERE id = @id`,
      )
      .run({
        id,
        state: p.state,
        final,
        exchangeOrderId: p.exchangeOrderId ?? null,
        filledE2: p.filledE2 ?? null,
        fillCostE4: p.fillCostE4 ?? null,
        feesE4: p.feesE4 ?? null,
        error: p.error ?? null,
        reportFlag: p.reportFlag ?? null,
        finalDay: tradingDay(now, this.timeZone),
        now,
      });
  }

  get(id: number): OrderRow | undefined {
    const row = this.db.prepare('SELECT * FROM orders WHERE id = ?').get(id);
    return row ? OrderRow.parse(row) : undefined;
  }

  unfinished(): OrderRow[] {
    return (this.db.prepare('SELECT * FROM orders WHERE final = 0 ORDER BY id').all() as unknown[]).map((r) => OrderRow.parse(r));
  }

  recent(limit: number): OrderRow[] {
    return (this.db.prepare('SELECT * FROM orders ORDER BY id DESC LIMIT ?').all(limit) as unknown[]).map((r) => OrderRow.parse(r));
  }

  /** Contracts this bot holds or has resting in a market according to its own journal (unfinished orders count in full). */
  pendingE2(ticker: string): number {
    const row = this.db
      .prepare(`SELECT COALESCE(SUM(count_e2 - filled_e2), 0) AS n FROM orders WHERE ticker = ? AND final = 0`)
      .get(ticker) as { n: number };
    return row.n;
  }

  /** Unfinished contracts per ticker, for a whole cycle at once. */
  pendingByTicker(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT ticker, SUM(count_e2 - filled_e2) AS n FROM orders WHERE final = 0 GROUP BY ticker`)
      .all() as { ticker: string; n: number }[];
    return new Map(rows.map((r) => [r.ticker, r.n]));
  }

  /**
   * The worst cases of our orders on a shard that may have taken money since a time: unfinished ones, and any
   * touched since (created, filled or ended). A balance read at that time less this is at most what is free now.
   */
  worstCaseOnShardSince(shard: number, sinceMs: number): number {
    const r = this.db
      .prepare(`SELECT COALESCE(SUM(worst_case_e4), 0) AS n FROM orders WHERE exchange_index = ? AND state != 'paper' AND (final = 0 OR updated_at >= ?)`)
      .get(shard, sinceMs) as { n: number };
    return r.n;
  }

  /** Paper (dry-run) holdings per ticker: the exchange knows nothing of them. */
  paperByTicker(): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT ticker, SUM(filled_e2) AS n FROM orders WHERE state = 'paper' GROUP BY ticker`)
      .all() as { ticker: string; n: number }[];
    return new Map(rows.map((r) => [r.ticker, r.n]));
  }

  /** Contracts this bot's orders filled on a market (not paper), for comparing with the exchange's position. */
  /** Orders placed on a trading day: how many, contracts filled, money spent and fees (e2, e4). */
  dayTotals(day: string): { orders: number; filledE2: number; spentE4: number; feesE4: number } {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS orders, COALESCE(SUM(filled_e2), 0) AS filledE2, COALESCE(SUM(fill_cost_e4), 0) AS spentE4,
                COALESCE(SUM(fees_e4), 0) AS feesE4 FROM orders WHERE day = ?`,
      )
      .get(day) as { orders: number; filledE2: number; spentE4: number; feesE4: number };
  }

  /**
   * What a settlement on `day` may book as a loss for a market: the cost of its filled orders that no longer count on
   * that day (an order final on the day already counts there in full).
   */
  costFinalBefore(ticker: string, day: string): number {
    return (
      this.db
        .prepare(
          `SELECT COALESCE(SUM(fill_cost_e4 + fees_e4), 0) AS c FROM orders WHERE ticker = ? AND final = 1 AND final_day < ? AND filled_e2 > 0 AND state != 'paper'`,
        )
        .get(ticker, day) as { c: number }
    ).c;
  }

  /** What the bot bought in a market (real fills, not paper): its title, the side, and the whole cost with fees. */
  positionOf(ticker: string): { title: string; side: 'yes' | 'no' | null; costE4: number } {
    const r = this.db
      .prepare(
        `SELECT MAX(title) AS title, MIN(side) AS side, MAX(side) AS side2, COALESCE(SUM(fill_cost_e4 + fees_e4), 0) AS cost
         FROM orders WHERE ticker = ? AND filled_e2 > 0 AND state != 'paper'`,
      )
      .get(ticker) as { title: string | null; side: 'yes' | 'no' | null; side2: 'yes' | 'no' | null; cost: number };
    return { title: r.title ?? '', side: r.side === r.side2 ? r.side : null, costE4: r.cost };
  }

  /** Contracts held in a market (e2), on one side or on either when `side` is null. */
  heldE2(ticker: string, side: 'yes' | 'no' | null): number {
    return (
      this.db
        .prepare(`SELECT COALESCE(SUM(filled_e2), 0) AS n FROM orders WHERE ticker = @ticker AND filled_e2 > 0 AND state != 'paper' AND (@side IS NULL OR side = @side)`)
        .get({ ticker, side }) as { n: number }
    ).n;
  }

  /**
   * Contracts filled on our orders that changed at or after `sinceMs`, per ticker (paper orders apart): what a
   * positions read made at that time may not show yet. A fill the read did show may be counted again: too much
   * exposure, never too little.
   */
  filledSince(sinceMs: number): Map<string, number> {
    const rows = this.db
      .prepare(`SELECT ticker, SUM(filled_e2) AS n FROM orders WHERE updated_at >= ? AND filled_e2 > 0 AND state != 'paper' GROUP BY ticker`)
      .all(sinceMs) as { ticker: string; n: number }[];
    return new Map(rows.map((r) => [r.ticker, r.n]));
  }

  /** Orders created before a time (e.g. by an earlier run). */
  countBefore(ms: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM orders WHERE created_at < ?').get(ms) as { n: number }).n;
  }

  /** Every client_order_id the journal has issued (for audits against the exchange). */
  clientOrderIds(): Set<string> {
    return new Set((this.db.prepare('SELECT client_order_id FROM orders').all() as { client_order_id: string }[]).map((r) => r.client_order_id));
  }

  /** Sent orders beyond the first for one decision (a cycle's market): each would be an order sent twice. */
  extraOrdersPerDecision(): number {
    const rows = this.db
      .prepare('SELECT COUNT(*) AS n FROM orders WHERE exchange_order_id IS NOT NULL AND cycle_id IS NOT NULL GROUP BY cycle_id, ticker HAVING n > 1')
      .all() as { n: number }[];
    return rows.reduce((a, r) => a + r.n - 1, 0);
  }

  filledOn(ticker: string): number {
    return (this.db.prepare(`SELECT COALESCE(SUM(filled_e2), 0) AS n FROM orders WHERE ticker = ? AND state != 'paper'`).get(ticker) as { n: number }).n;
  }

  /** The exchange order ids this journal holds on a market. */
  exchangeOrderIds(ticker: string): Set<string> {
    const rows = this.db.prepare('SELECT exchange_order_id FROM orders WHERE ticker = ? AND exchange_order_id IS NOT NULL').all(ticker) as { exchange_order_id: string }[];
    return new Set(rows.map((r) => r.exchange_order_id));
  }

  /** Record the exchange's fills of an order (idempotent by fill id). */
  recordFills(
    orderId: number,
    fills: { fillId: string; ticker: string; side: string; countE2: number; priceE4: number; feeE4: number; createdMs: number; exchangeIndex: number | null; isTaker?: boolean }[],
  ): void {
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO fills (fill_id, order_id, ticker, side, count_e2, price_e4, fee_e4, created_at, exchange_index, is_taker) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const f of fills) insert.run(f.fillId, orderId, f.ticker, f.side, f.countE2, f.priceE4, f.feeE4, f.createdMs, f.exchangeIndex, f.isTaker === undefined ? null : f.isTaker ? 1 : 0);
    })();
  }

  addRealizedLoss(day: string, lossE4: number): void {
    this.db
      .prepare(
        `INSERT INTO risk_days (day, realized_loss_e4) VALUES (?, ?)
         ON CONFLICT(day) DO UPDATE SET realized_loss_e4 = realized_loss_e4 + excluded.realized_loss_e4`,
      )
      .run(day, lossE4);
  }

  /** Record the day's halt once; returns true the first time (so the chat hears of it once). */
  markHalted(day: string, reason: string, now: number): boolean {
    this.db.prepare('INSERT INTO risk_days (day) VALUES (?) ON CONFLICT(day) DO NOTHING').run(day);
    const r = this.db
      .prepare('UPDATE risk_days SET halted_at = ?, halt_reason = ? WHERE day = ? AND halted_at IS NULL')
      .run(now, reason, day);
    return r.changes === 1;
  }

  clearHalt(day: string): void {
    this.db.prepare('UPDATE risk_days SET halted_at = NULL, halt_reason = NULL WHERE day = ?').run(day);
  }

  haltOf(day: string): { halted_at: number; halt_reason: string } | undefined {
    const row = this.db
      .prepare('SELECT halted_at, halt_reason FROM risk_days WHERE day = ? AND halted_at IS NOT NULL')
      .get(day) as { halted_at: number; halt_reason: string } | undefined;
    return row;
  }
}
