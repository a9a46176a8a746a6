import { afterEach, describe, expect, it } from 'vitest';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';
import { order, setup } from '../support/sim.js';

let sim: SimExchange | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

const T = 'KXF-26JUN11-A';

describe('sim faults and limits', () => {
  it('rate limits: a burst gets 429 {"error":"too many requests"} without Retry-After, then recovers', async () => {
    let bucketNow = 0; // the buckets' own clock, frozen so slow signing cannot refill them mid-burst
    const s = await setup({ rateLimit: 'basic', rateClock: () => bucketNow });
    sim = s.sim;
    // basic reads: 200 tokens, 10 per request => exactly 20 pass, then 429
    const results = await Promise.all(Array.from({ length: 30 }, () => s.client.get('/exchange/status')));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBe(10);
    expect(limited[0]?.body).toEqual({ error: 'too many requests' });
    expect(limited[0]?.headers.get('retry-after')).toBeNull();
    expect(s.sim.stats().rateLimited).toBe(10);
    expect((await s.client.get('/exchange/status')).status).toBe(429); // still empty
    bucketNow += 50; // refills 10 tokens: one more request
    expect((await s.client.get('/exchange/status')).status).toBe(200);
    expect((await s.client.get('/exchange/status')).status).toBe(429);
    // injected burst
    s.sim.inject({ kind: 'rate-limit', count: 2, pathIncludes: '/markets' });
    expect((await s.anon.get('/markets')).status).toBe(429);
    expect((await s.anon.get('/exchange/status')).status).toBe(200);
    expect((await s.anon.get('/markets')).status).toBe(429);
    expect((await s.anon.get('/markets')).status).toBe(200);
  });

  it('cancel costs 2 tokens: 50 writes of cancels fit the 100-token bucket', async () => {
    const s = await setup({ rateLimit: 'basic' });
    sim = s.sim;
    const rs = await Promise.all(Array.from({ length: 50 }, () => s.client.del('/portfolio/events/orders/x')));
    expect(rs.every((r) => r.status === 404)).toBe(true);
  });

  it("'drop-after' creates the order but the client sees a socket error; 'drop' has no effect", async () => {
    const s = await setup();
    sim = s.sim;
    s.sim.addMarket({ ticker: T, yesBidCents: 40, yesAskCents: 45 });
    s.sim.inject({ kind: 'drop-after', count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    const body = order(T, { price: '0.4500' });
    await expect(s.client.post('/portfolio/events/orders', body)).rejects.toThrow();
    expect(s.sim.ordersSnapshot()).toHaveLength(1);
    expect(s.sim.ordersSnapshot()[0]).toMatchObject({ client_order_id: body.client_order_id, status: 'executed' });
    // the retry with the same client_order_id is refused: exactly one order on the exchange
    expect((await s.client.post('/portfolio/events/orders', body)).status).toBe(409);
    s.sim.inject({ kind: 'drop', count: 1, method: 'POST' });
    await expect(s.client.post('/portfolio/events/orders', order(T, { price: '0.4500' }))).rejects.toThrow();
    expect(s.sim.ordersSnapshot()).toHaveLength(1);
  });

  it('5xx faults, latency, malformed records', async () => {
    const s = await setup({ markets: 50 });
    sim = s.sim;
    s.sim.inject({ kind: 'status', status: 503, count: 1, pathIncludes: '/markets' });
    expect((await s.anon.get('/markets')).status).toBe(503);
    expect((await s.anon.get('/markets')).status).toBe(200);
    s.sim.setLatency(120);
    const t0 = Date.now();
    await s.anon.get('/exchange/status');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    s.sim.setLatency(0);
    s.sim.inject({ kind: 'malformed', count: 3 });
    const r = await s.anon.get('/markets?limit=10');
    const bad = r.body.markets.filter(
      (m: any) => typeof m.ticker !== 'string' || typeof m.yes_ask_dollars !== 'string' || !/^\d\.\d{4}$/.test(m.yes_bid_dollars) || Number.isNaN(Date.parse(m.close_time)),
    );
    expect(bad).toHaveLength(3);
    expect((await s.anon.get('/markets?limit=10')).body.markets.length).toBe(10);
    expect(s.sim.stats().byRoute['GET /markets']).toBe(4);
  });

  it('close() ends keep-alive connections promptly', async () => {
    const ex = await startSimExchange({ markets: 5 });
    await fetch(`${ex.baseUrl}/markets?limit=1`).then((r) => r.text());
    const t0 = Date.now();
    await ex.close();
    expect(Date.now() - t0).toBeLessThan(3000); // an idle keep-alive socket would hold close() for 5 s
  });
});
