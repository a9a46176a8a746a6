// What a calibration reads of the past: the settled listing (GET /markets?status=settled with min/max_settled_ts)
// and candlesticks (GET /markets/candlesticks for up to 100 markets, GET /series/{s}/markets/{t}/candlesticks for
// one), shaped as Kalshi's OpenAPI spec 3.31 gives them (BatchGetMarketCandlesticksResponse, MarketCandlestick).
// Settled markets are the history's (see history.ts) and the universe's own that settled during the run.
import { isResponse, parseLimit, parseTs, type Ctx } from './context.js';
import { decodeCursor, encodeCursor, indexAfter, type SortKey } from './cursor.js';
import { ERR, limitTag, paramValidation, type SimResponse } from './errors.js';
import { fmtE2, fmtE4, isoSeconds } from './format.js';
import { getMarkets, renderMarketFor } from './market-routes.js';
import { hash32 } from './prng.js';
import { renderMarket } from './render.js';
import { movedTop, priceOffsetE4, statusAt, type SimMarket } from './universe.js';

/** GET /markets: the settled listing here, everything else as before. */
export function marketsRoute(c: Ctx): SimResponse {
  return c.q.get('status') === 'settled' ? getSettledMarkets(c) : getMarkets(c);
}

interface Settled {
  m: SimMarket;
  settledMs: number;
  render(): Record<string, unknown>;
}

/** Every settled market at c.t: the history's and the universe's (those settled by a position, a test, or by themselves). */
function settledMarkets(c: Ctx): Settled[] {
  const out: Settled[] = [];
  const h = c.ex.history;
  if (h) {
    for (const x of h.markets) {
      const s = c.ex.universe.series.get(x.m.seriesTicker);
      if (!s) continue;
      out.push({
        m: x.m,
        settledMs: x.settledMs,
        render: () => renderMarket(x.m, x.ev, s, { top: quoteAt(c, x.m, x.m.closeMs), status: 'finalized', result: x.result, updatedMs: x.settledMs }),
      });
    }
  }
  for (const m of c.ex.universe.markets.values()) {
    if (m.combo) continue;
    const st = statusAt(m, c.t);
    if (st !== 'finalized' && !(st === 'closed' && c.ex.settlesByItself(m, c.t))) continue;
    const state = c.ex.marketState(m, c.t); // settles a quiet market (and draws its result) on first sight
    if (state.result === '') continue; // settled but not determined (a test set the status without a result)
    let at = c.ex.settledAt.get(m.ticker);
    if (at === undefined) {
      at = c.t;
      c.ex.settledAt.set(m.ticker, at);
    }
    out.push({ m, settledMs: at, render: () => renderMarketFor(c, m) });
  }
  return out.sort((a, b) => (a.settledMs !== b.settledMs ? b.settledMs - a.settledMs : a.m.ticker < b.m.ticker ? -1 : a.m.ticker > b.m.ticker ? 1 : 0));
}

const keyOf = (s: Settled): SortKey => [s.settledMs, s.m.ticker];

export function getSettledMarkets(c: Ctx): SimResponse {
  const op = 'GetMarkets';
  const limit = parseLimit(c.q, 100, 1000, (tag) =>
    tag === 'format' ? { status: 400, body: paramValidation(op, 'invalid limit') } : { status: 400, body: limitTag(op, 'Limit', tag) },
  );
  if (isResponse(limit)) return limit;
  for (const name of ['min_created_ts', 'max_created_ts', 'min_close_ts', 'max_close_ts']) {
    if (c.q.get(name)) return { status: 400, body: paramValidation(op, `${name} is not compatible with status settled`) };
  }
  const minS = parseTs(c.q, 'min_settled_ts');
  const maxS = parseTs(c.q, 'max_settled_ts');
  if (minS === null || maxS === null) return { status: 400, body: paramValidation(op, 'invalid settled timestamp') };
  const mve = c.q.get('mve_filter') || null;
  if (mve !== null && mve !== 'exclude' && mve !== 'only') {
    return { status: 400, body: paramValidation(op, "Key: 'GetMarketsParams.MveFilter' Error:Field validation for 'MveFilter' failed on the 'oneof' tag") };
  }
  const tickers = c.q.get('tickers') ? new Set(c.q.get('tickers')!.split(',').map((t) => t.trim())) : null;
  const eventTicker = c.q.get('event_ticker');
  const seriesTicker = c.q.get('series_ticker');
  const all = settledMarkets(c).filter(
    (s) =>
      (mve !== 'only') &&
      (minS === undefined || Math.floor(s.settledMs / 1000) >= minS) &&
      (maxS === undefined || Math.floor(s.settledMs / 1000) <= maxS) &&
      (!tickers || tickers.has(s.m.ticker)) &&
      (!eventTicker || s.m.eventTicker === eventTicker) &&
      (!seriesTicker || s.m.seriesTicker === seriesTicker),
  );
  const after = decodeCursor(c.q.get('cursor'));
  const start = after ? indexAfter(all, keyOf, after) : 0;
  const page = all.slice(start, start + limit);
  const more = start + limit < all.length;
  const last = page.at(-1);
  const json = page.map((s) => {
    const rec = s.render();
    rec.settlement_ts = isoSeconds(s.settledMs);
    rec.settlement_value_dollars = rec.result === 'yes' ? '1.0000' : '0.0000';
    return JSON.stringify(rec);
  });
  return { status: 200, body: null, raw: `{"cursor":${JSON.stringify(more && last ? encodeCursor(keyOf(last)) : '')},"markets":[${json.join(',')}]}` };
}

/** The quote of a market at time t: a history market's never changes; a universe market's moves as its book does. */
function quoteAt(c: Ctx, m: SimMarket, t: number): { bidE4: number; bidSizeE2: number; askE4: number; askSizeE2: number } {
  if (c.ex.history?.byTicker.has(m.ticker)) return { bidE4: m.bidE4, bidSizeE2: m.bidSizeE2, askE4: m.askE4, askSizeE2: m.askSizeE2 };
  const { bidE4, askE4 } = movedTop(m, priceOffsetE4(m, t));
  return {
    bidE4: m.bidSizeE2 > 0 ? bidE4 : 0,
    bidSizeE2: m.bidSizeE2,
    askE4: m.askSizeE2 > 0 ? askE4 : m.emptyAskZero ? 0 : 10_000,
    askSizeE2: m.askSizeE2,
  };
}

const PERIODS = new Set([1, 60, 1440]);
/** "Returns up to 10,000 candlesticks total across all markets." */
const MAX_CANDLES = 10_000;
const MAX_TICKERS = 100;

const ohlc = (open: number, close: number) => ({
  close_dollars: fmtE4(close),
  high_dollars: fmtE4(Math.max(open, close)),
  low_dollars: fmtE4(Math.min(open, close)),
  open_dollars: fmtE4(open),
});

/** The candles of one market ending within [startS, endS], one per period its market was open in. */
function candlesOf(c: Ctx, m: SimMarket, startS: number, endS: number, periodS: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const first = Math.max(Math.ceil(startS / periodS), Math.floor(m.openMs / 1000 / periodS) + 1) * periodS;
  const last = Math.min(endS, Math.ceil(m.closeMs / 1000 / periodS) * periodS);
  for (let e = first; e <= last; e += periodS) {
    const open = quoteAt(c, m, (e - periodS) * 1000);
    const close = quoteAt(c, m, Math.min(e * 1000, m.closeMs - 1));
    const traded = hash32(m.idx, e, 9) % 3 !== 0;
    const mid = Math.round((close.bidE4 + close.askE4) / 200) * 100;
    out.push({
      end_period_ts: e,
      open_interest_fp: fmtE2(m.openInterestE2),
      price: traded
        ? { close_dollars: fmtE4(mid), high_dollars: fmtE4(mid), low_dollars: fmtE4(mid), mean_dollars: fmtE4(mid), open_dollars: fmtE4(mid), previous_dollars: fmtE4(mid) }
        : { close_dollars: null, high_dollars: null, low_dollars: null, mean_dollars: null, open_dollars: null, previous_dollars: fmtE4(mid) },
      volume_fp: fmtE2(traded ? 100 * (1 + (hash32(m.idx, e, 10) % 200)) : 0),
      yes_ask: ohlc(open.askE4, close.askE4),
      yes_bid: ohlc(open.bidE4, close.bidE4),
    });
  }
  return out;
}

function marketOf(c: Ctx, ticker: string): SimMarket | undefined {
  return c.ex.history?.byTicker.get(ticker)?.m ?? c.ex.universe.markets.get(ticker);
}

function candleParams(c: Ctx, op: string): { startS: number; endS: number; periodS: number } | SimResponse {
  const startS = parseTs(c.q, 'start_ts');
  const endS = parseTs(c.q, 'end_ts');
  const period = c.q.get('period_interval');
  if (typeof startS !== 'number') return { status: 400, body: paramValidation(op, 'start_ts is required') };
  if (typeof endS !== 'number') return { status: 400, body: paramValidation(op, 'end_ts is required') };
  if (period === null || !/^\d+$/.test(period) || !PERIODS.has(Number(period))) {
    return { status: 400, body: paramValidation(op, `Key: '${op}Params.PeriodInterval' Error:Field validation for 'PeriodInterval' failed on the 'oneof' tag`) };
  }
  return { startS, endS, periodS: Number(period) * 60 };
}

/** GET /markets/candlesticks?market_tickers=A,B&start_ts&end_ts&period_interval */
export function getBatchCandlesticks(c: Ctx): SimResponse {
  const op = 'BatchGetMarketCandlesticks';
  const raw = c.q.get('market_tickers');
  if (!raw) return { status: 400, body: paramValidation(op, 'market_tickers is required') };
  const tickers = [...new Set(raw.split(',').map((t) => t.trim()).filter(Boolean))];
  if (tickers.length > MAX_TICKERS) return { status: 400, body: paramValidation(op, `at most ${MAX_TICKERS} market tickers`) };
  const p = candleParams(c, op);
  if (isResponse(p)) return p;
  const markets: Array<{ market_ticker: string; candlesticks: Array<Record<string, unknown>> }> = [];
  let total = 0;
  for (const t of tickers) {
    const m = marketOf(c, t);
    if (!m || m.combo) continue;
    const candlesticks = candlesOf(c, m, p.startS, p.endS, p.periodS);
    total += candlesticks.length;
    if (total > MAX_CANDLES) return { status: 400, body: paramValidation(op, `the request would return more than ${MAX_CANDLES} candlesticks`) };
    markets.push({ market_ticker: t, candlesticks });
  }
  return { status: 200, body: { markets } };
}

/** GET /series/{series_ticker}/markets/{ticker}/candlesticks */
export function getMarketCandlesticks(c: Ctx): SimResponse {
  const op = 'GetMarketCandlesticks';
  const m = marketOf(c, c.params[1] ?? '');
  if (!m || m.seriesTicker !== c.params[0]) return { status: 404, body: ERR.notFound };
  const p = candleParams(c, op);
  if (isResponse(p)) return p;
  const candlesticks = candlesOf(c, m, p.startS, p.endS, p.periodS);
  if (candlesticks.length > MAX_CANDLES) return { status: 400, body: paramValidation(op, `the request would return more than ${MAX_CANDLES} candlesticks`) };
  return { status: 200, body: { candlesticks, ticker: m.ticker } };
}
