// Layer 4 execution: write the intent (cap checked in the same transaction), send one limit order,
// poll until filled or the fill timeout, cancel what rests, and settle the journal from the exchange.
import { randomUUID } from 'node:crypto';
import { setTimeout as wait } from 'node:timers/promises';
import { type Clock, sleep, tradingDay } from '../clock.js';
import { KalshiApiError } from '../kalshi/errors.js';
import type { Fill, Order } from '../kalshi/schemas.js';
import type { Journal } from '../journal/index.js';
import type { OrderRow } from '../journal/orders.js';
import { E2_PER_CONTRACT, type FeeSchedule, costE4, formatUsd } from '../money.js';
import type { Alerter } from '../notify/alerter.js';
import type { OrderAlert } from '../notify/alerts.js';
import type { Mode } from '../notify/alerts.js';
import type { Side } from '../rules/band.js';
import type { EdgeView } from '../rules/edge.js';
import { fitUnderCap, worstCaseE4 } from '../rules/risk.js';
import { type ShardFunding, shortReason } from './funding.js';
import type { OrderFeed } from './order-feed.js';
import type { SettlementSync } from './settlements.js';
import { type OrderApi, wireOrderFor } from './order-api.js';
import { believeReport, boundedFills, journalFills } from './report-bounds.js';

export interface ExecutorDeps {
  journal: Journal;
  api: OrderApi;
  clock: Clock;
  alerter: Alerter;
  mode: Mode;
  timeZone: string;
  fillTimeoutMs: number;
  /** Free money per shard (collateral is checked where the order goes). Absent: not checked (tests of the cap alone). */
  funding?: Pick<ShardFunding, 'freeOn'>;
  /**
   * The stream's reports on our orders (user_orders and fill): while it is connected an order is confirmed and booked
   * from them, and REST is read only when they do not say it all. Absent (STREAM=off): every order is polled.
   */
  feed?: Pick<OrderFeed, 'connected' | 'settled' | 'fillsCovering' | 'forget'>;
  /** The ledger's view of settlements, made fresh before every cap check. */
  settlements?: Pick<SettlementSync, 'ensureFresh'>;
  pollMs?: number;
  /** ORDER_STYLE: how plans without a style of their own are placed (default taker). */
  orderStyle?: 'taker' | 'maker';
  /** How long a maker order rests before it is canceled (MAKER_REST_SECONDS; default 60 s). */
  makerRestMs?: number;
  /** How often a resting maker order is read (default 2 s; `pollMs` when that is set). */
  makerPollMs?: number;
  /**
   * The clock a maker order's rest is measured on (default the monotonic clock, like every other wait: the business
   * clock may be moved by tests). The style benchmark runs simulated days and passes its clock, so a rest lasts
   * simulated time while order flow arrives in it.
   */
  waitClock?: () => number;
  /** Test seam for crash tests: throwing (or dying) here leaves the journal exactly as a crash at that point would. */
  hooks?: { afterIntent?(orderId: number): void; afterSend?(orderId: number): void; whilePolling?(): void; beforeCancel?(): void };
}

export interface TradePlan {
  ticker: string;
  title: string;
  side: Side;
  contracts: number;
  priceE4: number;
  /** The fee rule in force for the market (default: the standard quadratic taker fee). */
  fee?: FeeSchedule;
  /** The market's exchange shard: the order is routed there and its collateral must be there. */
  exchangeIndex?: number;
  cycleId: number | null;
  approvalId: number | null;
  /** Its after-fee break-even and calibrated edge (journaled with the order, shown in its alert). */
  edge?: EdgeView;
  /** taker (a limit at the ask) or maker (post-only, resting); default: the executor's ORDER_STYLE. */
  style?: 'taker' | 'maker';
}

export type ExecResult =
  | { kind: 'filled' | 'partial' | 'unfilled'; orderId: number; filledE2: number; row: OrderRow }
  | { kind: 'paper'; orderId: number; filledE2: number; row: OrderRow }
  /** A maker order placed and resting: it is read, canceled at its rest's end and booked in the background. */
  | { kind: 'resting'; orderId: number; filledE2: number; row: OrderRow }
  | { kind: 'cap'; halt: boolean; reason: string }
  /** Not enough free money on the market's shard: nothing was sent. */
  | { kind: 'funds'; reason: string }
  /** The ledger could not be brought up to date with the exchange's settlements: nothing was sent. */
  | { kind: 'stale'; reason: string }
  | { kind: 'rejected'; orderId: number; reason: string; status: number }
  | { kind: 'unknown'; orderId: number; reason: string };

export class Executor {
  /** The tail of the queue: every order (cycle or approval) runs after the one before it has settled. */
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private stopping = false;
  private readonly stopped = new AbortController();
  /** Maker orders resting now: each is watched, canceled and booked outside the order queue (by journal row id). */
  private readonly resting = new Map<number, Promise<unknown>>();

  constructor(private readonly d: ExecutorDeps) {}

  get busy(): boolean {
    return this.queued > 0;
  }

  /** The longest an order of ours can rest (a taker's fill timeout, or a maker's rest): what fee horizons cover. */
  get fillTimeoutMs(): number {
    return this.d.orderStyle === 'maker' ? Math.max(this.d.fillTimeoutMs, this.makerRestMs) : this.d.fillTimeoutMs;
  }

  private get makerRestMs(): number {
    return this.d.makerRestMs ?? 60_000;
  }

  /** Maker orders resting right now (placed, not yet canceled and booked). */
  get restingCount(): number {
    return this.resting.size;
  }

  /** Stop: no new orders; the orders in flight stop polling, cancel what rests, and settle; resolves when they have. */
  async stop(): Promise<void> {
    this.stopping = true;
    // A resting order's watcher wakes now (to cancel and book it), not at its next poll.
    this.stopped.abort();
    await this.tail.catch(() => undefined);
    await Promise.allSettled([...this.resting.values()]);
  }

  /** Whether this process is watching the order (a resting maker order): reconciliation leaves it alone. */
  isWatching(orderId: number): boolean {
    return this.resting.has(orderId);
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
    const shard = plan.exchangeIndex ?? 0;
    // Collateral is checked inside each shard's engine: read what is free there right before the decision.
    let freeE4 = Number.POSITIVE_INFINITY;
    if (this.d.mode !== 'DRY-RUN' && this.d.funding) {
      try {
        // What the order can need at most (the cap can only shrink it): a recent read that covers it is not repeated.
        freeE4 = await this.d.funding.freeOn(shard, worstCaseE4(plan.contracts, plan.priceE4, plan.fee));
      } catch (err) {
        return { kind: 'funds', reason: `could not read the free balance of shard ${shard}: ${(err as Error).message}` };
      }
    }
    // A loss that settled since the last look must be on the ledger before the cap is checked (read last, so the
    // view is seconds old at the check, whatever the balance read took).
    try {
      await this.d.settlements?.ensureFresh();
    } catch (err) {
      return { kind: 'stale', reason: `could not read the exchange's settlements, so the cap cannot be checked: ${(err as Error).message}` };
    }
    const now = clock.now();
    const day = tradingDay(now, this.d.timeZone);
    const style = plan.style ?? this.d.orderStyle ?? 'taker';
    // The cap check and the intent are one transaction: no order can be sent that the ledger has not counted.
    // Paused and halted are read inside it too, so a /pause that lands while an approval is re-checked holds.
    const decision = journal.tx(() => {
      const settings = journal.settings.get();
      const atRiskE4 = journal.orders.atRiskE4(day);
      if (settings.paused) return { ok: false as const, halt: false, reason: 'paused', atRiskE4 };
      if (journal.orders.haltOf(day)) return { ok: false as const, halt: false, reason: 'trading is halted for the day (daily cap)', atRiskE4 };
      // A maker order still resting here (from an earlier cycle) is not joined by a second one.
      if (style === 'maker' && journal.orders.pendingE2(plan.ticker) > 0) {
        return { ok: false as const, halt: false, reason: 'an order of ours still rests on this market', atRiskE4 };
      }
      const fit = fitUnderCap({
        contracts: plan.contracts,
        priceE4: plan.priceE4,
        atRiskE4,
        capE4: settings.dailyCapE4,
        bandMinE4: settings.bandMinE4,
        ...(plan.fee ? { fee: plan.fee } : {}),
      });
      // The day halts only when what is already spent leaves no room; worst cases still in flight may yet free some.
      if (!fit.ok) return { ...fit, halt: fit.halt && this.noRoom(journal.orders.committedE4(day)), atRiskE4 };
      // The shard's free money must cover the whole worst case: the exchange checks collateral inside each shard.
      if (fit.worstCaseE4 > freeE4) return { ok: false as const, funds: shortReason(shard, freeE4, fit.worstCaseE4) };
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
        exchangeIndex: shard,
        now,
        ...(plan.edge ? { breakEvenE4: plan.edge.breakEvenE4, edgeE4: plan.edge.edgeE4 } : {}),
        style,
      });
      return { ok: true as const, id };
    });

    if (!decision.ok && decision.funds !== undefined) return { kind: 'funds', reason: decision.funds };
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
      // Nothing asked of a person can be placed today any more: every open request expires now (its message is edited).
      for (const a of journal.approvals.expireAll(clock.now(), 'halt')) {
        this.d.alerter.send({ kind: 'approval-outcome', mode: this.d.mode, id: a.id, state: 'expired', text: 'expired: trading halted for the day' });
      }
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
    const maker = row.style === 'maker';
    // A taker waits out its fill timeout; a maker rests for its whole rest (post-only: it never takes).
    const waitMs = maker ? this.makerRestMs : this.d.fillTimeoutMs;
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
        // The exchange cancels it by itself shortly after our fill timeout (or rest), even if this process dies.
        expirationTimeS: Math.ceil((clock.now() + waitMs) / 1000) + 2,
        exchangeIndex: row.exchange_index,
        ...(maker ? { postOnly: true } : {}),
      });
      exchangeOrderId = created.orderId;
    } catch (err) {
      // Only the create itself can prove that nothing rests: a definite 4xx refusal of this request.
      if (err instanceof KalshiApiError && err.status >= 400 && err.status < 500 && err.status !== 409 && err.status !== 429) {
        const reason = `${err.code}${err.details ? ` (${err.details})` : ''}`;
        journal.orders.update(row.id, { state: 'rejected', error: reason }, clock.now());
        return { kind: 'rejected', orderId: row.id, reason, status: err.status };
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
      const ref: OrderRef = { orderId: exchangeOrderId, clientOrderId: row.client_order_id, ticker: row.ticker, exchangeIndex: row.exchange_index, side: row.side };
      const started = performance.now();
      // A taker is usually over at once: with the stream up, its report comes pushed, and no REST read is made.
      const feed = this.d.feed?.connected ? this.d.feed : null;
      const pushed = feed && !maker ? await feed.settled(exchangeOrderId, row.side, Math.min(waitMs, TAKER_FEED_FIRST_MS), this.stopped.signal) : null;
      if (pushed) return await this.book(row.id, pushed);
      // The crash tests' "while polling" point: the push did not come, and the order is about to be read.
      if (feed && !maker) this.d.hooks?.whilePolling?.();
      const order = (await this.read(ref)) ?? (await this.waitForOrder(ref));
      if (maker && !order.isTerminal) return this.rest(row, order, ref, waitMs);
      const settled = await this.pollCancelSettle(order, ref, Math.max(0, waitMs - (performance.now() - started)));
      return await this.book(row.id, settled);
    } catch (err) {
      if (isSimulatedCrash(err)) throw err;
      return this.unknown(row.id, 'resting', err);
    }
  }

  /**
   * A maker order rests outside the order queue (the next order need not wait out its rest: its worst case is on the
   * ledger until it is final, like any unfinished order). It is read every few seconds, canceled at its rest's end
   * (or at shutdown), and booked; stop() waits for it.
   */
  private rest(row: OrderRow, order: Order, ref: OrderRef, waitMs: number): ExecResult {
    const { journal } = this.d;
    const watch = this.pollCancelSettle(order, ref, waitMs, this.d.makerPollMs ?? this.d.pollMs ?? 2000, this.d.waitClock)
      .then((o) => this.book(row.id, o))
      .catch((err: unknown) => (isSimulatedCrash(err) ? undefined : this.unknown(row.id, 'resting', err)));
    this.resting.set(row.id, watch.finally(() => this.resting.delete(row.id)));
    const now = journal.orders.get(row.id)!;
    return { kind: 'resting', orderId: row.id, filledE2: order.fillCountE2, row: now };
  }

  /** Left unfinished: reconciliation settles it later; until then its worst case counts against the cap. */
  private unknown(orderId: number, state: 'sent' | 'resting', err: unknown): ExecResult {
    const reason = `outcome unknown: ${(err as Error).message}`;
    this.d.journal.orders.update(orderId, { state, error: reason }, this.d.clock.now());
    return { kind: 'unknown', orderId, reason };
  }

  /**
   * Read an order: by id, and where that fails, from the order list (which covers every shard). Whether a GET by
   * id reaches orders on other shards is not documented; either way the order is found.
   */
  async read(ref: OrderRef): Promise<Order | null> {
    // A report about another order is no report about this one (the wire is input too).
    const ours = (o: Order | null) =>
      o !== null && o.ticker === ref.ticker && (o.clientOrderId === null || o.clientOrderId === ref.clientOrderId) ? o : null;
    const byId = ours(await this.d.api.getOrder(ref.orderId).catch(() => null));
    if (byId && byId.orderId === ref.orderId) return byId;
    return ours(await this.d.api.findOrderByClientOrderId(ref.clientOrderId, ref.ticker).catch(() => null));
  }

  private async waitForOrder(ref: OrderRef): Promise<Order> {
    for (let i = 0; i < 5; i++) {
      const o = await this.read(ref);
      if (o) return o;
      await sleep(200);
    }
    throw new Error(`order ${ref.orderId} cannot be read back`);
  }

  /**
   * Poll until executed or the fill timeout (or shutdown), cancel what rests, then read the terminal state. `ref` is
   * the journal's view (id, ticker, shard): cancels are routed where we sent the order, not where a report says.
   */
  async pollCancelSettle(
    order: Order,
    ref: OrderRef,
    waitMs = this.d.fillTimeoutMs,
    pollMs = this.d.pollMs ?? 500,
    now: () => number = () => performance.now(),
  ): Promise<Order> {
    const { api } = this.d;
    // A cancel by id alone goes to shard 0: route it to the order's own engine.
    const cancel = () => api.cancelOrder(ref.orderId, { ticker: ref.ticker, exchangeIndex: ref.exchangeIndex }).catch(() => undefined);
    // Waiting is measured on the monotonic clock: the business clock (days, timestamps) may be moved by tests.
    const deadline = now() + waitMs;
    let o = order;
    while (!o.isTerminal && now() < deadline && !this.stopping) {
      const left = Math.max(0, deadline - now());
      if (this.d.feed?.connected && ref.side) {
        // Pushed reports wake this at once; REST is read only every FEED_POLL_MS as the fallback for a lost frame.
        const pushed = await this.d.feed.settled(ref.orderId, ref.side, Math.min(left, FEED_POLL_MS), this.stopped.signal);
        if (pushed) return pushed;
      } else await pause(Math.min(pollMs, left), this.stopped.signal);
      o = (await this.read(ref)) ?? o;
      this.d.hooks?.whilePolling?.();
    }
    if (o.isTerminal) return o;
    // A 404 on cancel proves nothing (already executed, canceled, or unknown): the order itself says which.
    this.d.hooks?.beforeCancel?.();
    await cancel();
    if (this.d.feed?.connected && ref.side) {
      const pushed = await this.d.feed.settled(ref.orderId, ref.side, AFTER_CANCEL_FEED_MS);
      if (pushed) return pushed;
    }
    for (let i = 0; i < 20; i++) {
      o = (await this.read(ref)) ?? o;
      if (o.isTerminal) return o;
      // A GET right after a cancel can still say resting: ask the order list, then wait a little.
      const listed = await api.findOrderByClientOrderId(ref.clientOrderId, ref.ticker).catch(() => null);
      if (listed?.isTerminal && listed.ticker === ref.ticker && listed.clientOrderId === ref.clientOrderId) return listed;
      await sleep(Math.min(250 * (i + 1), 2000));
      if (i === 5) await cancel();
    }
    return o;
  }

  /** Read the order's fill records, then write the exchange's truth into the journal (see record). */
  async book(orderId: number, o: Order): Promise<ExecResult> {
    const row = this.d.journal.orders.get(orderId)!;
    // The stream's fill records, when they add up to the reported fill count; else the REST list.
    const raw = this.d.feed?.fillsCovering(o.orderId, row.side, o.fillCountE2) ?? (await this.d.api.getFills({ orderId: o.orderId }).catch(() => null));
    const fills = raw ? boundedFills(row, o.orderId, raw) : null;
    const result = this.record(orderId, o, fills?.kept ?? null, fills?.dropped ?? 0);
    if (fills && fills.kept.length > 0) this.d.journal.orders.recordFills(orderId, journalFills(fills.kept));
    if (o.isTerminal) this.d.feed?.forget(o.orderId);
    return result;
  }

  /**
   * Write the exchange's truth into the journal: what the fills really cost (price improvement included, NO buys at
   * their NO price). A report outside what the order could do is not believed: the larger of its worst case and the
   * report stays booked, the journal flags it and the chat hears once. A non-terminal order stays unfinished.
   */
  record(orderId: number, o: Order, fills: Fill[] | null = null, droppedFills = 0): ExecResult {
    const { journal, clock } = this.d;
    const row = journal.orders.get(orderId)!;
    const state = o.status === 'executed' ? 'executed' : o.status === 'canceled' ? 'canceled' : 'resting';
    const b = believeReport(row, o, fills, droppedFills);
    const flag = b.flag;
    journal.orders.update(
      orderId,
      { state, exchangeOrderId: o.orderId, filledE2: b.filledE2, fillCostE4: b.fillCostE4, feesE4: b.feesE4, ...(flag ? { reportFlag: flag } : {}) },
      clock.now(),
    );
    if (flag) {
      this.d.alerter.send(
        { kind: 'error', mode: this.d.mode, message: `The exchange reported something impossible about the order on ${row.ticker} (${flag}): at least its worst case ${formatUsd(row.worst_case_e4)} stays counted against the cap.` },
        { key: `report:${row.id}`, withinMs: 30 * 86_400_000 },
      );
    }
    const done = journal.orders.get(orderId)!;
    if (done.filled_e2 > 0) this.alertOrder(done);
    if (!o.isTerminal) return { kind: 'unknown', orderId, reason: `order still ${o.status} after cancel` };
    const kind = done.filled_e2 === 0 ? 'unfilled' : o.remainingCountE2 === 0 && done.filled_e2 === row.count_e2 ? 'filled' : 'partial';
    return { kind, orderId, filledE2: done.filled_e2, row: done };
  }

  private alertOrder(row: OrderRow): void {
    const { journal, clock } = this.d;
    const alert: OrderAlert = {
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
      ...(row.break_even_e4 !== null ? { breakEvenE4: row.break_even_e4, edgeE4: row.edge_e4 } : {}),
    };
    // A cycle's fills go out as one digest when the cycle ends; an approval's order is told at once, and so is a
    // maker order's (it is booked after its cycle has ended).
    this.d.alerter.send(alert, undefined, row.style === 'maker' ? undefined : (row.cycle_id ?? undefined));
  }
}

export interface OrderRef {
  orderId: string;
  clientOrderId: string;
  ticker: string;
  exchangeIndex: number;
  /** The side bought (what a pushed report is read as; without it the order is polled). */
  side?: 'yes' | 'no';
}

/** With the stream up, how often a resting order is still read over REST (a lost push must not leave it unread). */
const FEED_POLL_MS = 30_000;
/** How long a taker's pushed report is waited for before one REST read (a lost push costs seconds, not the window). */
const TAKER_FEED_FIRST_MS = 2_000;
/** How long a pushed report is waited for after a cancel before the REST reads. */
const AFTER_CANCEL_FEED_MS = 2_000;

const SHUTTING_DOWN: ExecResult = { kind: 'cap', halt: false, reason: 'shutting down' };

export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash';
}
const isSimulatedCrash = (err: unknown) => err instanceof SimulatedCrash;

/** Sleep up to `ms`, or until the signal fires (shutdown): never throws. */
const pause = (ms: number, signal: AbortSignal): Promise<void> => wait(ms, undefined, { signal }).catch(() => undefined);
