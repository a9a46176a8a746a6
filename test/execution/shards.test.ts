// Exchange shards end to end: the real app against the simulated exchange over loopback HTTP. Each shard keeps
// its own balance (all money starts on shard 0), orders and cancels are routed to their market's engine.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buyYes, DAY, inBandMarket, messagesOf, orderRecord, T0, type World, world } from '../support/app.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w = null;
});

const CRYPTO = 'KXBTCD-26NOV27-T90000';
const SPORTS = 'KXATPMATCH-26NOV27-SIN';
const ECON = 'KXCPI-26NOV27-T3';
const DAY0 = '2026-11-25';

/** A crypto (shard 2), a sports (shard 3) and an economics (shard 0) market, all in band. */
async function threeShards(askSize = 50, env: Record<string, string> = {}): Promise<App> {
  w = await world({ transferDelayMs: 50 });
  w.sim.addMarket({ ...inBandMarket(CRYPTO, askSize), category: 'Crypto' });
  w.sim.addMarket({ ...inBandMarket(SPORTS, askSize), category: 'Sports' });
  w.sim.addMarket({ ...inBandMarket(ECON, askSize), category: 'Economics' });
  return w.start(env);
}

const free = (shard: number) => w!.sim.balances().find((b) => b.exchangeIndex === shard)?.availableE4 ?? 0;

describe('exchange shards', () => {
  it('funds shards 2 and 3 once each, then places their orders there; the journal keeps every transfer', async () => {
    const app = await threeShards();
    expect([CRYPTO, SPORTS, ECON].map((t) => w!.sim.shardOf(t))).toEqual([2, 3, 0]);
    const s = await app.runCycle();
    expect(s.error).toBeUndefined();
    expect(s.orders.map((o) => [o.ticker, o.status]).sort()).toEqual([
      [SPORTS, 'executed'],
      [CRYPTO, 'executed'],
      [ECON, 'executed'],
    ]);
    const rows = app.journal.orders.recent(10);
    expect(Object.fromEntries(rows.map((r) => [r.ticker, r.exchange_index]))).toEqual({ [CRYPTO]: 2, [SPORTS]: 3, [ECON]: 0 });
    expect(w!.sim.ordersSnapshot().map((o) => [o.ticker, o.exchangeIndex]).sort()).toEqual([
      [SPORTS, 3],
      [CRYPTO, 2],
      [ECON, 0],
    ]);
    // One transfer per shard: the $4.8221 worst case plus the $5 margin, up to the cent, from shard 0, journaled and complete.
    const transfers = app.journal.transfers.recent(10).reverse();
    expect(transfers.map((t) => [t.from_shard, t.to_shard, t.amount_e4, t.state])).toEqual([
      [0, 2, 98_300, 'complete'],
      [0, 3, 98_300, 'complete'],
    ]);
    expect(w!.sim.transfersSnapshot().map((t) => [t.sourceShard, t.destinationShard, t.amountE4])).toEqual([
      [0, 2, 98_300],
      [0, 3, 98_300],
    ]);
    // What the exchange took for the fills (6 x 78c + fees) came out of each market's own shard; the journal books
    // a cent more for the rounding fee (the sim charges none).
    const spent = (ticker: string) => rows.find((r) => r.ticker === ticker)!;
    expect(free(2)).toBe(98_300 - spent(CRYPTO).fill_cost_e4 - spent(CRYPTO).fees_e4 + 100);
    expect(free(3)).toBe(98_300 - spent(SPORTS).fill_cost_e4 - spent(SPORTS).fees_e4 + 100);
    // The chat heard of each transfer.
    const infos = messagesOf(app, 'info');
    expect(infos.filter((m) => /Moved \$9\.83 from shard 0 to shard [23]/.test(m))).toHaveLength(2);

    // The next cycle finds the margin already there: no second transfer.
    w!.sim.updateMarket(CRYPTO, { yesAskSize: 50 });
    await app.runCycle();
    expect(w!.sim.transfersSnapshot()).toHaveLength(2);
  });

  it('a resting order on shard 2 and on shard 3 is canceled by the bot (routed), not left to its expiry', async () => {
    const app = await threeShards(2); // only 2 contracts at each ask
    await app.runCycle(); // buys those 2 on each shard, funding shards 2 and 3
    for (const [ticker, shard] of [
      [CRYPTO, 2],
      [SPORTS, 3],
    ] as const) {
      // 6 more at 78c: the ask is empty now, so the whole order rests until the fill timeout.
      const r = await app.executor.execute({ ...buyYes(ticker), exchangeIndex: shard });
      expect(r.kind).toBe('unfilled');
      const onExchange = w!.sim.ordersSnapshot().find((o) => o.order_id === app.journal.orders.recent(1)[0]!.exchange_order_id)!;
      expect([onExchange.exchangeIndex, onExchange.status, onExchange.filledE2]).toEqual([shard, 'canceled', 0]);
    }
    // The sim's clock did not move: no expiry can have fired, so the cancels were the bot's, each on its shard.
    expect(w!.clock.now()).toBe(T0);
    expect(app.journal.orders.unfinished()).toHaveLength(0);
    // Nothing rests, so nothing holds collateral on any shard.
    expect(w!.sim.balances().every((b) => b.availableE6 === b.cashE6)).toBe(true);
  });

  it('finds and cancels orders when a GET by id reaches only shard 0 (the other reading of the reference)', async () => {
    w = await world({ transferDelayMs: 50, getOrderShard0Only: true });
    w.sim.addMarket({ ...inBandMarket(CRYPTO, 2), category: 'Crypto' });
    const app = await w.start();
    const s = await app.runCycle();
    expect(s.orders.map((o) => [o.ticker, o.status, o.filled])).toEqual([[CRYPTO, 'executed', 2]]);
    const r = await app.executor.execute({ ...buyYes(CRYPTO), exchangeIndex: 2 });
    expect(r.kind).toBe('unfilled');
    expect(w.sim.ordersSnapshot().map((o) => o.status)).toEqual(['executed', 'canceled']);
  });

  it('SHARD_FUNDING=off: the order is skipped with the reason in /why, and one alert per shard per day says how to fund it', async () => {
    const app = await threeShards(50, { SHARD_FUNDING: 'off' });
    const s = await app.runCycle();
    expect(s.orders.map((o) => o.ticker)).toEqual([ECON]);
    expect(w!.sim.transfersSnapshot()).toHaveLength(0);
    const why = app.control.why(CRYPTO);
    expect(why.ok && why.value.decision).toMatchObject({ layer: 4, outcome: 'rejected', reason: 'shard 2 has $0.00 free, needs $4.8221' });
    await app.runCycle();
    const alerts = messagesOf(app, 'error');
    expect(alerts.filter((m) => m.startsWith('shard 2 has $0.00 free, needs $4.8221'))).toHaveLength(1);
    expect(alerts.filter((m) => m.startsWith('shard 3 has $0.00 free, needs $4.8221'))).toHaveLength(1);
    expect(alerts.find((m) => m.startsWith('shard 2'))).toContain('SHARD_FUNDING=auto');
  });

  it('a lost transfer answer moves the money once: it is found in the transfer history, never sent again', async () => {
    w = await world({ transferDelayMs: 50 });
    w.sim.addMarket({ ...inBandMarket(CRYPTO), category: 'Crypto' });
    const app = await w.start();
    // Handled by the exchange, but the answer never arrives.
    w.sim.inject({ kind: 'drop-after', count: 1, method: 'POST', pathIncludes: 'intra_exchange_instance_transfer' });
    const s = await app.runCycle();
    expect(w.sim.transfersSnapshot()).toHaveLength(1);
    const [row] = app.journal.transfers.recent(5);
    expect(row).toMatchObject({ from_shard: 0, to_shard: 2, amount_e4: 98_300 });
    expect(row!.transfer_id).toBe(w.sim.transfersSnapshot()[0]!.transfer_id);
    // The money that moved once paid for the order.
    expect(s.orders.map((o) => [o.ticker, o.status])).toEqual([[CRYPTO, 'executed']]);
    // Later cycles spend the margin and fund again, but every transfer on the exchange is one journal row.
    for (let i = 0; i < 3; i++) await app.runCycle();
    const journaled = app.journal.transfers.recent(10).map((t) => t.transfer_id).sort();
    expect(w.sim.transfersSnapshot().map((t) => t.transfer_id).sort()).toEqual(journaled);
    expect(new Set(journaled).size).toBe(journaled.length);
  });

  it('a transfer whose answer is lost and that never reached the exchange is written off after the lookup window, still sent once', async () => {
    w = await world({ transferDelayMs: 50 });
    w.sim.addMarket({ ...inBandMarket(CRYPTO), category: 'Crypto' });
    const app = await w.start();
    // Dropped before the exchange saw it: nothing moved, and the bot cannot know that yet.
    w.sim.inject({ kind: 'drop', count: 1, method: 'POST', pathIncludes: 'intra_exchange_instance_transfer' });
    const first = await app.runCycle();
    expect(first.orders).toHaveLength(0);
    expect(app.journal.transfers.recent(5).map((t) => t.state)).toEqual(['sent']);
    // While its outcome is unknown, shard 2 is not funded again.
    await app.runCycle();
    expect(app.journal.transfers.recent(5)).toHaveLength(1);
    expect(w.sim.transfersSnapshot()).toHaveLength(0);
    // Ten minutes later the history still does not show it: it never happened, and funding resumes.
    w.clock.advance(11 * 60_000);
    const later = await app.runCycle();
    expect(app.journal.transfers.recent(5).map((t) => t.state)).toEqual(['complete', 'failed']);
    expect(w.sim.transfersSnapshot()).toHaveLength(1);
    expect(later.orders.map((o) => o.ticker)).toEqual([CRYPTO]);
  });

  it("a paused shard's markets are rejected at layer 3 with that reason; other shards trade", async () => {
    const app = await threeShards();
    w!.sim.setShardStatus(3, { tradingActive: false });
    const s = await app.runCycle();
    expect(s.orders.map((o) => o.ticker).sort()).toEqual([CRYPTO, ECON]);
    const why = app.control.why(SPORTS);
    expect(why.ok && why.value.decision).toMatchObject({ layer: 3, outcome: 'rejected' });
    expect(why.ok && why.value.decision?.reason).toMatch(/^exchange shard 3( \(.+\))? has trading paused$/);
    // No money is moved for orders that will not be sent.
    expect(w!.sim.transfersSnapshot().map((t) => t.destinationShard)).toEqual([2]);
  });

  it('/stopall cancels resting orders on every shard with one cancel-all', async () => {
    const app = await threeShards(2);
    await app.runCycle(); // funds shards 2 and 3
    // Orders resting on three shards (placed by hand, say: GTC with no expiry).
    const resting = [CRYPTO, SPORTS, ECON].map(async (ticker) =>
      app.client.createOrder({ ticker, side: 'bid', countE2: 100, priceE4: 5000, timeInForce: 'good_till_canceled', clientOrderId: randomUUID(), exchangeIndex: w!.sim.shardOf(ticker) }),
    );
    await Promise.all(resting);
    expect(w!.sim.ordersSnapshot().filter((o) => o.status === 'resting').map((o) => o.exchangeIndex).sort()).toEqual([0, 2, 3]);
    const r = await app.control.stopAll('test');
    expect(r).toEqual({ canceled: 3, failed: 0, unverified: false, dryRun: false });
    expect(w!.sim.ordersSnapshot().filter((o) => o.status === 'resting')).toHaveLength(0);
    expect(app.journal.settings.get().paused).toBe(true);
  });

  it('/status shows the free balance on each shard', async () => {
    const app = await threeShards();
    await app.runCycle();
    const st = await app.control.status();
    expect(st.shardBalances?.map((b) => b.exchangeIndex)).toEqual([0, 2, 3]);
    expect(st.shardBalances?.map((b) => b.balanceE4)).toEqual([0, 2, 3].map(free));
    expect(st.balanceE4).toBe([0, 2, 3].map(free).reduce((a, b) => a + b, 0));
  });

  it('an impossible fill cost from the exchange is not believed: the worst case stays booked, flagged, alerted once', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket(ECON));
    let app: App | null = null;
    app = await w.start({}, {
      executor: {
        pollMs: 10,
        fillTimeoutMs: 200,
        hooks: {
          // Right after the create: every read of this order reports a fee of -$20 (it would free $20 of cap).
          afterSend: (id) => {
            const row = app!.journal.orders.get(id)!;
            const real = w!.sim.ordersSnapshot().find((o) => o.order_id === row.exchange_order_id)!;
            const order = orderRecord({
              order_id: real.order_id,
              client_order_id: real.client_order_id,
              ticker: real.ticker,
              taker_fees_dollars: '-20.000000',
              created_time: new Date(T0).toISOString(),
            });
            w!.sim.inject({ kind: 'reply', status: 200, body: order, count: 100, method: 'GET', pathIncludes: `/portfolio/orders/${real.order_id}` });
          },
        },
      },
    });
    const r = await app.executor.execute(buyYes(ECON));
    expect(r.kind).toBe('filled');
    const row = app.journal.orders.recent(1)[0]!;
    expect(row.fill_cost_e4 + row.fees_e4).toBe(row.worst_case_e4);
    expect(row.report_flag).toMatch(/a negative cost or fee part .*fees -20/);
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(row.worst_case_e4);
    const alerts = messagesOf(app, 'error').filter((m) => m.includes('impossible'));
    expect(alerts).toHaveLength(1);
  });

  it('a believable report is booked as reported: price improvement counts what the exchange really took', async () => {
    w = await world();
    // Ask 70c while our limit is 78c: the fill improves to 70c.
    w.sim.addMarket({ ...inBandMarket(ECON), yesAskCents: 70, yesBidCents: 68 });
    const app = await w.start();
    const r = await app.executor.execute({ ...buyYes(ECON), priceE4: 7800 });
    expect(r.kind).toBe('filled');
    const row = app.journal.orders.recent(1)[0]!;
    expect(row.fill_cost_e4).toBe(6 * 7000); // not 6 x 78c
    expect(row.report_flag).toBeNull();
    expect(app.journal.orders.atRiskE4(DAY0)).toBe(row.fill_cost_e4 + row.fees_e4);
    expect(row.fill_cost_e4 + row.fees_e4).toBeLessThan(row.worst_case_e4);
  });

  it('an Ed25519 API key signs every request and the exchange verifies it (demo mode against the sim)', async () => {
    w = await world({ transferDelayMs: 50 });
    w.sim.addMarket({ ...inBandMarket(CRYPTO), category: 'Crypto' });
    const pair = generateKeyPairSync('ed25519');
    const keyFile = join(w.dir, 'ed25519.pem');
    writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const keyId = randomUUID();
    w.sim.registerKey(keyId, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const app = await w.start({ KALSHI_ENV: 'demo', KALSHI_BASE_URL: w.sim.baseUrl, KALSHI_KEY_ID: keyId, KALSHI_PRIVATE_KEY_PATH: keyFile });
    const s = await app.runCycle();
    expect(s.error).toBeUndefined();
    expect(s.orders.map((o) => [o.ticker, o.status])).toEqual([[CRYPTO, 'executed']]);
    expect(app.client.http.stats().responses2xx).toBeGreaterThan(5);
    // A key the exchange does not know is refused: the signature really is checked.
    w.sim.registerKey(keyId, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    await expect(app.client.getBalance()).rejects.toThrow(/401 authentication_error/);
  });

  it('a day later a new day: the dedupe of the off-funding alert is per day', async () => {
    const app = await threeShards(50, { SHARD_FUNDING: 'off' });
    await app.runCycle();
    w!.clock.advance(DAY);
    await app.runCycle();
    const alerts = messagesOf(app, 'error');
    expect(alerts.filter((m) => m.startsWith('shard 2 has'))).toHaveLength(2);
  });

  it('a shard that just received a transfer is not funded again until the balance can show it (60 s)', async () => {
    w = await world({ transferDelayMs: 20 });
    w.sim.addMarket({ ...inBandMarket(CRYPTO, 500), category: 'Crypto' });
    const app = await w.start({ SHARD_FUNDING_MARGIN: '0' });
    await app.runCycle(); // one transfer of exactly the $4.80 needed, then the order spends it
    expect(w.sim.transfersSnapshot()).toHaveLength(1);
    const again = await app.runCycle();
    // Right after an arrival a short shard is not topped up on what may be a stale balance.
    expect(w.sim.transfersSnapshot()).toHaveLength(1);
    expect(again.orders).toHaveLength(0);
    w.clock.advance(61_000);
    const later = await app.runCycle();
    expect(w.sim.transfersSnapshot()).toHaveLength(2);
    expect(later.orders.map((o) => o.status)).toEqual(['executed']);
  });

  it('a transfer the exchange reports as anything but pending or complete ends as failed, with an alert', async () => {
    w = await world({ transferDelayMs: 60_000 }); // stays pending
    w.sim.addMarket({ ...inBandMarket(CRYPTO), category: 'Crypto' });
    const app = await w.start({}, { executor: { pollMs: 10, fillTimeoutMs: 200 } });
    w.sim.inject({
      kind: 'reply',
      status: 200,
      body: { transfer: { transfer_id: 'x', source: 'event_contract', destination: 'event_contract', source_exchange_shard: 0, destination_exchange_shard: 2, amount: '9.8000', status: 'rejected', created_ts: Math.floor(T0 / 1000) } },
      count: 1000,
      method: 'GET',
      pathIncludes: '/intra_exchange_instance_transfers/',
    });
    await app.runCycle();
    expect(app.journal.transfers.recent(5).map((t) => [t.state, t.reason])).toEqual([['failed', 'the exchange reports status rejected']]);
    expect(messagesOf(app, 'error').some((m) => m.includes('ended as "rejected"'))).toBe(true);
  });

  it("a report about another order is no report about ours: the order is read from the list, the journal keeps its own id", async () => {
    w = await world();
    w.sim.addMarket(inBandMarket(ECON));
    const app = await w.start();
    const foreign = orderRecord({
      order_id: 'not-ours',
      client_order_id: 'someone-else',
      ticker: ECON,
      taker_fill_cost_dollars: '0.000000',
      taker_fees_dollars: '-20.000000',
      created_time: new Date(T0).toISOString(),
    });
    w.sim.inject({ kind: 'reply', status: 200, body: foreign, count: 100, method: 'GET', pathIncludes: '/portfolio/orders/' });
    const r = await app.executor.execute(buyYes(ECON));
    expect(r.kind).toBe('filled');
    const row = app.journal.orders.recent(1)[0]!;
    const real = w.sim.ordersSnapshot()[0]!;
    expect(row.exchange_order_id).toBe(real.order_id);
    expect(row.report_flag).toBeNull();
    expect(row.fill_cost_e4).toBe(46_800);
  });
});
