import { afterEach, describe, expect, it } from 'vitest';
import type { SimExchange } from '../../src/sim/index.js';
import { fixture, setup, type TestClient } from '../support/sim.js';

let sim: SimExchange | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

async function walk(c: TestClient, query: string): Promise<{ markets: any[]; pages: number }> {
  const markets: any[] = [];
  let cursor = '';
  let pages = 0;
  const seen = new Set<string>();
  do {
    const r = await c.get(`/markets?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status).toBe(200);
    markets.push(...r.body.markets);
    expect(seen.has(r.body.cursor)).toBe(false);
    seen.add(r.body.cursor);
    cursor = r.body.cursor;
    pages++;
  } while (cursor !== '');
  return { markets, pages };
}

describe('sim /markets', () => {
  it('limit=1001 answers the recorded 400 msg body', async () => {
    const s = await setup({ markets: 10 });
    sim = s.sim;
    const r = await s.client.get('/markets?limit=1001');
    expect(r.status).toBe(400);
    expect(r.body).toEqual(fixture('markets__limit_over_max'));
    expect((await s.client.get('/markets?limit=1000')).status).toBe(200);
  });

  it('a full open scan returns every open non-combo market exactly once and ends with cursor ""', async () => {
    const s = await setup({ markets: 900, combos: 100, leakClosed: 5 });
    sim = s.sim;
    const { markets, pages } = await walk(s.client, 'status=open&mve_filter=exclude&limit=100');
    expect(pages).toBeGreaterThanOrEqual(9);
    const tickers = markets.map((m) => m.ticker as string);
    expect(new Set(tickers).size).toBe(tickers.length);
    const active = markets.filter((m) => m.status === 'active').map((m) => m.ticker as string);
    expect(active.sort()).toEqual(s.sim.openMarketTickers().sort());
    expect(active.length).toBe(900);
    // leaked closed markets appear and say so
    expect(markets.filter((m) => m.status === 'closed').length).toBe(5);
    expect(tickers.some((t) => t.startsWith('KXMVE'))).toBe(false);
  });

  it('records carry the recorded field set and string forms', async () => {
    const s = await setup({ markets: 300 });
    sim = s.sim;
    const r = await s.client.get('/markets?limit=300&mve_filter=exclude&status=open');
    const rec = fixture('markets__single') as { market: Record<string, unknown> };
    // Fields the wire dropped since the recording (2026-07-09) are gone from the sim too.
    const dropped = ['response_price_units', 'fractional_trading_enabled'];
    const required = Object.keys(rec.market).filter((k) => k !== 'custom_strike' && !dropped.includes(k));
    for (const m of r.body.markets) {
      for (const k of required) expect(m, k).toHaveProperty(k);
      for (const k of dropped) expect(m, k).not.toHaveProperty(k);
      for (const k of ['yes_bid_dollars', 'yes_ask_dollars', 'no_bid_dollars', 'no_ask_dollars', 'last_price_dollars']) {
        expect(m[k]).toMatch(/^[01]\.\d{4}$/);
      }
      for (const k of ['volume_fp', 'volume_24h_fp', 'yes_bid_size_fp', 'yes_ask_size_fp', 'open_interest_fp']) {
        expect(m[k]).toMatch(/^\d+\.\d{2}$/);
      }
      expect(m.price_ranges[0].step).toMatch(/^0\.0(100|010)$/);
    }
    const len = JSON.stringify(r.body.markets).length / r.body.markets.length;
    expect(len).toBeGreaterThan(1500);
    // prices cover the range, with a share in the bands
    const asks = r.body.markets.filter((m: any) => m.yes_ask_size_fp !== '0.00').map((m: any) => Number(m.yes_ask_dollars));
    // U-shaped like the real universe: most near 0 or 1, still a real share in each band.
    const share = (lo: number, hi: number) => asks.filter((p: number) => p >= lo && p <= hi).length / asks.length;
    expect(share(0.7, 0.87)).toBeGreaterThan(0.05);
    expect(share(0.13, 0.3)).toBeGreaterThan(0.05);
    expect(share(0.01, 0.1) + share(0.9, 0.99)).toBeGreaterThan(0.3);
    expect(r.body.markets.some((m: any) => m.yes_bid_size_fp === '0.00' && m.yes_bid_dollars === '0.0000')).toBe(true);
  });

  it('combos appear without the filter, only with mve_filter=only, and quote 1.0000/1.0000', async () => {
    const s = await setup({ markets: 200, combos: 50 });
    sim = s.sim;
    const all = await walk(s.client, 'status=open&limit=1000');
    expect(all.markets.filter((m) => m.ticker.startsWith('KXMVE')).length).toBe(50);
    const only = await walk(s.client, 'mve_filter=only&limit=1000');
    expect(only.markets.length).toBe(50);
    for (const m of only.markets) {
      expect(m.mve_collection_ticker).toMatch(/^KXMVE/);
      expect(m.mve_selected_legs.length).toBeGreaterThanOrEqual(2);
      expect([m.yes_ask_dollars, m.no_ask_dollars, m.volume_fp]).toEqual(['1.0000', '1.0000', '0.00']);
    }
  });

  it('created-ts windows (inclusive, Unix s) partition the open universe', async () => {
    const s = await setup({ markets: 500, combos: 0, leakClosed: 0 });
    sim = s.sim;
    const all = await walk(s.client, 'status=open&mve_filter=exclude&limit=1000');
    const secs = all.markets.map((m) => Math.floor(Date.parse(m.created_time) / 1000)).sort((a, b) => a - b);
    const lo = secs[0] as number;
    const hi = secs[secs.length - 1] as number;
    const mid = secs[Math.floor(secs.length / 2)] as number;
    const a = await walk(s.client, `status=open&mve_filter=exclude&limit=77&min_created_ts=${lo}&max_created_ts=${mid}`);
    const b = await walk(s.client, `status=open&mve_filter=exclude&limit=77&min_created_ts=${mid + 1}&max_created_ts=${hi}`);
    const union = [...a.markets, ...b.markets].map((m) => m.ticker).sort();
    expect(union).toEqual(all.markets.map((m) => m.ticker).sort());
    const bad = await s.client.get(`/markets?status=closed&min_created_ts=${lo}`);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['msg']);
  });

  it('a garbage cursor answers 200 with a first page; unknown ticker answers 404', async () => {
    const s = await setup({ markets: 20 });
    sim = s.sim;
    const first = await s.client.get('/markets?limit=5');
    const garbage = await s.client.get('/markets?limit=5&cursor=garbage-cursor-fixture');
    expect(garbage.status).toBe(200);
    expect(garbage.body.markets.map((m: any) => m.ticker)).toEqual(first.body.markets.map((m: any) => m.ticker));
    const nf = await s.client.get('/markets/NOPE-1');
    expect(nf.status).toBe(404);
    expect(nf.body).toEqual({ error: { code: 'not_found', message: 'not found' } }); // no `service` since 2026-08-06
    expect((await s.client.get('/nope')).status).toBe(404);
  });

  it('designed market: single, tickers filter, orderbook bids-only ascending', async () => {
    const s = await setup();
    sim = s.sim;
    s.sim.addMarket({ ticker: 'KXWTA-26JUN11JIMLEP-LEP', yesBidCents: 47, yesAskCents: 52, yesBidSize: 3, yesAskSize: 3, category: 'Sports' });
    const one = await s.anon.get('/markets/KXWTA-26JUN11JIMLEP-LEP');
    expect(one.body.market).toMatchObject({
      yes_bid_dollars: '0.4700',
      yes_ask_dollars: '0.5200',
      no_bid_dollars: '0.4800',
      no_ask_dollars: '0.5300',
      yes_bid_size_fp: '3.00',
      status: 'active',
      event_ticker: 'KXWTA-26JUN11JIMLEP',
    });
    const list = await s.client.get('/markets?tickers=KXWTA-26JUN11JIMLEP-LEP');
    expect(list.body.cursor).toBe('');
    expect(list.body.markets).toHaveLength(1);
    const ob = await s.client.get('/markets/KXWTA-26JUN11JIMLEP-LEP/orderbook');
    expect(ob.body).toEqual(fixture('orderbook__base'));
    const ev = await s.client.get('/events/KXWTA-26JUN11JIMLEP');
    expect(ev.body.event).toMatchObject({ event_ticker: 'KXWTA-26JUN11JIMLEP', series_ticker: 'KXWTA', category: 'Sports' });
    const series = await s.client.get('/series?category=Sports');
    expect(series.body.series.map((x: any) => x.ticker)).toEqual(['KXWTA']);
    expect(series.body.series[0]).toMatchObject({ fee_type: 'quadratic', fee_multiplier: 1 });
  });

  it('events list pages with nested markets and categories through series', async () => {
    const s = await setup({ markets: 1000 });
    sim = s.sim;
    const seen = new Set<string>();
    let cursor = '';
    let count = 0;
    do {
      const r = await s.client.get(`/events?limit=200&status=open&with_nested_markets=true${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of r.body.events) {
        expect(seen.has(e.event_ticker)).toBe(false);
        seen.add(e.event_ticker);
        expect(e.markets.length).toBeGreaterThanOrEqual(1);
        expect(e.markets.length).toBeLessThanOrEqual(8);
        count += e.markets.filter((m: any) => m.status === 'active').length;
      }
      cursor = r.body.cursor;
    } while (cursor);
    expect(count).toBe(1000);
    const series = await s.client.get('/series');
    const cats = new Set(series.body.series.map((x: any) => x.category));
    expect(cats.size).toBeGreaterThanOrEqual(5);
    expect((await s.client.get('/events?limit=201')).status).toBe(400);
  });
});
