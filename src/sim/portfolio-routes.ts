// /portfolio/*: orders (V2), fills, positions, balance, settlements, intra-exchange transfers. All
// signed. Records carry their market's exchange_index; lists take an optional exchange_index filter.
import { remaining, type Fill, type Order, type Settlement, type Transfer } from './account.js';
import { isResponse, parseLimit, parseTs, type Ctx } from './context.js';
import { decodeCursor, encodeCursor, indexAfter, type SortKey } from './cursor.js';
import { ERR, invalidParameters, limitTag, paramValidation, type SimResponse } from './errors.js';
import { fmtE2, fmtE4, fmtE6, isoMicros, isoSeconds } from './format.js';
import type { CancelRoute } from './exchange.js';
import { decodeCreateOrder, decodeTransfer } from './order-body.js';
import { MAX_SHARD, parseShardText } from './shards.js';

const USER_ID = 'f50604b8-d25a-4b0c-b3c9-ce5b48ffcad0';

/** V2 names the outcome bought: a bid buys YES, an ask (sell YES) buys NO. */
const outcome = (side: 'bid' | 'ask'): 'yes' | 'no' => (side === 'bid' ? 'yes' : 'no');

export function renderOrder(o: Order): Record<string, unknown> {
  const rec: Record<string, unknown> = {
    action: 'buy',
    book_side: o.side,
    client_order_id: o.clientOrderId,
    created_time: isoMicros(o.createdMs),
    exchange_index: o.exchangeIndex,
  };
  if (o.expirationS !== null) rec.expiration_time = isoSeconds(o.expirationS * 1000);
  Object.assign(rec, {
    fill_count_fp: fmtE2(o.filledE2),
    initial_count_fp: fmtE2(o.initialE2),
    last_update_time: isoMicros(o.lastUpdateMs),
    maker_fees_dollars: fmtE6(o.makerFeesE4 * 100),
    maker_fill_cost_dollars: fmtE6(o.makerCostE6),
    no_price_dollars: fmtE4(10_000 - o.priceE4),
    order_id: o.orderId,
    outcome_side: outcome(o.side),
    remaining_count_fp: fmtE2(remaining(o)),
    self_trade_prevention_type: o.stp,
    side: outcome(o.side),
    status: o.status,
    subaccount_number: 0,
    taker_fees_dollars: fmtE6(o.takerFeesE4 * 100),
    taker_fill_cost_dollars: fmtE6(o.takerCostE6),
    ticker: o.ticker,
    type: 'limit',
    user_id: USER_ID,
    yes_price_dollars: fmtE4(o.priceE4),
  });
  return rec;
}

function renderFill(f: Fill): Record<string, unknown> {
  return {
    action: 'buy',
    book_side: f.side,
    count_fp: fmtE2(f.countE2),
    created_time: isoMicros(f.tsMs, f.micros),
    exchange_index: f.exchangeIndex,
    fee_cost: fmtE6(f.feeE4 * 100),
    fill_id: f.fillId,
    is_taker: f.isTaker,
    market_ticker: f.ticker,
    no_price_dollars: fmtE4(10_000 - f.priceE4),
    order_id: f.orderId,
    outcome_side: outcome(f.side),
    side: outcome(f.side),
    subaccount_number: 0,
    ticker: f.ticker,
    trade_id: f.fillId,
    ts: Math.floor(f.tsMs / 1000),
    yes_price_dollars: fmtE4(f.priceE4),
  };
}

/** Keyset paging over a list already in listing order (newest first). */
function pageOf<T>(
  c: Ctx,
  op: string,
  all: T[],
  keyOf: (t: T) => SortKey,
  matches: (t: T) => boolean,
  max = 1000,
): { items: T[]; cursor: string } | SimResponse {
  const limit = parseLimit(c.q, 100, max, (tag) =>
    tag === 'format' ? { status: 400, body: paramValidation(op, 'invalid limit') } : { status: 400, body: limitTag(op, 'Limit', tag) },
  );
  if (isResponse(limit)) return limit;
  const after = decodeCursor(c.q.get('cursor'));
  const start = after ? indexAfter(all, keyOf, after) : 0;
  const items: T[] = [];
  let i = start;
  for (; i < all.length && items.length < limit; i++) if (matches(all[i] as T)) items.push(all[i] as T);
  let more = false;
  for (; i < all.length && !more; i++) more = matches(all[i] as T);
  const last = items[items.length - 1];
  return { items, cursor: more && last ? encodeCursor(keyOf(last)) : '' };
}

const newestFirst = <T>(list: readonly T[]): T[] => [...list].reverse();

export function createOrder(c: Ctx): SimResponse {
  const inp = decodeCreateOrder(c.bodyText);
  if (isResponse(inp)) return inp;
  return c.ex.createOrder(inp, c.t);
}

/**
 * Kalshi's GET of a single order lags a cancel: recorded 412 ms after a 200 cancel it still said
 * "resting" (orders__get_after_cancel.json). The order list is current. Keep the old view briefly.
 */
const STALE_AFTER_CANCEL_MS = 400;
const staleViews = new WeakMap<object, Map<string, { until: number; view: unknown }>>();

/**
 * The cancel's shard, from its QUERY (CancelOrderV2): exchange_index >= 0 goes there; -1 needs
 * market_ticker and goes to that market's shard; no index + market_ticker auto-routes; neither = 0.
 */
function cancelRoute(c: Ctx): CancelRoute | SimResponse {
  const rawIdx = c.q.get('exchange_index');
  const ticker = c.q.get('market_ticker') || null;
  let idx: number | null = null;
  if (rawIdx !== null && rawIdx !== '') {
    idx = parseShardText(rawIdx);
    if (idx === null) return { status: 400, body: invalidParameters(`exchange_index: must be -1 (auto-route) or 0..${MAX_SHARD}`) };
  }
  if (idx === -1 && ticker === null) return { status: 400, body: invalidParameters('exchange_index -1 (auto-route) requires market_ticker') };
  if (idx !== null && idx >= 0) return { shard: idx, ticker };
  if (ticker !== null) {
    const m = c.ex.universe.markets.get(ticker);
    if (!m) return { status: 404, body: ERR.notFound }; // no market, so no order of it anywhere
    return { shard: m.exchangeIndex, ticker };
  }
  return { shard: 0, ticker: null };
}

export function cancelOrder(c: Ctx): SimResponse {
  const route = cancelRoute(c);
  if (isResponse(route)) return route;
  const id = c.params[0] ?? '';
  const o = c.ex.account.orders.get(id);
  const before = o ? renderOrder(o) : null;
  const r = c.ex.cancelOrder(id, route, c.t);
  if (before && r.status === 200) {
    let views = staleViews.get(c.ex);
    if (!views) staleViews.set(c.ex, (views = new Map()));
    views.set(id, { until: Date.now() + STALE_AFTER_CANCEL_MS, view: before });
  }
  return r;
}

/** DELETE /portfolio/events/orders (CancelAllOrders): every shard, 204 with no body; `subaccount` ignored. */
export function cancelAllOrders(c: Ctx): SimResponse {
  c.ex.cancelAll(c.t);
  return { status: 204, body: null };
}

export const deprecatedV1 = (): SimResponse => ({ status: 410, body: ERR.deprecatedV1 });

/**
 * GetOrder takes no shard. The inferred reading (default): it finds orders on every shard. With
 * getOrderShard0Only, an order off shard 0 is not found (the other possible reading).
 */
export function getOrder(c: Ctx): SimResponse {
  const id = c.params[0] ?? '';
  const o = c.ex.account.orders.get(id);
  if (!o || (c.ex.getOrderShard0Only && o.exchangeIndex !== 0)) return { status: 404, body: ERR.notFound };
  const stale = staleViews.get(c.ex)?.get(id);
  if (stale && Date.now() < stale.until) return { status: 200, body: { order: stale.view } };
  return { status: 200, body: { order: renderOrder(o) } };
}

/** The min_ts/max_ts window (Unix seconds, inclusive) of a list endpoint, as a test on epoch ms; or its 400. */
function tsWindow(c: Ctx, endpoint: string): ((ms: number) => boolean) | SimResponse {
  const minTs = parseTs(c.q, 'min_ts');
  const maxTs = parseTs(c.q, 'max_ts');
  if (minTs === null || maxTs === null) return { status: 400, body: paramValidation(endpoint, 'invalid timestamp') };
  return (ms) => (minTs === undefined || ms >= minTs * 1000) && (maxTs === undefined || ms <= maxTs * 1000);
}

/** The optional exchange_index filter (ExchangeIndexFilterQuery: gte=0); undefined = every shard. */
function shardFilter(c: Ctx, op: string): number | undefined | SimResponse {
  const raw = c.q.get('exchange_index');
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d{1,9}$/.test(raw)) return { status: 400, body: paramValidation(op, 'invalid exchange_index') };
  const n = Number(raw);
  if (n < 0) return { status: 400, body: limitTag(op, 'ExchangeIndex', 'gte') };
  return n;
}

const onShard = (k: number | undefined, rec: { exchangeIndex: number }): boolean => k === undefined || rec.exchangeIndex === k;

export function getOrders(c: Ctx): SimResponse {
  const status = c.q.get('status') || null;
  if (status !== null && !['resting', 'canceled', 'executed'].includes(status)) {
    return { status: 400, body: invalidParameters('status must be one of resting, canceled, executed') };
  }
  const ticker = c.q.get('ticker');
  const eventTicker = c.q.get('event_ticker');
  const inWindow = tsWindow(c, 'GetOrders');
  if (isResponse(inWindow)) return inWindow;
  const shard = shardFilter(c, 'GetOrders');
  if (isResponse(shard)) return shard;
  const res = pageOf(
    c,
    'GetOrders',
    newestFirst(c.ex.account.orderList),
    (o): SortKey => [o.createdMs, o.orderId],
    (o) =>
      (!status || o.status === status) &&
      (!ticker || o.ticker === ticker) &&
      (!eventTicker || o.eventTicker === eventTicker) &&
      onShard(shard, o) &&
      inWindow(o.createdMs),
  );
  if (isResponse(res)) return res;
  return { status: 200, body: { cursor: res.cursor, orders: res.items.map(renderOrder) } };
}

export function getFills(c: Ctx): SimResponse {
  const ticker = c.q.get('ticker');
  const orderId = c.q.get('order_id');
  const inWindow = tsWindow(c, 'GetFills');
  if (isResponse(inWindow)) return inWindow;
  const shard = shardFilter(c, 'GetFills');
  if (isResponse(shard)) return shard;
  const res = pageOf(
    c,
    'GetFills',
    newestFirst(c.ex.account.fills),
    (f): SortKey => [f.tsMs, f.fillId],
    (f) =>
      (!ticker || f.ticker === ticker) &&
      (!orderId || f.orderId === orderId) &&
      onShard(shard, f) &&
      inWindow(f.tsMs),
  );
  if (isResponse(res)) return res;
  return { status: 200, body: { cursor: res.cursor, fills: res.items.map(renderFill) } };
}

export function getPositions(c: Ctx): SimResponse {
  const ticker = c.q.get('ticker');
  const eventTicker = c.q.get('event_ticker');
  const shard = shardFilter(c, 'GetPositions');
  if (isResponse(shard)) return shard;
  const acct = c.ex.account;
  const resting = new Map<string, number>();
  for (const o of acct.orderList) if (o.status === 'resting') resting.set(o.ticker, (resting.get(o.ticker) ?? 0) + 1);
  const market_positions = [];
  const events = new Map<string, { exposure: number; fees: number; realized: number; cost: number; shares: number }>();
  for (const p of [...acct.positions.values()].sort((a, b) => (a.ticker < b.ticker ? -1 : 1))) {
    if (ticker && p.ticker !== ticker) continue;
    if (eventTicker && p.eventTicker !== eventTicker) continue;
    if (!onShard(shard, p)) continue;
    const rest = resting.get(p.ticker) ?? 0;
    if (p.posE2 === 0 && rest === 0 && p.tradedE6 === 0) continue;
    market_positions.push({
      exchange_index: p.exchangeIndex,
      fees_paid_dollars: fmtE6(p.feesE4 * 100),
      last_updated_ts: isoMicros(p.lastUpdatedMs),
      market_exposure_dollars: fmtE6(p.costE6),
      position_fp: fmtE2(p.posE2),
      realized_pnl_dollars: fmtE6(p.realizedE6),
      ticker: p.ticker,
      total_traded_dollars: fmtE6(p.tradedE6),
    });
    const e = events.get(p.eventTicker) ?? { exposure: 0, fees: 0, realized: 0, cost: 0, shares: 0 };
    e.exposure += p.costE6;
    e.fees += p.feesE4 * 100;
    e.realized += p.realizedE6;
    e.cost += p.tradedE6;
    e.shares += Math.abs(p.posE2);
    events.set(p.eventTicker, e);
  }
  const event_positions = [...events.entries()].map(([et, e]) => ({
    event_exposure_dollars: fmtE6(e.exposure),
    event_ticker: et,
    fees_paid_dollars: fmtE6(e.fees),
    realized_pnl_dollars: fmtE6(e.realized),
    total_cost_dollars: fmtE6(e.cost),
    total_cost_shares_fp: fmtE2(e.shares),
  }));
  return { status: 200, body: { cursor: '', event_positions, market_positions } };
}

/**
 * GET /portfolio/balance[?exchange_index=k]: totals over every shard unless k is given. `balance`
 * and `portfolio_value` are integer CENTS, `balance_dollars` and each balance_breakdown[].balance a
 * DOLLAR string. "Balance" is what is available: cash minus the collateral resting orders hold;
 * money of a pending transfer is on neither shard. The breakdown lists shard 0 and every shard that
 * ever held money, ascending.
 */
export function getBalance(c: Ctx): SimResponse {
  const k = shardFilter(c, 'GetBalance');
  if (isResponse(k)) return k;
  const acct = c.ex.account;
  const avail = acct.availableE6(k);
  // portfolio value: open positions marked at the bid of the held outcome
  let valueE6 = 0;
  for (const p of acct.positions.values()) {
    if (p.posE2 === 0 || !onShard(k, p)) continue;
    const m = c.ex.universe.markets.get(p.ticker);
    if (!m) continue;
    const top = c.ex.books.top(m, c.t);
    const mark = p.posE2 > 0 ? (top.bidSizeE2 > 0 ? top.bidE4 : 0) : top.askSizeE2 > 0 ? 10_000 - top.askE4 : 0;
    valueE6 += Math.abs(p.posE2) * mark;
  }
  const dollars = (e6: number): string => fmtE4(Math.floor(e6 / 100));
  const shards = k === undefined ? [...acct.funded].sort((a, b) => a - b) : [k];
  return {
    status: 200,
    body: {
      balance: Math.floor(avail / 10_000),
      balance_breakdown: shards.map((s) => ({ balance: dollars(acct.availableE6(s)), exchange_index: s })),
      balance_dollars: dollars(avail),
      portfolio_value: Math.floor(valueE6 / 10_000),
      updated_ts: Math.floor(acct.updatedMs / 1000),
    },
  };
}

export function getSettlements(c: Ctx): SimResponse {
  const ticker = c.q.get('ticker');
  const inWindow = tsWindow(c, 'GetSettlements');
  if (isResponse(inWindow)) return inWindow;
  const res = pageOf(
    c,
    'GetSettlements',
    newestFirst(c.ex.account.settlements),
    (s: Settlement): SortKey => [s.settledMs, s.ticker],
    (s) =>
      (!ticker || s.ticker === ticker) &&
      inWindow(s.settledMs),
  );
  if (isResponse(res)) return res;
  return {
    status: 200,
    body: {
      cursor: res.cursor,
      settlements: res.items.map((s) => ({
        event_ticker: s.eventTicker,
        exchange_index: s.exchangeIndex,
        fee_cost: fmtE6(s.feeE4 * 100),
        market_result: s.result,
        no_count_fp: fmtE2(s.noE2),
        no_total_cost_dollars: fmtE6(s.noCostE6),
        revenue: s.revenueCents,
        settled_time: isoMicros(s.settledMs),
        ticker: s.ticker,
        value: s.result === 'yes' ? 100 : 0,
        yes_count_fp: fmtE2(s.yesE2),
        yes_total_cost_dollars: fmtE6(s.yesCostE6),
      })),
    },
  };
}


function renderTransfer(tr: Transfer): Record<string, unknown> {
  return {
    amount: fmtE4(tr.amountE4), // centicents in the request, a dollar string here
    created_ts: Math.floor(tr.createdMs / 1000),
    destination: tr.destination,
    destination_exchange_shard: tr.destinationShard,
    source: tr.source,
    source_exchange_shard: tr.sourceShard,
    status: tr.status,
    transfer_id: tr.transferId,
  };
}

/** POST /portfolio/intra_exchange_instance_transfer: accepted (200 {transfer_id}), completed later. */
export function createTransfer(c: Ctx): SimResponse {
  const inp = decodeTransfer(c.bodyText);
  if (isResponse(inp)) return inp;
  return c.ex.createTransfer(inp, c.t);
}

/** GET /portfolio/intra_exchange_instance_transfers: newest first, limit 1..500 (100); no cursor key on the last page. */
export function getTransfers(c: Ctx): SimResponse {
  const res = pageOf(
    c,
    'GetIntraExchangeInstanceTransfers',
    newestFirst(c.ex.account.transfers),
    (tr): SortKey => [tr.seq, tr.transferId],
    () => true,
    500,
  );
  if (isResponse(res)) return res;
  const body: Record<string, unknown> = { transfers: res.items.map(renderTransfer) };
  if (res.cursor) body.cursor = res.cursor;
  return { status: 200, body };
}

export function getTransfer(c: Ctx): SimResponse {
  const id = c.params[0] ?? '';
  const tr = c.ex.account.transfers.find((x) => x.transferId === id);
  if (!tr) return { status: 404, body: ERR.notFound };
  return { status: 200, body: { transfer: renderTransfer(tr) } };
}
