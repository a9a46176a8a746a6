// The trader's side of the exchange: orders, fills, positions, cash, settlements, transfers. Money
// in e6 (e4 price × e2 count is exact in e6), fees in e4 (rounded per fill), counts in e2. Cash is
// kept per exchange shard: each matching engine checks collateral on its own.
import { randomUUID } from 'node:crypto';

export type OrderSide = 'bid' | 'ask';
export type OrderStatus = 'resting' | 'canceled' | 'executed';
export type TimeInForce = 'fill_or_kill' | 'good_till_canceled' | 'immediate_or_cancel';
export type Stp = 'taker_at_cross' | 'maker';

export interface Order {
  orderId: string;
  clientOrderId: string;
  ticker: string;
  eventTicker: string;
  side: OrderSide;
  status: OrderStatus;
  priceE4: number; // YES price
  initialE2: number;
  filledE2: number;
  canceledE2: number;
  createdMs: number;
  lastUpdateMs: number;
  expirationS: number | null;
  tif: TimeInForce;
  stp: Stp;
  takerCostE6: number;
  makerCostE6: number;
  takerFeesE4: number;
  makerFeesE4: number;
  /** the shard the order rests on (its market's) */
  exchangeIndex: number;
}

export interface Fill {
  fillId: string;
  orderId: string;
  ticker: string;
  side: OrderSide;
  priceE4: number;
  countE2: number;
  isTaker: boolean;
  feeE4: number;
  tsMs: number;
  micros: number;
  exchangeIndex: number;
}

export interface Position {
  ticker: string;
  eventTicker: string;
  posE2: number; // + YES, − NO
  costE6: number; // cost basis of the open position
  realizedE6: number;
  feesE4: number;
  tradedE6: number;
  lastUpdatedMs: number;
  exchangeIndex: number;
}

export interface Settlement {
  ticker: string;
  eventTicker: string;
  result: 'yes' | 'no';
  yesE2: number;
  noE2: number;
  yesCostE6: number;
  noCostE6: number;
  revenueCents: number;
  feeE4: number;
  settledMs: number;
  exchangeIndex: number;
}

export type ExchangeInstance = 'event_contract' | 'margined';

/** An intra-exchange-instance transfer between shards: the source is debited at once, the destination later. */
export interface Transfer {
  transferId: string;
  source: ExchangeInstance;
  destination: ExchangeInstance;
  sourceShard: number;
  destinationShard: number;
  /** centicents ($1 = 10000), as in the request */
  amountE4: number;
  status: 'pending' | 'complete';
  createdMs: number;
  /** when it completes, on the transfers' own (monotonic) clock */
  dueAt: number;
  /** insertion order: the listing's sort key (the sim clock may be frozen) */
  seq: number;
}

/** Outcome price paid per contract in e4: YES price for a bid, NO price for an ask. */
export const outcomePriceE4 = (side: OrderSide, priceE4: number): number => (side === 'bid' ? priceE4 : 10_000 - priceE4);

export class Account {
  /** cash per shard, e6 */
  readonly cash = new Map<number, number>();
  /** shards that ever held money (listed in balance_breakdown), shard 0 always */
  readonly funded = new Set<number>([0]);
  readonly transfers: Transfer[] = [];
  readonly orders = new Map<string, Order>();
  readonly orderList: Order[] = [];
  readonly clientIds = new Set<string>();
  readonly fills: Fill[] = [];
  readonly positions = new Map<string, Position>();
  readonly settlements: Settlement[] = [];
  updatedMs: number;

  constructor(balanceCents: number, nowMs: number) {
    this.cash.set(0, balanceCents * 10_000); // all starting money on shard 0
    this.updatedMs = nowMs;
  }

  /** Cash on one shard (undefined: every shard). */
  cashE6(shard?: number): number {
    if (shard !== undefined) return this.cash.get(shard) ?? 0;
    let sum = 0;
    for (const v of this.cash.values()) sum += v;
    return sum;
  }

  addCash(shard: number, deltaE6: number): void {
    this.cash.set(shard, (this.cash.get(shard) ?? 0) + deltaE6);
    if (deltaE6 > 0) this.funded.add(shard);
  }

  /** Cash held by resting orders (their worst-case cost), on one shard or (undefined) every shard. */
  reservedE6(shard?: number): number {
    let sum = 0;
    for (const o of this.orderList) {
      if (o.status === 'resting' && (shard === undefined || o.exchangeIndex === shard)) sum += remaining(o) * outcomePriceE4(o.side, o.priceE4);
    }
    return sum;
  }

  availableE6(shard?: number): number {
    return this.cashE6(shard) - this.reservedE6(shard);
  }

  position(ticker: string, eventTicker: string, exchangeIndex: number): Position {
    let p = this.positions.get(ticker);
    if (!p) {
      p = { ticker, eventTicker, posE2: 0, costE6: 0, realizedE6: 0, feesE4: 0, tradedE6: 0, lastUpdatedMs: 0, exchangeIndex };
      this.positions.set(ticker, p);
    }
    return p;
  }

  /** Contracts of `side` that would close an existing opposite position rather than open one. */
  closable(ticker: string, side: OrderSide): number {
    const p = this.positions.get(ticker);
    if (!p) return 0;
    return side === 'bid' ? Math.max(0, -p.posE2) : Math.max(0, p.posE2);
  }

  /** Book one fill against the order: cash, position (netting YES against NO), fees, order totals. */
  applyFill(o: Order, priceE4: number, countE2: number, isTaker: boolean, feeE4: number, tsMs: number): Fill {
    const p = this.position(o.ticker, o.eventTicker, o.exchangeIndex);
    const shard = o.exchangeIndex;
    const closing = Math.min(countE2, this.closable(o.ticker, o.side));
    const opening = countE2 - closing;
    if (closing > 0) {
      // closing sells the held outcome back at its price: YES at p (ask), NO at 1 − p (bid)
      const proceeds = closing * (o.side === 'bid' ? 10_000 - priceE4 : priceE4);
      const basis = Math.floor((p.costE6 * closing) / Math.abs(p.posE2));
      this.addCash(shard, proceeds);
      p.realizedE6 += proceeds - basis;
      p.costE6 -= basis;
      p.posE2 += o.side === 'bid' ? closing : -closing;
    }
    if (opening > 0) {
      const cost = opening * outcomePriceE4(o.side, priceE4);
      this.addCash(shard, -cost);
      p.costE6 += cost;
      p.posE2 += o.side === 'bid' ? opening : -opening;
    }
    const notional = countE2 * outcomePriceE4(o.side, priceE4);
    this.addCash(shard, -feeE4 * 100);
    p.feesE4 += feeE4;
    p.tradedE6 += notional;
    p.lastUpdatedMs = tsMs;
    o.filledE2 += countE2;
    o.lastUpdateMs = tsMs;
    if (isTaker) {
      o.takerCostE6 += notional;
      o.takerFeesE4 += feeE4;
    } else {
      o.makerCostE6 += notional;
      o.makerFeesE4 += feeE4;
    }
    if (remaining(o) === 0 && o.status === 'resting') o.status = 'executed';
    this.updatedMs = tsMs;
    const fill: Fill = {
      fillId: randomUUID(),
      orderId: o.orderId,
      ticker: o.ticker,
      side: o.side,
      priceE4,
      countE2,
      isTaker,
      feeE4,
      tsMs,
      micros: this.fills.length % 1000,
      exchangeIndex: shard,
    };
    this.fills.push(fill);
    return fill;
  }

  addOrder(o: Order): void {
    this.orders.set(o.orderId, o);
    this.orderList.push(o);
    if (o.clientOrderId) this.clientIds.add(o.clientOrderId);
  }

  cancel(o: Order, tsMs: number): number {
    const reduced = remaining(o);
    o.canceledE2 += reduced;
    o.status = 'canceled';
    o.lastUpdateMs = tsMs;
    this.updatedMs = tsMs;
    return reduced;
  }

  /** Pay out a settled market: $1 per winning contract; the position closes. */
  settle(ticker: string, result: 'yes' | 'no', tsMs: number): void {
    const p = this.positions.get(ticker);
    if (!p || p.posE2 === 0) return;
    const yesE2 = Math.max(0, p.posE2);
    const noE2 = Math.max(0, -p.posE2);
    const winE2 = result === 'yes' ? yesE2 : noE2;
    const revenueCents = winE2; // 1 contract (100 e2) pays 100 cents
    this.addCash(p.exchangeIndex, revenueCents * 10_000); // the payout lands on the market's shard
    p.realizedE6 += revenueCents * 10_000 - p.costE6;
    this.settlements.push({
      ticker,
      eventTicker: p.eventTicker,
      result,
      yesE2,
      noE2,
      yesCostE6: yesE2 > 0 ? p.costE6 : 0,
      noCostE6: noE2 > 0 ? p.costE6 : 0,
      revenueCents,
      feeE4: p.feesE4,
      settledMs: tsMs,
      exchangeIndex: p.exchangeIndex,
    });
    p.posE2 = 0;
    p.costE6 = 0;
    p.lastUpdatedMs = tsMs;
    this.updatedMs = tsMs;
  }
}

export const remaining = (o: Order): number => o.initialE2 - o.filledE2 - o.canceledE2;
