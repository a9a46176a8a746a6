// Layer 4 execution: write the intent (cap checked in the same transaction), send one limit order,
// poll until filled or the fill timeout, cancel what rests, and settle the journal from the exchange.
import { randomUUID } from 'node:crypto';
import { type Clock, sleep, tradingDay } from '../clock.js';
import { KalshiApiError } from '../kalshi/errors.js';
import type { Order } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';
import type { OrderRow } from '../journal/orders.js';
import { E2_PER_CONTRACT, costE4, formatUsd } from '../money.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import type { Side } from '../pipeline/band.js';
import { fitUnderCap, wireOrderFor } from '../pipeline/risk.js';
import type { OrderApi } from './order-api.js';

export interface ExecutorDeps {
  journal: Journal;
  api: OrderApi;
  clock: Clock;
  alerter: Alerter;
  mode: Mode;
  timeZone: string;
  fillTimeoutMs: number;
  pollMs?: number;
  /** Test seam for crash tests: throwing here leaves the journal exactly as a crash at that point would. */
  hooks?: { afterIntent?(orderId: number): void; afterSend?(orderId: number): void };
}

export interface TradePlan {
  ticker: string;
  title: string;
  side: Side;
  contracts: number;
  priceE4: number;
  feeMultiplierE4?: number;
  cycleId: number | null;
  approvalId: number | null;
}

export type ExecResult =
  | { kind: 'filled' | 'partial' | 'unfilled'; orderId: number; filledE2: number; row: OrderRow }
  | { kind: 'paper'; orderId: number; filledE2: number; row: OrderRow }
  | { kind: 'cap'; halt: boolean; reason: string }
  | { kind: 'rejected'; orderId: number; reason: string }
  | { kind: 'unknown'; orderId: number; reason: string };

export class Executor {
  /** The tail of the queue: every order (cycle or approval) runs after the one before it has settled. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private stopping = false;

  constructor(private readonly d: ExecutorDeps) {}

  get busy(): boolean {
    return this.queued > 0;
  }

  get fillTimeoutMs(): number {
    return this.d.fillTimeoutMs;
  }

  /** Stop: no new orders; the order in flight stops polling, cancels what rests, and settles; resolves when it has. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.tail.catch(() => undefined);
  }

  /** Run fn in the order queue (e.g. reconciliation), so it never overlaps an order. Skipped when stopping. */
  exclusive<T>(fn: () => Promise<T>): Promise<T | null> {
    return this.enqueue(fn, null);
  }

  /**
   * One order at a time, whoever asks (the cycle or an approval): the next cap and position checks must
   * see the previous order settled, and shutdown must be able to wait for all of them.
   */
  execute(plan: TradePlan): Promise<ExecResult> {
    return this.enqueue(() => this.run(plan), SHUTTING_DOWN);
  }

  private enqueue<T, S>(fn: () => Promise<T>, whenStopping: S): Promise<T | S> {
    this.queued++;
    const p = this.tail.then((): Promise<T | S> | S => (this.stopping ? whenStopping : fn()));
    this.tail = p.catch(() => undefined).finally(() => this.queued--);
    return p;
  }

  private async run(plan: TradePlan): Promise<ExecResult> {
    const { journal, clock } = this.d;
    const now = clock.now();
    const day = tradingDay(now, this.d.timeZone);
    // The cap check and the intent are one transaction: no order can be sent that the ledger has not counted.
    // Paused and halted are read inside it too, so a /pause that lands while an approval is re-checked holds.
    const decision = journal.tx(() => {
      const settings = journal.settings.get();
      const atRiskE4 = journal.orders.atRiskE4(day);
      if (settings.paused) return { ok: false as const, halt: false, reason: 'paused', atRiskE4 };
      if (journal.orders.haltOf(day)) return { ok: false as const, halt: false, reason: 'trading is halted for the day (daily cap)', atRiskE4 };
      const fit = fitUnderCap({
        contracts: plan.contracts,
        priceE4: plan.priceE4,
        atRiskE4,
        capE4: settings.dailyCapE4,
        bandMinE4: settings.bandMinE4,
        ...(plan.feeMultiplierE4 !== undefined ? { feeMultiplierE4: plan.feeMultiplierE4 } : {}),
      });
      // The day halts only when what is already spent leaves no room; worst cases still in flight may yet free some.
      if (!fit.ok) return { ...fit, halt: fit.halt && this.noRoom(journal.orders.committedE4(day)), atRiskE4 };
      const id = journal.orders.insertIntent({
        clientOrderId: randomUUID(),
        cycleId: plan.cycleId,
        approvalId: plan.approvalId,
        mode: this.d.mode,
        day,
        ticker: plan.ticker,
        title: plan.title,
        side: plan.side,
        countE2: fit.contracts * E2_PER_CONTRACT,
        priceE4: plan.priceE4,
        worstCaseE4: fit.worstCaseE4,
        now,
      });
      return { ok: true as const, id };
    });

    if (!decision.ok) {
      if (decision.halt) this.halt(day, decision.atRiskE4, decision.reason);
      return { kind: 'cap', halt: decision.halt, reason: decision.reason };
    }

    const orderId = decision.id;
    this.d.hooks?.afterIntent?.(orderId);
    const row = journal.orders.get(orderId)!;

    if (this.d.mode === 'DRY-RUN') {
      // Paper: same decision, journaled as if filled at the limit price with the worst-case fee; nothing is sent.
      const fill = costE4(row.count_e2, row.price_e4);
      journal.orders.update(orderId, { state: 'paper', filledE2: row.count_e2, fillCostE4: fill, feesE4: row.worst_case_e4 - fill }, clock.now());
      const done = journal.orders.get(orderId)!;
      this.alertOrder(done);
      return { kind: 'paper', orderId, filledE2: done.filled_e2, row: done };
    }

    return this.sendAndSettle(row);
  }

  /** Record the day's halt; the chat hears of it once. */
  private halt(day: string, atRiskE4: number, reason: string): void {
    const { journal, clock } = this.d;
    if (journal.orders.markHalted(day, reason, clock.now())) {
      this.d.alerter.send({ kind: 'halt', mode: this.d.mode, day, atRiskE4, capE4: journal.settings.get().dailyCapE4, reason });
    }
  }

  /** True when `usedE4` leaves no room under the cap for one contract at the band's cheapest price. */
  private noRoom(usedE4: number): boolean {
    const s = this.d.journal.settings.get();
    return !fitUnderCap({ contracts: 1, priceE4: s.bandMinE4, atRiskE4: usedE4, capE4: s.dailyCapE4, bandMinE4: s.bandMinE4 }).ok;
  }

  /** Halt now if what is already spent today leaves no room for the smallest trade. Returns whether halted. */
  haltIfNoRoom(): boolean {
    const { journal, clock } = this.d;
    const day = tradingDay(clock.now(), this.d.timeZone);
    if (journal.orders.haltOf(day)) return true;
    const committed = journal.orders.committedE4(day);
    if (!this.noRoom(committed)) return false;
    this.halt(day, journal.orders.atRiskE4(day), `daily cap reached: ${formatUsd(committed)} spent of ${formatUsd(journal.settings.get().dailyCapE4)}`);
    return true;
  }

  private async sendAndSettle(row: OrderRow): Promise<ExecResult> {
    const { journal, clock, api } = this.d;
    const wire = wireOrderFor(row.side, row.price_e4);
    journal.orders.update(row.id, { state: 'sent' }, clock.now());
    let exchangeOrderId: string | null = null;
    try {
      const created = await api.createOrder({
        ticker: row.ticker,
        side: wire.side,
        countE2: row.count_e2,
        priceE4: wire.yesPriceE4,
        timeInForce: 'good_till_canceled',
        clientOrderId: row.client_order_id,
        // The exchange cancels it by itself shortly after our fill timeout, even if this process dies.
        expirationTimeS: Math.ceil((clock.now() + this.d.fillTimeoutMs) / 1000) + 2,
      });
      exchangeOrderId = created.orderId;
    } catch (err) {
      // Only the create itself can prove that nothing rests: a definite 4xx refusal of this request.
      if (err instanceof KalshiApiError && err.status >= 400 && err.status < 500 && err.status !== 409 && err.status !== 429) {
        const reason = `${err.code}${err.details ? ` (${err.details})` : ''}`;
        journal.orders.update(row.id, { state: 'rejected', error: reason }, clock.now());
        return { kind: 'rejected', orderId: row.id, reason };
      }
      // Outcome unknown (the response was lost even after retries): look for it by client_order_id.
      const found = await api.findOrderByClientOrderId(row.client_order_id, row.ticker).catch(() => null);
      if (!found) return this.unknown(row.id, 'sent', err);
      exchangeOrderId = found.orderId;
    }

    // From here on the order exists: any failure leaves it unfinished (its worst case stays counted).
    try {
      journal.orders.update(row.id, { state: 'resting', exchangeOrderId }, clock.now());
      this.d.hooks?.afterSend?.(row.id);
      const order = (await api.getOrder(exchangeOrderId).catch(() => null)) ?? (await this.waitForOrder(exchangeOrderId, row));
      const settled = await this.pollCancelSettle(order);
      const result = this.record(row.id, settled);
      if (settled.fillCountE2 > 0) await this.recordFills(row.id, settled.orderId);
      return result;
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      return this.unknown(row.id, 'resting', err);
    }
  }

  /** Left unfinished: reconciliation settles it later; until then its worst case counts against the cap. */
  private unknown(orderId: number, state: 'sent' | 'resting', err: unknown): ExecResult {
    const reason = `outcome unknown: ${(err as Error).message}`;
    this.d.journal.orders.update(orderId, { state, error: reason }, this.d.clock.now());
    return { kind: 'unknown', orderId, reason };
  }

  private async waitForOrder(orderId: string, row: OrderRow): Promise<Order> {
    for (let i = 0; i < 5; i++) {
      const o = await this.d.api.getOrder(orderId).catch(() => null);
      if (o) return o;
      await sleep(200);
    }
    const found = await this.d.api.findOrderByClientOrderId(row.client_order_id, row.ticker);
    if (!found) throw new Error(`order ${orderId} cannot be read back`);
    return found;
  }

  /** Poll until executed or the fill timeout (or shutdown), cancel what rests, then read the terminal state. */
  async pollCancelSettle(order: Order, waitMs = this.d.fillTimeoutMs): Promise<Order> {
    const { api } = this.d;
    const pollMs = this.d.pollMs ?? 500;
    // Waiting is measured on the monotonic clock: the business clock (days, timestamps) may be moved by tests.
    const deadline = performance.now() + waitMs;
    let o = order;
    while (!o.isTerminal && performance.now() < deadline && !this.stopping) {
      await sleep(Math.min(pollMs, Math.max(0, deadline - performance.now())));
      o = await api.getOrder(o.orderId).catch(() => o);
    }
    if (o.isTerminal) return o;
    // A 404 on cancel proves nothing (already executed, canceled, or unknown): the order itself says which.
    await api.cancelOrder(o.orderId).catch(() => undefined);
    for (let i = 0; i < 20; i++) {
      o = await api.getOrder(o.orderId).catch(() => o);
      if (o.isTerminal) return o;
      // A GET right after a cancel can still say resting: ask the order list, then wait a little.
      const listed = await api.findOrderByClientOrderId(o.clientOrderId ?? '', o.ticker).catch(() => null);
      if (listed?.isTerminal) return listed;
      await sleep(Math.min(250 * (i + 1), 2000));
      if (i === 5) await api.cancelOrder(o.orderId).catch(() => undefined);
    }
    return o;
  }

  /** Write the exchange's truth into the journal. A non-terminal order stays unfinished (its worst case stays counted). */
  record(orderId: number, o: Order): ExecResult {
    const { journal, clock } = this.d;
    const state = o.status === 'executed' ? 'executed' : o.status === 'canceled' ? 'canceled' : 'resting';
    const limitE4 = journal.orders.get(orderId)!.price_e4;
    // What the fills cost is counted at no less than the limit price of the side bought: no fixture shows how
    // Kalshi reports the cost of a NO buy (an ask), and the ledger must never under-count.
    const fillCostE4 = Math.max(o.fillCostE4, costE4(o.fillCountE2, limitE4));
    journal.orders.update(orderId, { state, exchangeOrderId: o.orderId, filledE2: o.fillCountE2, fillCostE4, feesE4: o.feesE4 }, clock.now());
    const row = journal.orders.get(orderId)!;
    if (o.fillCountE2 > 0) this.alertOrder(row);
    if (!o.isTerminal) return { kind: 'unknown', orderId, reason: `order still ${o.status} after cancel` };
    const kind = o.fillCountE2 === 0 ? 'unfilled' : o.remainingCountE2 === 0 && o.fillCountE2 === row.count_e2 ? 'filled' : 'partial';
    return { kind, orderId, filledE2: o.fillCountE2, row };
  }

  /** Keep the exchange's fill records beside the order (best effort: the order row already holds the totals). */
  async recordFills(orderId: number, exchangeOrderId: string): Promise<void> {
    const fills = await this.d.api.getFills({ orderId: exchangeOrderId }).catch(() => []);
    this.d.journal.orders.recordFills(
      orderId,
      fills.map((f) => ({
        fillId: f.fillId,
        ticker: f.ticker,
        side: f.outcomeSide,
        countE2: f.countE2,
        priceE4: f.outcomeSide === 'yes' ? f.yesPriceE4 : f.noPriceE4,
        feeE4: f.feeE4,
        createdMs: f.createdMs,
      })),
    );
  }

  private alertOrder(row: OrderRow): void {
    const { journal, clock } = this.d;
    this.d.alerter.send({
      kind: 'order',
      mode: this.d.mode,
      ticker: row.ticker,
      title: row.title,
      side: row.side,
      state: row.state,
      filledE2: row.filled_e2,
      countE2: row.count_e2,
      priceE4: row.price_e4,
      costE4: row.fill_cost_e4,
      feesE4: row.fees_e4,
      atRiskE4: journal.orders.atRiskE4(tradingDay(clock.now(), this.d.timeZone)),
      capE4: journal.settings.get().dailyCapE4,
    });
  }
}

const SHUTTING_DOWN: ExecResult = { kind: 'cap', halt: false, reason: 'shutting down' };

export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}
const isSimulatedCrash = (err: unknown) => err instanceof SimulatedCrash;
