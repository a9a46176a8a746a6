// The client against the simulated exchange: two independent implementations of the wire
// (the sim shares no code with src/kalshi), so a schema or signing mistake on either side shows here.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { KalshiClient } from '../../src/kalshi/client.js';
import { startSimExchange, type SimExchange } from '../../src/sim/index.js';

let sim: SimExchange | undefined;
let client: KalshiClient | undefined;
afterEach(async () => {
  client?.close();
  await sim?.close();
  sim = undefined;
  client = undefined;
});

async function setup(markets = 300) {
  sim = await startSimExchange({ markets, combos: 50, seed: 7 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = randomUUID();
  sim.registerKey(keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  client = new KalshiClient({ baseUrl: sim.baseUrl, keyId, privateKey, tier: 'basic', baseDelayMs: 5, maxDelayMs: 50 });
  return { sim, client };
}

describe('client against the simulated exchange', () => {
  it('scans the open non-combo universe, reads the account, places, finds and cancels an order', async () => {
    const { sim, client } = await setup();
    sim.addMarket({ ticker: 'KXSMOKE-26JUN11-A', yesBidCents: 40, yesAskCents: 45, yesBidSize: 10, yesAskSize: 10 });

    const all = await client.getAllMarkets({ status: 'open' });
    expect(all.skipped).toBe(0);
    expect(all.markets.some((m) => m.isCombo)).toBe(false);
    const open = new Set(sim.openMarketTickers());
    const got = new Set(all.markets.map((m) => m.ticker));
    for (const t of open) expect(got.has(t), t).toBe(true);

    await expect(client.getExchangeStatus()).resolves.toMatchObject({ exchangeActive: true });
    const m = await client.getMarket('KXSMOKE-26JUN11-A');
    expect(m).toMatchObject({ yesBidE4: 4000, yesAskE4: 4500 });
    expect((await client.getBalance()).balanceE4).toBeGreaterThan(0);

    const coid = randomUUID();
    const r = await client.createOrder({ ticker: m.ticker, side: 'bid', countE2: 100, priceE4: 3000, timeInForce: 'good_till_canceled', clientOrderId: coid });
    expect(r.recovered).toBe(false);
    const again = await client.createOrder({ ticker: m.ticker, side: 'bid', countE2: 100, priceE4: 3000, timeInForce: 'good_till_canceled', clientOrderId: coid });
    expect(again).toMatchObject({ recovered: true, orderId: r.orderId });
    expect(sim.ordersSnapshot().filter((o) => o.client_order_id === coid)).toHaveLength(1);

    const found = await client.findOrderByClientOrderId(coid, m.ticker);
    expect(found?.orderId).toBe(r.orderId);
    await expect(client.cancelOrder(r.orderId, { ticker: m.ticker })).resolves.toMatchObject({ kind: 'canceled', reducedByE2: 100 });
    await expect(client.cancelOrder(r.orderId, { ticker: m.ticker })).resolves.toEqual({ kind: 'not-found' });
    // As recorded on Kalshi (orders__get_after_cancel): a GET right after the cancel can still say
    // resting, while the order list already says canceled.
    expect((await client.findOrderByClientOrderId(coid, m.ticker))?.status).toBe('canceled');
    expect(['resting', 'canceled']).toContain((await client.getOrder(r.orderId)).status);
    await new Promise((done) => setTimeout(done, 450));
    expect((await client.getOrder(r.orderId)).status).toBe('canceled');
  });

  it('a dropped create answer is retried with the same client_order_id and lands exactly one order', async () => {
    const { sim, client } = await setup(0);
    sim.addMarket({ ticker: 'KXSMOKE-26JUN11-B', yesBidCents: 40, yesAskCents: 45, yesBidSize: 10, yesAskSize: 10 });
    sim.inject({ kind: 'drop-after', count: 1, method: 'POST', pathIncludes: '/portfolio/events/orders' });
    const coid = randomUUID();
    const r = await client.createOrder({ ticker: 'KXSMOKE-26JUN11-B', side: 'bid', countE2: 200, priceE4: 3500, timeInForce: 'good_till_canceled', clientOrderId: coid });
    expect(r.recovered).toBe(true);
    expect(r.attempts).toBe(2);
    expect(sim.ordersSnapshot().filter((o) => o.client_order_id === coid)).toHaveLength(1);
  });

  it('5xx and 429 faults on reads are absorbed by retries', async () => {
    const { sim, client } = await setup(0);
    sim.inject({ kind: 'status', status: 503, count: 2, method: 'GET', pathIncludes: '/exchange/status' });
    sim.inject({ kind: 'rate-limit', count: 1, pathIncludes: '/exchange/status' });
    await expect(client.getExchangeStatus()).resolves.toMatchObject({ tradingActive: true });
    expect(client.http.stats()).toMatchObject({ retries: 3, responses5xx: 2, responses429: 1 });
  });
});
