// The exchange's state and rules, independent of HTTP: universe + books + the account, with the
// lazy time-driven work (closing, expiry, crossing resting orders, settlement, completing
// transfers) done in sweep().
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  Account,
  outcomePriceE4,
  remaining,
  type ExchangeInstance,
  type Order,
  type OrderSide,
  type Stp,
  type TimeInForce,
  type Transfer,
} from './account.js';
import { BookStore, available, syntheticTop, take, type Top } from './book.js';
import type { MakerFlow } from './flow.js';
import { ERR, invalidParameters, type SimResponse } from './errors.js';
import { makerFeeE4, takerFeeE4 } from './fees.js';
import { fmtE2, fmtE4 } from './format.js';
import type { SettledHistory } from './history.js';
import { hash32 } from './prng.js';
import type { MarketState } from './render.js';
import { newShardStatus, type ShardStatus } from './shards.js';
import { MOVE_BUCKET_MS, Universe, statusAt, type SimMarket, type SimSeries } from './universe.js';

/** Markets with positions settle this long after they close. */
export const SETTLE_DELAY_MS = 5 * 60_000;

export interface CreateOrderInput {
  ticker: string;
  side: OrderSide;
  countE2: number;
  priceE4: number;
  tif: TimeInForce;
  stp: Stp;
  clientOrderId: string;
  expirationS: number | null;
  postOnly: boolean;
  reduceOnly: boolean;
  /** body exchange_index: null omitted, -1 auto-route, >= 0 direct to that shard */
  exchangeIndex: number | null;
}

/** Where a cancel goes: the shard, and the market_ticker query (null when absent). */
export interface CancelRoute {
  shard: number;
  ticker: string | null;
}

export interface TransferInput {
  source: ExchangeInstance;
  destination: ExchangeInstance;
  amountE4: number;
  sourceShard: number;
  destinationShard: number;
  sourceSubaccount: number;
  destinationSubaccount: number;
}

/** Shards known at start (KALSHI_API.md: 0 catch-all, 1 combos, 2 Crypto, 3 Sports). */
const DEFAULT_SHARDS = [0, 1, 2, 3];

/** Not a recorded code: Kalshi's answer for a transfer while `intra_exchange_transfers_active` is false is unsourced; this one is the sim's choice. */
const transfersInactive = {
  error: { code: 'intra_exchange_transfers_inactive', message: 'intra exchange transfers are not active', details: 'intra_exchange_transfers_active is false' },
};

export class Exchange {
  readonly universe = new Universe();
  readonly books = new BookStore();
  readonly account: Account;
  readonly results = new Map<string, 'yes' | 'no'>();
  /** per-shard status (exchange_index_statuses); shard 0's is the top-level exchange status */
  readonly shards = new Map<number, ShardStatus>();
  /** GET /portfolio/orders/{id} answers 404 for orders off shard 0 (the other reading of the reference) */
  getOrderShard0Only = false;
  /** how long an accepted transfer stays pending, on `monoClock` */
  transferDelayMs = 300;
  /** last time a market's record changed through trading */
  private readonly touched = new Map<string, number>();
  /**
   * Serialized listing records of generated markets, keyed by everything that can change in one (null: off). A speed
   * aid only: a page is byte for byte what rendering afresh would give. ~2 KB a market.
   */
  renderCache: Map<string, { sig: string; json: string }> | null = null;
  /** markets that settled before the start, with their quotes (GET /markets?status=settled, candlesticks); null: none */
  history: SettledHistory | null = null;
  /** the true bias of outcomes: a favourite (mid above 50¢) wins this much (e4) more often than its price says */
  favouriteEdgeE4 = 0;
  /** every market settles by itself SETTLE_DELAY_MS after close (not only those with positions), with a drawn result */
  settleClosed = false;
  /** order flow against resting orders (queue position, informed takers); null: resting orders fill only when crossed */
  flow: MakerFlow | null = null;
  /** when each market of the universe settled (first seen settled), for the settled listing */
  readonly settledAt = new Map<string, number>();
  /** the last global trading switch (shards created later start in that state) */
  private allTrading = true;
  private pendingTransfers = 0;

  constructor(
    readonly clock: () => number,
    readonly seed: number,
    balanceCents: number,
    /** the transfers' clock (ms): real monotonic time like the rate limiter, since tests often freeze `clock` */
    readonly monoClock: () => number = () => performance.now(),
  ) {
    this.account = new Account(balanceCents, clock());
    for (const k of DEFAULT_SHARDS) this.shard(k);
  }

  /** A shard's status, created on first use (a shard a market or a test names is a known shard). */
  shard(k: number): ShardStatus {
    let st = this.shards.get(k);
    if (!st) {
      st = newShardStatus(k);
      st.tradingActive = this.allTrading;
      this.shards.set(k, st);
    }
    return st;
  }

  /** The global switch: pauses or resumes trading on every shard. */
  setTradingActive(active: boolean): void {
    this.allTrading = active;
    for (const st of this.shards.values()) st.tradingActive = active;
  }

  /** The fee rule in force for a market at t: the series', then its latest due scheduled change, then the event's override. */
  feeRuleOf(m: SimMarket, t: number): { feeType: string; multE4: number } {
    const s = this.seriesOf(m);
    let rule = { feeType: s.feeType as string, multE4: s.feeMultiplierE4 };
    for (const c of this.universe.feeChanges) {
      if (c.seriesTicker === s.ticker && c.scheduledMs <= t) rule = { feeType: c.feeType, multE4: c.feeMultiplierE4 };
    }
    const ev = this.universe.events.get(m.eventTicker);
    if (ev?.feeTypeOverride) rule = { ...rule, feeType: ev.feeTypeOverride };
    if (ev?.feeMultiplierOverrideE4 !== undefined && ev.feeMultiplierOverrideE4 !== null) rule = { ...rule, multE4: ev.feeMultiplierOverrideE4 };
    return rule;
  }

  seriesOf(m: SimMarket): SimSeries {
    const s = this.universe.series.get(m.seriesTicker);
    if (!s) throw new Error(`sim: series ${m.seriesTicker} missing`);
    return s;
  }

  /** Top of book as the world sees it: synthetic liquidity merged with our resting orders. */
  topWithOrders(m: SimMarket, t: number): Top {
    const top = { ...this.books.top(m, t) };
    for (const o of this.restingOn(m.ticker)) {
      const rem = remaining(o);
      if (o.side === 'bid') {
        if (top.bidSizeE2 === 0 || o.priceE4 > top.bidE4) Object.assign(top, { bidE4: o.priceE4, bidSizeE2: rem });
        else if (o.priceE4 === top.bidE4) top.bidSizeE2 += rem;
      } else if (top.askSizeE2 === 0 || o.priceE4 < top.askE4) Object.assign(top, { askE4: o.priceE4, askSizeE2: rem });
      else if (o.priceE4 === top.askE4) top.askSizeE2 += rem;
    }
    return top;
  }

  restingOn(ticker: string): Order[] {
    return this.account.orderList.filter((o) => o.status === 'resting' && o.ticker === ticker);
  }

  marketState(m: SimMarket, t: number): MarketState {
    const moveStart = m.movePeriod > 0 ? Math.floor(t / (MOVE_BUCKET_MS * m.movePeriod)) * MOVE_BUCKET_MS * m.movePeriod : 0;
    const updatedMs = Math.min(t, Math.max(m.openMs + 2031, moveStart, this.touched.get(m.ticker) ?? 0));
    let status = statusAt(m, t);
    let result: MarketState['result'] = this.results.get(m.ticker) ?? '';
    if (status === 'closed' && this.settlesByItself(m, t)) {
      status = 'finalized';
      result = this.settleQuietly(m, t);
    }
    return { top: this.topWithOrders(m, t), status, result, updatedMs };
  }

  /** With settleClosed, a market nobody holds settles on its own SETTLE_DELAY_MS after close. */
  settlesByItself(m: SimMarket, t: number): boolean {
    return this.settleClosed && m.fixedStatus === null && !m.combo && !m.leak && t >= m.closeMs + SETTLE_DELAY_MS;
  }

  /** The result of a market that settled on its own (drawn once, kept: a later position settlement agrees with it). */
  settleQuietly(m: SimMarket, t: number): 'yes' | 'no' {
    const r = this.resultFor(m, t);
    this.results.set(m.ticker, r);
    if (!this.settledAt.has(m.ticker)) this.settledAt.set(m.ticker, m.closeMs + SETTLE_DELAY_MS);
    return r;
  }

  /** Time-driven work, done lazily at each request (only our own orders/positions are touched). */
  sweep(t: number): void {
    this.completeTransfers(t);
    for (const o of this.account.orderList) {
      if (o.status !== 'resting') continue;
      const m = this.universe.markets.get(o.ticker);
      if (!m) continue;
      const expiryMs = o.expirationS !== null ? o.expirationS * 1000 : Number.POSITIVE_INFINITY;
      const over = t >= expiryMs || statusAt(m, t) !== 'active';
      if (!over) {
        // the market moved through our resting order: a counterparty takes it at our price
        const top = this.books.top(m, t);
        const crossed = o.side === 'bid' ? top.askSizeE2 > 0 && top.askE4 <= o.priceE4 : top.bidSizeE2 > 0 && top.bidE4 >= o.priceE4;
        if (crossed) this.makerFill(o, remaining(o), t);
      }
      if (this.flow && o.status === 'resting') {
        // takers that arrived while it rested (up to its expiry or the close): our share, after the queue ahead of us
        const until = Math.min(t, expiryMs, m.fixedStatus === null ? m.closeMs : t);
        const n = Math.min(remaining(o), this.flow.filled(o, m, until, (ms) => syntheticTop(m, ms), this.resultFor(m, t)));
        if (n > 0) this.makerFill(o, n, until);
      }
      if (over && o.status === 'resting') this.account.cancel(o, t);
      if (o.status !== 'resting') this.flow?.done(o.orderId);
    }
    for (const p of this.account.positions.values()) {
      if (p.posE2 === 0) continue;
      const m = this.universe.markets.get(p.ticker);
      if (!m) continue;
      const st = statusAt(m, t);
      const due = m.fixedStatus === 'settled' || (st === 'closed' && t >= m.closeMs + SETTLE_DELAY_MS);
      if (!due) continue;
      const result = this.resultFor(m, t);
      this.results.set(m.ticker, result);
      if (!this.settledAt.has(m.ticker)) this.settledAt.set(m.ticker, t);
      m.fixedStatus = 'settled';
      this.account.settle(m.ticker, result, t);
    }
  }

  /**
   * Deterministic outcome: YES with probability ≈ the market's mid price, moved by the favourite edge toward the side
   * the mid favours (SIM_FAVOURITE_EDGE: 0 by default, outcomes then follow the mid).
   */
  private resultFor(m: SimMarket, t: number): 'yes' | 'no' {
    const have = this.results.get(m.ticker);
    if (have) return have;
    // With order flow, the outcome is fixed from the start (the quote at close, before any trading): informed takers
    // know it while orders rest, and the settlement agrees with them.
    const top = this.flow ? syntheticTop(m, m.closeMs) : this.books.top(m, t);
    const mid = top.bidSizeE2 > 0 && top.askSizeE2 > 0 ? (top.bidE4 + top.askE4) / 2 : m.lastPriceE4 || 5000;
    const edge = this.favouriteEdgeE4;
    const pYes = edge === 0 ? mid : Math.min(10_000, Math.max(0, mid > 5000 ? mid + edge : mid < 5000 ? mid - edge : mid));
    return hash32(this.seed, m.idx, 77) % 10_000 < pYes ? 'yes' : 'no';
  }

  makerFill(o: Order, countE2: number, t: number): void {
    const m = this.universe.markets.get(o.ticker);
    if (!m || countE2 <= 0) return;
    const rule = this.feeRuleOf(m, t);
    const fee = rule.feeType === 'quadratic_with_maker_fees' ? makerFeeE4(rule.multE4, countE2, o.priceE4) : 0;
    this.account.applyFill(o, o.priceE4, countE2, false, fee, t);
    this.traded(m, o.priceE4, countE2, t);
  }

  private traded(m: SimMarket, priceE4: number, countE2: number, t: number): void {
    m.volumeE2 += countE2;
    m.volume24hE2 += countE2;
    m.openInterestE2 += countE2;
    m.lastPriceE4 = priceE4;
    this.touched.set(m.ticker, t);
  }

  createOrder(inp: CreateOrderInput, t: number): SimResponse {
    if (inp.clientOrderId && this.account.clientIds.has(inp.clientOrderId)) return { status: 409, body: ERR.orderExists };
    const m = this.universe.markets.get(inp.ticker);
    if (!m) return { status: 404, body: ERR.marketNotFound };
    // routing: >= 0 goes direct to that shard, where another shard's market is not found; -1 and
    // omitted auto-route by ticker (the default since 2026-08-27)
    if (inp.exchangeIndex !== null && inp.exchangeIndex >= 0 && inp.exchangeIndex !== m.exchangeIndex) {
      return { status: 404, body: ERR.marketNotFound };
    }
    const shard = this.shard(m.exchangeIndex);
    if (!shard.tradingActive || !shard.exchangeActive) return { status: 400, body: ERR.tradingPaused };
    if (statusAt(m, t) !== 'active') return { status: 400, body: ERR.marketClosed };
    // combos quote 1.0000/1.0000 and reject orders (KALSHI_API.md); off-grid prices too
    if (m.combo || inp.priceE4 <= 0 || inp.priceE4 >= 10_000 || inp.priceE4 % m.tickE4 !== 0) {
      return { status: 400, body: ERR.invalidPrice };
    }
    const book = this.books.get(m, t);
    const bestOpp = inp.side === 'bid' ? book.asks[0] : book.bids[0];
    const crosses = bestOpp !== undefined && (inp.side === 'bid' ? bestOpp.priceE4 <= inp.priceE4 : bestOpp.priceE4 >= inp.priceE4);
    if (inp.postOnly && crosses) return { status: 400, body: ERR.postOnlyCross };
    let count = inp.countE2;
    if (inp.reduceOnly) {
      count = Math.min(count, this.account.closable(m.ticker, inp.side));
      if (count <= 0) return { status: 400, body: { error: { code: 'invalid_order', message: 'invalid order', details: 'reduce only' } } };
    }
    const rule = this.feeRuleOf(m, t);
    const opening = count - Math.min(count, this.account.closable(m.ticker, inp.side));
    const need = opening * outcomePriceE4(inp.side, inp.priceE4) + takerFeeE4(rule.multE4, count, inp.priceE4) * 100;
    // collateral is checked inside the market's own engine: money on another shard does not count
    if (need > this.account.availableE6(m.exchangeIndex)) return { status: 400, body: ERR.insufficientBalance };

    // self-trade prevention against our own resting orders on the other side
    const own = this.restingOn(m.ticker).filter((o) =>
      o.side !== inp.side && (inp.side === 'bid' ? o.priceE4 <= inp.priceE4 : o.priceE4 >= inp.priceE4),
    );
    let limit = inp.priceE4;
    let stopAtCross = false;
    if (own.length > 0) {
      if (inp.stp === 'maker') for (const o of own) this.account.cancel(o, t);
      else {
        // taker_at_cross: trade only at prices better than our own order, then cancel the rest
        stopAtCross = true;
        const ownBest = inp.side === 'bid' ? Math.min(...own.map((o) => o.priceE4)) : Math.max(...own.map((o) => o.priceE4));
        limit = inp.side === 'bid' ? ownBest - m.tickE4 : ownBest + m.tickE4;
      }
    }
    if (inp.tif === 'fill_or_kill' && (stopAtCross || available(book, inp.side, limit) < count)) {
      return { status: 400, body: ERR.fokUnfilled };
    }

    const order: Order = {
      orderId: randomUUID(),
      clientOrderId: inp.clientOrderId,
      ticker: m.ticker,
      eventTicker: m.eventTicker,
      side: inp.side,
      status: 'resting',
      priceE4: inp.priceE4,
      initialE2: count,
      filledE2: 0,
      canceledE2: 0,
      createdMs: t,
      lastUpdateMs: t,
      expirationS: inp.expirationS,
      tif: inp.tif,
      stp: inp.stp,
      takerCostE6: 0,
      makerCostE6: 0,
      takerFeesE4: 0,
      makerFeesE4: 0,
      exchangeIndex: m.exchangeIndex,
    };
    this.account.addOrder(order);
    let feeTotal = 0;
    let notional = 0;
    for (const tk of take(book, inp.side, limit, count)) {
      const fee = takerFeeE4(rule.multE4, tk.countE2, tk.priceE4);
      this.account.applyFill(order, tk.priceE4, tk.countE2, true, fee, t);
      this.traded(m, tk.priceE4, tk.countE2, t);
      feeTotal += fee;
      notional += tk.priceE4 * tk.countE2;
    }
    if (remaining(order) > 0 && (inp.tif !== 'good_till_canceled' || stopAtCross)) this.account.cancel(order, t);
    else if (remaining(order) === 0) order.status = 'executed';
    const filled = order.filledE2;
    return {
      status: 201,
      body: {
        average_fee_paid: fmtE4(filled > 0 ? Math.ceil((feeTotal * 100) / filled) : 0),
        average_fill_price: fmtE4(filled > 0 ? Math.round(notional / filled) : 0),
        client_order_id: order.clientOrderId,
        fill_count: fmtE2(filled),
        order_id: order.orderId,
        remaining_count: fmtE2(remaining(order)),
        ts_ms: t,
      },
    };
  }

  /**
   * Cancel on the routed shard only: "an order_id alone cannot identify the exchange shard", so an
   * order resting elsewhere (or on another market than market_ticker) is as unknown as a missing one.
   */
  cancelOrder(orderId: string, route: CancelRoute, t: number): SimResponse {
    const o = this.account.orders.get(orderId);
    if (!o || o.status !== 'resting' || o.exchangeIndex !== route.shard || (route.ticker !== null && o.ticker !== route.ticker)) {
      return { status: 404, body: ERR.notFound };
    }
    const reduced = this.account.cancel(o, t);
    return { status: 200, body: { client_order_id: o.clientOrderId, order_id: o.orderId, reduced_by: fmtE2(reduced), ts_ms: t } };
  }

  /** DELETE /portfolio/events/orders: every resting order on every shard. */
  cancelAll(t: number): number {
    let n = 0;
    for (const o of this.account.orderList) {
      if (o.status !== 'resting') continue;
      this.account.cancel(o, t);
      n++;
    }
    return n;
  }

  /**
   * Accept a transfer between shards: the source is debited at once, the destination credited when
   * it completes (`transferDelayMs` later, see completeTransfers). No idempotency key: two identical
   * requests move the money twice.
   */
  createTransfer(inp: TransferInput, t: number): SimResponse {
    if (inp.source !== 'event_contract' || inp.destination !== 'event_contract') {
      return { status: 400, body: invalidParameters('the simulated exchange supports event_contract transfers only') };
    }
    if (inp.sourceShard === inp.destinationShard && inp.sourceSubaccount === inp.destinationSubaccount) {
      return { status: 400, body: invalidParameters('source and destination are the same') };
    }
    if (inp.sourceSubaccount !== 0 || inp.destinationSubaccount !== 0) {
      return { status: 400, body: invalidParameters('the simulated exchange has the primary account (subaccount 0) only') };
    }
    const src = this.shards.get(inp.sourceShard);
    const dst = this.shards.get(inp.destinationShard);
    if (!src || !dst) return { status: 400, body: invalidParameters('unknown exchange shard') };
    if (!src.transfersActive || !dst.transfersActive || !src.exchangeActive || !dst.exchangeActive) {
      return { status: 400, body: transfersInactive };
    }
    const amountE6 = inp.amountE4 * 100;
    if (amountE6 > this.account.availableE6(inp.sourceShard)) return { status: 400, body: ERR.insufficientBalance };
    const tr: Transfer = {
      transferId: randomUUID(),
      source: inp.source,
      destination: inp.destination,
      sourceShard: inp.sourceShard,
      destinationShard: inp.destinationShard,
      amountE4: inp.amountE4,
      status: 'pending',
      createdMs: t,
      dueAt: this.monoClock() + this.transferDelayMs,
      seq: this.account.transfers.length,
    };
    this.account.addCash(inp.sourceShard, -amountE6);
    this.account.transfers.push(tr);
    this.pendingTransfers++;
    this.account.updatedMs = t;
    this.completeTransfers(t); // a zero delay completes at once
    return { status: 200, body: { transfer_id: tr.transferId } };
  }

  /** Credit the destinations of transfers that are due (lazily, at each request and snapshot). */
  completeTransfers(t: number): void {
    if (this.pendingTransfers === 0) return;
    const now = this.monoClock();
    for (const tr of this.account.transfers) {
      if (tr.status !== 'pending' || now < tr.dueAt) continue;
      tr.status = 'complete';
      this.pendingTransfers--;
      this.account.addCash(tr.destinationShard, tr.amountE4 * 100);
      this.account.updatedMs = t;
    }
  }
}
