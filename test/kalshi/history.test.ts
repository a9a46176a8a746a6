// What calibration reads of the past, on both sides of the wire: the client's schemas for the settled listing and
// candlesticks (the recorded market records, and a candlestick response shaped as Kalshi's OpenAPI spec 3.31 gives
// it: no recording of one exists), and the simulated exchange's settled listing and candlesticks over loopback HTTP.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { KalshiApiError } from '../../src/kalshi/errors.js';
import { BatchCandlesticks, SettledMarketsPage } from '../../src/kalshi/schemas.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { DAY, T0, type World, world } from '../support/app.js';

const page1 = JSON.parse(readFileSync(`${FIXTURES_DIR}/markets__page1.json`, 'utf8')) as { markets: Array<Record<string, unknown>>; cursor: string };

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('schemas', () => {
  it('the recorded listing parses as settled records: nothing there is settled, so no result', () => {
    const p = SettledMarketsPage.parse(page1);
    expect(p.skipped).toBe(0);
    expect(p.markets.length).toBe(page1.markets.length);
    expect(p.markets.every((m) => m.result === null && m.settledMs === null)).toBe(true);
    // The same record once settled: result and settlement_ts (RFC 3339, or unix seconds) are read.
    const done = { ...page1.markets[0], status: 'finalized', result: 'no', settlement_ts: '2026-06-12T01:05:00Z' };
    const q = SettledMarketsPage.parse({ markets: [done, { ...done, ticker: 'X-1', settlement_ts: 1781226300 }, { ...done, ticker: 'X-2', result: 'void' }], cursor: '' });
    expect(q.markets.map((m) => [m.result, m.settledMs])).toEqual([
      ['no', Date.parse('2026-06-12T01:05:00Z')],
      ['no', 1781226300_000],
      [null, Date.parse('2026-06-12T01:05:00Z')],
    ]);
    expect(q.cursor).toBeNull();
  });

  it('a batch candlestick response as the spec shapes it: the quote closes are read; a bad candle is skipped', () => {
    const candle = (end: number, bid: string, ask: string) => ({
      end_period_ts: end,
      yes_bid: { open_dollars: bid, low_dollars: bid, high_dollars: bid, close_dollars: bid },
      yes_ask: { open_dollars: ask, low_dollars: ask, high_dollars: ask, close_dollars: ask },
      price: { open_dollars: null, low_dollars: null, high_dollars: null, close_dollars: null, mean_dollars: null, previous_dollars: '0.7700' },
      volume_fp: '0.00',
      open_interest_fp: '1520.00',
    });
    const r = BatchCandlesticks.parse({
      markets: [
        { market_ticker: 'A', candlesticks: [candle(1781000000, '0.7600', '0.7800'), candle(1781003600, '0.7700', '1.2000')] },
        { market_ticker: 'B', candlesticks: [] },
      ],
    });
    expect(r.byTicker.get('A')).toEqual([{ endMs: 1781000000_000, yesBidE4: 7600, yesAskE4: 7800, volumeE2: 0 }]);
    expect(r.byTicker.get('B')).toEqual([]);
    expect(r.skipped).toBe(1);
  });
});

describe('the simulated exchange: settled listing and candlesticks', () => {
  it('lists settled markets newest first within min/max_settled_ts, with result and settlement_ts, in cursor pages', async () => {
    w = await world({ history: { perDay: 50, days: 10 } });
    const app = await w.start();
    const minS = Math.floor((T0 - 4 * DAY) / 1000);
    const maxS = Math.floor((T0 - 2 * DAY) / 1000);
    const seen: string[] = [];
    let cursor: string | null = null;
    let last = Number.POSITIVE_INFINITY;
    do {
      const p: Awaited<ReturnType<typeof app.client.getSettledMarketsPage>> = await app.client.getSettledMarketsPage({ minSettledTs: minS, maxSettledTs: maxS, cursor, limit: 30 });
      for (const m of p.markets) {
        expect(m.result === 'yes' || m.result === 'no').toBe(true);
        expect(m.settledMs).not.toBeNull();
        expect(m.settledMs! / 1000).toBeGreaterThanOrEqual(minS);
        expect(m.settledMs! / 1000).toBeLessThanOrEqual(maxS + 1);
        expect(m.settledMs!).toBeLessThanOrEqual(last);
        last = m.settledMs!;
        seen.push(m.ticker);
      }
      cursor = p.cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    // About two days of fifty a day.
    expect(seen.length).toBeGreaterThan(60);
    expect(seen.length).toBeLessThan(140);
    // A settled listing refuses the created-time filters, as the spec's filter table says.
    await expect(app.client.http.send('GET', '/markets', { searchParams: { status: 'settled', min_created_ts: 1 } })).rejects.toBeInstanceOf(KalshiApiError);
  });

  it('candlesticks: the quote before close, hourly; at most 100 markets and 10,000 candles a request', async () => {
    w = await world({ history: { perDay: 50, days: 10 } });
    const app = await w.start();
    const p = await app.client.getSettledMarketsPage({ limit: 5 });
    const m = p.markets[0]!;
    const end = Math.floor(m.closeMs / 1000) - 24 * 3600;
    const r = await app.client.getCandlesticks({ tickers: [m.ticker], startTs: end - 3 * 3600, endTs: end, periodMinutes: 60 });
    const candles = r.byTicker.get(m.ticker)!;
    expect(candles.length).toBeGreaterThanOrEqual(3);
    expect(candles.every((c) => c.endMs % 3_600_000 === 0 && c.endMs <= end * 1000)).toBe(true);
    // The history's markets hold one quote: every candle closes at it, a 1-3c spread.
    const q = candles[0]!;
    expect(candles.every((c) => c.yesBidE4 === q.yesBidE4 && c.yesAskE4 === q.yesAskE4)).toBe(true);
    expect(q.yesAskE4! - q.yesBidE4!).toBeGreaterThanOrEqual(100);
    expect(q.yesAskE4! - q.yesBidE4!).toBeLessThanOrEqual(300);
    // The single-market endpoint says the same.
    const one = await app.client.http.send('GET', `/series/${m.eventTicker.split('-')[0]}/markets/${m.ticker}/candlesticks`, {
      searchParams: { start_ts: end - 3 * 3600, end_ts: end, period_interval: 60 },
    });
    expect((one.body as { candlesticks: unknown[] }).candlesticks).toHaveLength(candles.length);
    // Limits: 101 tickers, too many candles, a period not offered.
    const many = Array.from({ length: 101 }, (_, i) => `T${i}`);
    await expect(app.client.getCandlesticks({ tickers: many, startTs: end - 3600, endTs: end, periodMinutes: 60 })).rejects.toMatchObject({ status: 400 });
    const all = (await app.client.getSettledMarketsPage({ limit: 100 })).markets.map((x) => x.ticker);
    await expect(app.client.getCandlesticks({ tickers: all, startTs: end - 9 * DAY / 1000, endTs: end, periodMinutes: 1 })).rejects.toMatchObject({ status: 400 });
    await expect(app.client.getCandlesticks({ tickers: [m.ticker], startTs: end - 3600, endTs: end, periodMinutes: 30 })).rejects.toMatchObject({ status: 400 });
  });

  it('with settleClosed every market settles by itself after close, and joins the settled listing', async () => {
    w = await world({ settleClosed: true });
    w.sim.addMarket({ ticker: 'KXQUIET-26NOV26-A', yesBidCents: 80, yesAskCents: 82, closeMs: T0 + 3_600_000, expectedExpirationMs: T0 + 3_600_000 });
    const app = await w.start();
    expect((await app.client.getMarket('KXQUIET-26NOV26-A')).status).toBe('active');
    w.clock.set(T0 + 3_600_000 + 60_000);
    expect((await app.client.getMarket('KXQUIET-26NOV26-A')).status).toBe('closed');
    w.clock.set(T0 + 3_600_000 + 6 * 60_000);
    const listed = await app.client.getSettledMarketsPage({ minSettledTs: Math.floor(T0 / 1000) });
    expect(listed.markets.map((m) => m.ticker)).toEqual(['KXQUIET-26NOV26-A']);
    const r = listed.markets[0]!.result;
    expect(r === 'yes' || r === 'no').toBe(true);
    // Drawn once: the market's own record agrees, then and later.
    w.clock.set(T0 + 5 * 3_600_000);
    const rec = await app.client.http.send('GET', '/markets/KXQUIET-26NOV26-A');
    expect((rec.body as { market: { status: string; result: string } }).market).toMatchObject({ status: 'finalized', result: r });
  });
});
