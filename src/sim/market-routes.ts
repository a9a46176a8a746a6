// Market data: /markets, /markets/{t}, /markets/{t}/orderbook, /events, /series, /exchange, /account.
import { ERR, limitTag, paramValidation, type SimResponse } from './errors.js';
import { decodeCursor, encodeCursor, indexAfter, type SortKey } from './cursor.js';
import { fmtE2, fmtE4, isoSeconds } from './format.js';
import { isResponse, parseLimit, parseTs, type Ctx } from './context.js';
import { corrupt, renderEvent, renderMarket, renderSeries } from './render.js';
import { TIERS } from './ratelimit.js';
import { eventKey, sortKeyOf, statusAt, type SimEvent, type SimMarket } from './universe.js';
import { remaining } from './account.js';

const STATUS_FILTERS = ['unopened', 'open', 'paused', 'closed', 'settled'] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number];

const oneofTag = (op: string, param: string): SimResponse => ({
  status: 400,
  body: paramValidation(op, `Key: '${op}Params.${param}' Error:Field validation for '${param}' failed on the 'oneof' tag`),
});

function statusMatches(m: SimMarket, f: StatusFilter, t: number): boolean {
  const st = statusAt(m, t);
  switch (f) {
    case 'open':
      return st === 'active' || m.leak; // a few closed markets leak in: clients must re-check status
    case 'unopened':
      return st === 'initialized';
    case 'closed':
      return st === 'closed';
    case 'settled':
      return st === 'finalized';
    case 'paused':
      return false;
  }
}

export function renderMarketFor(c: Ctx, m: SimMarket): Record<string, unknown> {
  const ev = c.ex.universe.events.get(m.eventTicker);
  if (!ev) throw new Error(`sim: event ${m.eventTicker} missing`);
  return renderMarket(m, ev, c.ex.seriesOf(m), c.ex.marketState(m, c.t));
}

/** Pre-serialize a page (market pages can be ~2.5 MB; JSON.stringify per record is plenty fast). */
function page(cursor: string, key: string, records: Array<Record<string, unknown>>): SimResponse {
  return rawPage(cursor, key, records.map((r) => JSON.stringify(r)));
}

function rawPage(cursor: string, key: string, json: string[]): SimResponse {
  return { status: 200, body: null, raw: `{"cursor":${JSON.stringify(cursor)},"${key}":[${json.join(',')}]}` };
}

/**
 * A market's listing record as JSON text. With the exchange's render cache on, a generated market whose state (book
 * top, status, result, update time, volumes, last price, shard) is unchanged since it was last rendered is served
 * from the cache: the same bytes a fresh render gives.
 */
function marketJsonFor(c: Ctx, m: SimMarket): string {
  const cache = c.ex.renderCache;
  if (cache === null || m.designed) return JSON.stringify(renderMarketFor(c, m));
  const st = c.ex.marketState(m, c.t);
  const { top } = st;
  const sig = `${top.bidE4} ${top.bidSizeE2} ${top.askE4} ${top.askSizeE2} ${st.status} ${st.result} ${st.updatedMs} ${m.volumeE2} ${m.volume24hE2} ${m.openInterestE2} ${m.lastPriceE4} ${m.exchangeIndex}`;
  const have = cache.get(m.ticker);
  if (have !== undefined && have.sig === sig) return have.json;
  const ev = c.ex.universe.events.get(m.eventTicker);
  if (!ev) throw new Error(`sim: event ${m.eventTicker} missing`);
  const json = JSON.stringify(renderMarket(m, ev, c.ex.seriesOf(m), st));
  cache.set(m.ticker, { sig, json });
  return json;
}

/** Fill the render cache with every open, non-combo generated market (done once at start when asked). */
export function warmListingCache(c: Ctx): void {
  for (const m of c.ex.universe.sorted()) if (!m.combo && !m.designed && statusMatches(m, 'open', c.t)) marketJsonFor(c, m);
}

/** First index in `sorted` (created time descending) whose market was created before `ms`. */
function firstCreatedBefore(sorted: readonly SimMarket[], ms: number, from = 0): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as SimMarket).createdMs < ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function getMarkets(c: Ctx): SimResponse {
  const op = 'GetMarkets';
  const limit = parseLimit(c.q, 100, 1000, (tag) =>
    tag === 'format' ? { status: 400, body: paramValidation(op, 'invalid limit') } : { status: 400, body: limitTag(op, 'Limit', tag) },
  );
  if (isResponse(limit)) return limit;
  const statusRaw = c.q.get('status') || null;
  if (statusRaw !== null && !(STATUS_FILTERS as readonly string[]).includes(statusRaw)) return oneofTag(op, 'Status');
  const status = statusRaw as StatusFilter | null;
  const mve = c.q.get('mve_filter') || null;
  if (mve !== null && mve !== 'exclude' && mve !== 'only') return oneofTag(op, 'MveFilter');
  const ts: Record<string, number | undefined> = {};
  for (const name of ['min_created_ts', 'max_created_ts', 'min_close_ts', 'max_close_ts', 'min_settled_ts', 'max_settled_ts']) {
    const v = parseTs(c.q, name);
    if (v === null) return { status: 400, body: paramValidation(op, `invalid ${name}`) };
    ts[name] = v;
  }
  const createdF = ts.min_created_ts !== undefined || ts.max_created_ts !== undefined;
  const closeF = ts.min_close_ts !== undefined || ts.max_close_ts !== undefined;
  if (createdF && status !== null && status !== 'unopened' && status !== 'open') {
    return { status: 400, body: paramValidation(op, 'min_created_ts and max_created_ts are only compatible with status unopened, open or no status') };
  }
  if (closeF && status !== null && status !== 'closed') {
    return { status: 400, body: paramValidation(op, 'min_close_ts and max_close_ts are only compatible with status closed or no status') };
  }
  const u = c.ex.universe;
  let candidates: SimMarket[];
  const tickers = c.q.get('tickers');
  const eventTicker = c.q.get('event_ticker');
  const seriesTicker = c.q.get('series_ticker');
  if (tickers) {
    candidates = tickers
      .split(',')
      .map((tk) => u.markets.get(tk.trim()))
      .filter((m): m is SimMarket => m !== undefined);
    candidates = [...new Set(candidates)].sort((a, b) => indexOrder(a, b));
  } else if (eventTicker) {
    candidates = [...(u.events.get(eventTicker)?.markets ?? [])].sort((a, b) => indexOrder(a, b));
  } else {
    candidates = u.sorted();
  }
  const after = decodeCursor(c.q.get('cursor'));
  const minC = ts.min_created_ts;
  const maxC = ts.max_created_ts;
  const minX = ts.min_close_ts;
  const maxX = ts.max_close_ts;
  // Candidates are in listing order (created time descending), so the created-time bounds are a contiguous slice:
  // found by binary search instead of testing every market before and after it.
  let start = after ? indexAfter(candidates, sortKeyOf, after) : 0;
  if (maxC !== undefined) start = Math.max(start, firstCreatedBefore(candidates, (maxC + 1) * 1000));
  const end = minC !== undefined ? Math.max(start, firstCreatedBefore(candidates, minC * 1000, start)) : candidates.length;
  const matches = (m: SimMarket): boolean => {
    if (mve === 'exclude' && m.combo) return false;
    if (mve === 'only' && !m.combo) return false;
    if (seriesTicker && m.seriesTicker !== seriesTicker) return false;
    if (status && !statusMatches(m, status, c.t)) return false;
    const cs = Math.floor(m.createdMs / 1000);
    if (minC !== undefined && cs < minC) return false;
    if (maxC !== undefined && cs > maxC) return false;
    const xs = Math.floor(m.closeMs / 1000);
    if (minX !== undefined && xs < minX) return false;
    if (maxX !== undefined && xs > maxX) return false;
    return true;
  };
  const out: SimMarket[] = [];
  let i = start;
  for (; i < end && out.length < limit; i++) {
    const m = candidates[i] as SimMarket;
    if (matches(m)) out.push(m);
  }
  let more = false;
  for (; i < end; i++) {
    if (matches(candidates[i] as SimMarket)) {
      more = true;
      break;
    }
  }
  const last = out[out.length - 1];
  const cursor = more && last ? encodeCursor(sortKeyOf(last)) : '';
  const json = out.map((m) => (c.faults.takeMalformed() ? JSON.stringify(corrupt(renderMarketFor(c, m), m.idx)) : marketJsonFor(c, m)));
  return rawPage(cursor, 'markets', json);
}

function indexOrder(a: SimMarket, b: SimMarket): number {
  const ka = sortKeyOf(a);
  const kb = sortKeyOf(b);
  if (ka[0] !== kb[0]) return kb[0] - ka[0];
  return ka[1] < kb[1] ? -1 : ka[1] > kb[1] ? 1 : 0;
}

export function getMarket(c: Ctx): SimResponse {
  const m = c.ex.universe.markets.get(c.params[0] ?? '');
  if (!m) return { status: 404, body: ERR.notFound };
  return { status: 200, body: { market: renderMarketFor(c, m) } };
}

export function getOrderbook(c: Ctx): SimResponse {
  const m = c.ex.universe.markets.get(c.params[0] ?? '');
  if (!m) return { status: 404, body: ERR.notFound };
  const depthRaw = c.q.get('depth');
  const depth = depthRaw && /^\d+$/.test(depthRaw) ? Number(depthRaw) : 0;
  const book = c.ex.books.get(m, c.t);
  const yes = new Map<number, number>(); // YES bids
  const no = new Map<number, number>(); // NO bids = 1 − YES asks
  for (const l of book.bids) yes.set(l.priceE4, (yes.get(l.priceE4) ?? 0) + l.sizeE2);
  for (const l of book.asks) no.set(10_000 - l.priceE4, (no.get(10_000 - l.priceE4) ?? 0) + l.sizeE2);
  for (const o of c.ex.restingOn(m.ticker)) {
    if (o.side === 'bid') yes.set(o.priceE4, (yes.get(o.priceE4) ?? 0) + remaining(o));
    else no.set(10_000 - o.priceE4, (no.get(10_000 - o.priceE4) ?? 0) + remaining(o));
  }
  // ascending, best bid last; depth keeps the best N
  const side = (mp: Map<number, number>): string[][] => {
    const levels = [...mp.entries()].sort((a, b) => a[0] - b[0]).map(([p, s]) => [fmtE4(p), fmtE2(s)]);
    return depth > 0 ? levels.slice(-depth) : levels;
  };
  return { status: 200, body: { orderbook_fp: { no_dollars: side(no), yes_dollars: side(yes) } } };
}

function eventStatusMatches(ev: SimEvent, f: StatusFilter, t: number): boolean {
  return ev.markets.some((m) => statusMatches(m, f, t) && !(f === 'open' && m.leak && statusAt(m, t) !== 'active'));
}

export function getEvents(c: Ctx): SimResponse {
  const op = 'GetEvents';
  const limit = parseLimit(c.q, 100, 200, (tag) =>
    tag === 'format' ? { status: 400, body: paramValidation(op, 'invalid limit') } : { status: 400, body: limitTag(op, 'Limit', tag) },
  );
  if (isResponse(limit)) return limit;
  const statusRaw = c.q.get('status') || null;
  if (statusRaw !== null && !(STATUS_FILTERS as readonly string[]).includes(statusRaw)) return oneofTag(op, 'Status');
  const status = statusRaw as StatusFilter | null;
  const seriesTicker = c.q.get('series_ticker');
  const nested = c.q.get('with_nested_markets') === 'true';
  const minClose = parseTs(c.q, 'min_close_ts');
  const all = c.ex.universe.sortedEvents();
  const after = decodeCursor(c.q.get('cursor'));
  const start = after ? indexAfter(all, eventKey, after) : 0;
  const matches = (ev: SimEvent): boolean =>
    (!seriesTicker || ev.seriesTicker === seriesTicker) &&
    (!status || eventStatusMatches(ev, status, c.t)) &&
    (typeof minClose !== 'number' || ev.markets.some((m) => m.closeMs / 1000 >= minClose));
  const out: SimEvent[] = [];
  let i = start;
  for (; i < all.length && out.length < limit; i++) if (matches(all[i] as SimEvent)) out.push(all[i] as SimEvent);
  let more = false;
  for (; i < all.length && !more; i++) more = matches(all[i] as SimEvent);
  const last = out[out.length - 1];
  const cursor = more && last ? encodeCursor(eventKey(last) as SortKey) : '';
  const records = out.map((ev) => {
    const rec = renderEvent(ev, c.ex.universe.series.get(ev.seriesTicker) ?? fallbackSeries(ev));
    if (nested) rec.markets = ev.markets.map((m) => renderMarketFor(c, m));
    return rec;
  });
  return page(cursor, 'events', records);
}

const fallbackSeries = (ev: SimEvent) => ({
  ticker: ev.seriesTicker,
  title: ev.seriesTicker,
  category: 'Economics',
  tags: [],
  feeType: 'quadratic' as const,
  feeMultiplierE4: 10_000,
  frequency: 'custom',
  template: null,
  combo: false,
  exchangeIndex: ev.exchangeIndex,
});

export function getEvent(c: Ctx): SimResponse {
  const ev = c.ex.universe.events.get(c.params[0] ?? '');
  if (!ev) return { status: 404, body: ERR.notFound };
  return {
    status: 200,
    body: {
      event: renderEvent(ev, c.ex.universe.series.get(ev.seriesTicker) ?? fallbackSeries(ev)),
      markets: ev.markets.map((m) => renderMarketFor(c, m)),
    },
  };
}

export function getSeriesList(c: Ctx): SimResponse {
  const cat = c.q.get('category');
  const list = [...c.ex.universe.series.values()].filter((s) => !s.combo && (!cat || s.category === cat));
  return { status: 200, body: { series: list.map((x) => renderSeries(x, seriesFeeAt(c, x.ticker))) } };
}

export function getSeries(c: Ctx): SimResponse {
  const s = c.ex.universe.series.get(c.params[0] ?? '');
  if (!s) return { status: 404, body: ERR.notFound };
  return { status: 200, body: { series: renderSeries(s, seriesFeeAt(c, s.ticker)) } };
}

/** A series' own fee rule at the request's time: its latest scheduled change that is due, if any. */
function seriesFeeAt(c: Ctx, seriesTicker: string): { feeType: string; multE4: number } | null {
  let rule: { feeType: string; multE4: number } | null = null;
  for (const f of c.ex.universe.feeChanges) if (f.seriesTicker === seriesTicker && f.scheduledMs <= c.t) rule = { feeType: f.feeType, multE4: f.feeMultiplierE4 };
  return rule;
}

/** Upcoming changes only unless show_historical=true (as documented); optional series_ticker filter. */
export function getFeeChanges(c: Ctx): SimResponse {
  const series = c.q.get('series_ticker');
  const historical = c.q.get('show_historical') === 'true';
  const list = c.ex.universe.feeChanges.filter((f) => (!series || f.seriesTicker === series) && (historical || f.scheduledMs > c.t));
  return {
    status: 200,
    body: {
      series_fee_change_arr: list.map((f) => ({
        fee_multiplier: f.feeMultiplierE4 / 10_000,
        fee_type: f.feeType,
        id: f.id,
        scheduled_ts: isoSeconds(f.scheduledMs),
        series_ticker: f.seriesTicker,
      })),
    },
  };
}

/** Top-level fields describe shard 0; exchange_index_statuses every known shard, ascending. */
export function getExchangeStatus(c: Ctx): SimResponse {
  const s0 = c.ex.shard(0);
  const body: Record<string, unknown> = { exchange_active: s0.exchangeActive, trading_active: s0.tradingActive };
  if (!s0.tradingActive) body.exchange_estimated_resume_time = isoSeconds(c.t + 3_600_000);
  body.exchange_index_statuses = [...c.ex.shards.values()]
    .sort((a, b) => a.index - b.index)
    .map((st) => ({
      description: st.description,
      exchange_active: st.exchangeActive,
      exchange_index: st.index,
      intra_exchange_transfers_active: st.transfersActive,
      trading_active: st.tradingActive,
    }));
  body.intra_exchange_transfers_active = s0.transfersActive;
  return { status: 200, body };
}

export function getAccountLimits(c: Ctx): SimResponse {
  const tier = c.tier === false ? 'basic' : c.tier;
  const r = TIERS[tier];
  return {
    status: 200,
    body: { grants: [], read: { bucket_capacity: r.read, refill_rate: r.read }, usage_tier: tier, write: { bucket_capacity: r.write, refill_rate: r.write } },
  };
}

/** Verbatim from account__endpoint_costs.json. */
const ENDPOINT_COSTS = {
  default_cost: 10,
  endpoint_costs: [
    { cost: 30, method: 'POST', path: '/trade-api/v2/account/api_usage_level/upgrade' },
    { cost: 150, method: 'GET', path: '/trade-api/v2/cfbenchmarks' },
    { cost: 150, method: 'GET', path: '/trade-api/v2/cfbenchmarks/*endpoint' },
    { cost: 2, method: 'POST', path: '/trade-api/v2/communications/quotes' },
    { cost: 2, method: 'DELETE', path: '/trade-api/v2/communications/quotes/:quote_id' },
    { cost: 5, method: 'GET', path: '/trade-api/v2/margin/balance' },
    { cost: 2, method: 'PUT', path: '/trade-api/v2/multivariate_event_collections/:collection_ticker/lookup' },
    { cost: 2, method: 'DELETE', path: '/trade-api/v2/portfolio/events/orders/:order_id' },
    { cost: 2, method: 'DELETE', path: '/trade-api/v2/portfolio/events/orders/batched' },
    { cost: 20, method: 'POST', path: '/trade-api/v2/portfolio/orders' },
    { cost: 4, method: 'DELETE', path: '/trade-api/v2/portfolio/orders/:order_id' },
    { cost: 2, method: 'GET', path: '/trade-api/v2/portfolio/orders/:order_id' },
    { cost: 20, method: 'POST', path: '/trade-api/v2/portfolio/orders/:order_id/amend' },
    { cost: 20, method: 'POST', path: '/trade-api/v2/portfolio/orders/:order_id/decrease' },
    { cost: 4, method: 'DELETE', path: '/trade-api/v2/portfolio/orders/batched' },
    { cost: 20, method: 'POST', path: '/trade-api/v2/portfolio/orders/batched' },
  ],
};
export const getEndpointCosts = (): SimResponse => ({ status: 200, body: ENDPOINT_COSTS });
