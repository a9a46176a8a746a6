// Exchange shards in the sim (KALSHI_API.md, "Exchange shards and changes since June 2026"):
// exchange_index on records, per-shard collateral, routing of creates and cancels, cancel-all,
// asynchronous non-idempotent transfers, per-shard status, Ed25519 keys, error bodies without `service`.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimExchange, SimOptions } from '../../src/sim/index.js';
import { order, setup, wireError, type TestClient } from '../support/sim.js';

let sim: SimExchange | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

const ECO = 'KXCPI-26JUN11-T3'; // Economics: shard 0
const BTC = 'KXBTCD-26JUN11-T100'; // Crypto: shard 2
const NBA = 'KXNBAGAME-26JUN11-LAL'; // Sports: shard 3
const ORDERS = '/portfolio/events/orders';
const TRANSFER = '/portfolio/intra_exchange_instance_transfer';
const TRANSFERS = '/portfolio/intra_exchange_instance_transfers';

/** A sim with the three markets and a hand-driven transfer clock (`mono.now`). */
async function world(opts: SimOptions = {}) {
  const mono = { now: 0 };
  const s = await setup({ transferClock: () => mono.now, ...opts });
  sim = s.sim;
  s.sim.addMarket({ ticker: ECO, category: 'Economics', yesBidCents: 40, yesAskCents: 45 });
  s.sim.addMarket({ ticker: BTC, category: 'Crypto', yesBidCents: 40, yesAskCents: 45 });
  s.sim.addMarket({ ticker: NBA, category: 'Sports', yesBidCents: 40, yesAskCents: 45 });
  return { ...s, mono };
}

const move = (client: TestClient, dollars: number, from: number, to: number) =>
  client.post(TRANSFER, {
    source: 'event_contract',
    destination: 'event_contract',
    amount: dollars * 10_000, // centicents
    source_exchange_shard: from,
    destination_exchange_shard: to,
  });

const gtc = (ticker: string, over: Record<string, unknown> = {}) =>
  order(ticker, { price: '0.4000', count: '10.00', time_in_force: 'good_till_canceled', ...over });

describe('sim exchange shards', () => {
  it('markets, events and series carry exchange_index by category; combos are on shard 1', async () => {
    const s = await setup({ markets: 400, combos: 30 });
    sim = s.sim;
    const series = (await s.anon.get('/series')).body.series as Array<{ ticker: string; category: string; exchange_index: number }>;
    const cat = new Map(series.map((x) => [x.ticker, x.category]));
    const byCategory = (c: string | undefined): number => (c === 'Crypto' ? 2 : c === 'Sports' ? 3 : 0);
    for (const x of series) expect(x.exchange_index).toBe(byCategory(x.category));
    const markets = (await s.anon.get('/markets?limit=1000')).body.markets as Array<Record<string, any>>;
    const seen = new Set<number>();
    for (const m of markets) {
      expect(Number.isInteger(m.exchange_index)).toBe(true);
      const want = m.mve_collection_ticker ? 1 : byCategory(cat.get(String(m.ticker).split('-')[0] ?? ''));
      expect(m.exchange_index).toBe(want);
      expect(s.sim.shardOf(m.ticker)).toBe(want);
      seen.add(m.exchange_index);
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    const events = (await s.anon.get('/events?limit=200&with_nested_markets=true')).body.events as Array<Record<string, any>>;
    for (const ev of events) for (const m of ev.markets) expect(m.exchange_index).toBe(ev.exchange_index);
    // designed markets: by category, or the spec's own shard
    s.sim.addMarket({ ticker: BTC, category: 'Crypto', yesBidCents: 40, yesAskCents: 45 });
    s.sim.addMarket({ ticker: 'KXGOLD-26JUN11-T1', category: 'Commodities', exchangeIndex: 2, yesBidCents: 40, yesAskCents: 45 });
    expect((await s.anon.get(`/markets/${BTC}`)).body.market.exchange_index).toBe(2);
    expect((await s.anon.get('/markets/KXGOLD-26JUN11-T1')).body.market.exchange_index).toBe(2);
    expect((await s.anon.get('/events/KXGOLD-26JUN11')).body.event.exchange_index).toBe(2);
  });

  it('collateral is per shard: fund shard 2 by an async transfer, then the crypto order rests there', async () => {
    const { client, sim: ex, mono } = await world();
    // all money is on shard 0: a crypto order cannot use it
    const refused = await client.post(ORDERS, gtc(BTC));
    expect(refused).toMatchObject({ status: 400, body: wireError('orders__insufficient_balance') });
    expect((await client.post(ORDERS, gtc(ECO))).status).toBe(201);
    await client.del(ORDERS); // cancel-all clears it again

    const tr = await move(client, 10, 0, 2);
    expect(tr.status).toBe(200);
    expect(Object.keys(tr.body)).toEqual(['transfer_id']);
    const id = tr.body.transfer_id as string;
    // pending: the source is debited at once, the destination not yet credited
    let bal = (await client.get('/portfolio/balance')).body;
    expect(bal).toMatchObject({ balance: 99_000, balance_dollars: '990.0000', balance_breakdown: [{ exchange_index: 0, balance: '990.0000' }] });
    expect((await client.get(`${TRANSFERS}/${id}`)).body.transfer).toMatchObject({ status: 'pending', amount: '10.0000' });
    expect(ex.balances().map((b) => [b.exchangeIndex, b.availableE4])).toEqual([[0, 9_900_000]]);
    expect((await client.post(ORDERS, gtc(BTC))).body.error.code).toBe('insufficient_balance');

    mono.now += 300; // the transfer completes
    bal = (await client.get('/portfolio/balance')).body;
    expect(bal.balance).toBe(100_000); // integer cents
    expect(bal.balance_dollars).toBe('1000.0000');
    expect(bal.balance_breakdown).toEqual([
      { balance: '990.0000', exchange_index: 0 }, // dollar strings, not cents
      { balance: '10.0000', exchange_index: 2 },
    ]);
    expect((await client.get(`${TRANSFERS}/${id}`)).body.transfer).toMatchObject({
      transfer_id: id,
      source: 'event_contract',
      destination: 'event_contract',
      source_exchange_shard: 0,
      destination_exchange_shard: 2,
      amount: '10.0000',
      status: 'complete',
      created_ts: expect.any(Number),
    });

    const placed = await client.post(ORDERS, gtc(BTC)); // 10 × 0.40 = $4 reserved on shard 2
    expect(placed).toMatchObject({ status: 201, body: { fill_count: '0.00', remaining_count: '10.00' } });
    const two = (await client.get('/portfolio/balance?exchange_index=2')).body;
    expect(two).toMatchObject({ balance: 600, balance_dollars: '6.0000', balance_breakdown: [{ exchange_index: 2, balance: '6.0000' }] });
    expect((await client.get('/portfolio/balance?exchange_index=0')).body.balance).toBe(99_000);
    expect(ex.ordersSnapshot().at(-1)).toMatchObject({ order_id: placed.body.order_id, status: 'resting', exchangeIndex: 2 });
    const got = (await client.get(`/portfolio/orders/${placed.body.order_id}`)).body.order;
    expect(got).toMatchObject({ status: 'resting', exchange_index: 2, ticker: BTC });
  });

  it('create routing: explicit wrong shard 404 market_not_found, -1 and the right shard route, others 400', async () => {
    const { client, mono } = await world();
    await move(client, 50, 0, 2);
    mono.now += 1000;
    expect(await client.post(ORDERS, order(BTC, { exchange_index: 0 }))).toMatchObject({
      status: 404,
      body: { error: { code: 'market_not_found', message: 'market not found' } },
    });
    expect((await client.post(ORDERS, order(ECO, { exchange_index: 2 }))).body.error.code).toBe('market_not_found');
    expect((await client.post(ORDERS, order(BTC, { exchange_index: 2 }))).status).toBe(201);
    expect((await client.post(ORDERS, order(BTC, { exchange_index: -1 }))).status).toBe(201);
    expect((await client.post(ORDERS, order(ECO, { exchange_index: 0 }))).status).toBe(201);
    for (const bad of [-2, 101]) {
      const r = await client.post(ORDERS, order(BTC, { exchange_index: bad }));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_parameters');
    }
    const typed = await client.post(ORDERS, order(BTC, { exchange_index: '2' }));
    expect(typed).toMatchObject({ status: 400, body: { code: 'bad_request' } }); // the Go decoder's shape
    // the fill and the position are on shard 2, and the reads filter by shard
    const fills = (await client.get('/portfolio/fills?exchange_index=2')).body.fills;
    expect(fills).toHaveLength(2);
    expect(fills.every((f: any) => f.exchange_index === 2 && f.ticker === BTC)).toBe(true);
    expect((await client.get('/portfolio/fills')).body.fills).toHaveLength(3);
    expect((await client.get('/portfolio/fills?exchange_index=3')).body.fills).toHaveLength(0);
    const pos = (await client.get('/portfolio/positions?exchange_index=2')).body.market_positions;
    expect(pos).toEqual([expect.objectContaining({ ticker: BTC, exchange_index: 2, position_fp: '2.00' })]);
    expect((await client.get('/portfolio/positions')).body.market_positions).toHaveLength(2);
    expect((await client.get('/portfolio/orders?exchange_index=0')).body.orders.map((o: any) => o.ticker)).toEqual([ECO]);
    expect((await client.get('/portfolio/orders?exchange_index=-1')).status).toBe(400);
  });

  it('cancel routing: by id alone a shard-2 order is not found and keeps resting; market_ticker or exchange_index cancels it', async () => {
    const { client, sim: ex, mono } = await world();
    await move(client, 100, 0, 2);
    mono.now += 1000;
    const a = (await client.post(ORDERS, gtc(BTC))).body.order_id as string;
    const b = (await client.post(ORDERS, gtc(BTC))).body.order_id as string;
    const alone = await client.del(`${ORDERS}/${a}`); // routed to shard 0
    expect(alone).toMatchObject({ status: 404, body: wireError('orders__cancel_unknown_id') });
    expect((await client.get(`/portfolio/orders/${a}`)).body.order.status).toBe('resting');
    expect(ex.ordersSnapshot().find((o) => o.order_id === a)?.status).toBe('resting');
    expect((await client.del(`${ORDERS}/${a}?exchange_index=0`)).status).toBe(404);
    expect((await client.del(`${ORDERS}/${a}?exchange_index=3`)).status).toBe(404);
    expect((await client.del(`${ORDERS}/${a}?market_ticker=${ECO}`)).status).toBe(404); // not the order's market
    expect((await client.del(`${ORDERS}/${a}?exchange_index=2&market_ticker=${ECO}`)).status).toBe(404);
    const needTicker = await client.del(`${ORDERS}/${a}?exchange_index=-1`);
    expect(needTicker).toMatchObject({ status: 400, body: { error: { code: 'invalid_parameters' } } });
    expect((await client.del(`${ORDERS}/${a}?exchange_index=-5`)).status).toBe(400);
    // routed right: it cancels
    const byTicker = await client.del(`${ORDERS}/${a}?market_ticker=${BTC}`);
    expect(byTicker).toMatchObject({ status: 200, body: { order_id: a, reduced_by: '10.00' } });
    expect((await client.del(`${ORDERS}/${b}?exchange_index=-1&market_ticker=${BTC}`)).status).toBe(200);
    const c = (await client.post(ORDERS, gtc(BTC))).body.order_id as string;
    expect((await client.del(`${ORDERS}/${c}?exchange_index=2`)).status).toBe(200);
    // already canceled: the same 404 on the right shard
    expect((await client.del(`${ORDERS}/${c}?exchange_index=2`)).body).toEqual(wireError('orders__cancel_already_canceled'));
    // shard 0 orders still cancel by id alone, as before
    const d = (await client.post(ORDERS, gtc(ECO))).body.order_id as string;
    expect((await client.del(`${ORDERS}/${d}`)).status).toBe(200);
    expect(ex.ordersSnapshot().filter((o) => o.status === 'resting')).toHaveLength(0);
  });

  it('cancel-all answers 204 with no body and leaves nothing resting on any shard', async () => {
    const { client, sim: ex, mono } = await world();
    await move(client, 20, 0, 2);
    await move(client, 20, 0, 3);
    mono.now += 1000;
    for (const t of [ECO, BTC, NBA, ECO]) expect((await client.post(ORDERS, gtc(t))).status).toBe(201);
    expect((await client.get('/portfolio/orders?status=resting')).body.orders).toHaveLength(4);
    const all = await client.del(`${ORDERS}?subaccount=0`);
    expect(all.status).toBe(204);
    expect(all.body).toBeNull();
    expect((await client.get('/portfolio/orders?status=resting')).body.orders).toHaveLength(0);
    expect(ex.ordersSnapshot().map((o) => o.status)).toEqual(['canceled', 'canceled', 'canceled', 'canceled']);
    // the collateral is free again on every shard
    expect(ex.balances().map((b) => [b.exchangeIndex, b.availableE6])).toEqual([
      [0, 960_000_000],
      [2, 20_000_000],
      [3, 20_000_000],
    ]);
    expect((await client.del(ORDERS)).status).toBe(204); // nothing to cancel: still 204
  });

  it('GET /portfolio/orders/{id} finds orders on any shard; getOrderShard0Only makes it 404 off shard 0', async () => {
    for (const shard0Only of [false, true]) {
      const { client, mono } = await world({ getOrderShard0Only: shard0Only });
      await move(client, 10, 0, 2);
      mono.now += 1000;
      const btc = (await client.post(ORDERS, gtc(BTC, { count: '1.00' }))).body.order_id;
      const eco = (await client.post(ORDERS, gtc(ECO, { count: '1.00' }))).body.order_id;
      expect((await client.get(`/portfolio/orders/${eco}`)).status).toBe(200);
      const r = await client.get(`/portfolio/orders/${btc}`);
      if (shard0Only) expect(r).toMatchObject({ status: 404, body: wireError('orders__cancel_unknown_id') });
      else expect(r.body.order.exchange_index).toBe(2);
      // the list finds it either way
      expect((await client.get('/portfolio/orders?exchange_index=2')).body.orders.map((o: any) => o.order_id)).toEqual([btc]);
      await sim?.close();
      sim = null;
    }
  });

  it('a paused shard refuses orders and transfers, and shows in exchange_index_statuses', async () => {
    const { client, anon, sim: ex, mono } = await world();
    await move(client, 10, 0, 2);
    mono.now += 1000;
    ex.setShardStatus(2, { tradingActive: false });
    expect(await client.post(ORDERS, order(BTC))).toMatchObject({ status: 400, body: { error: { code: 'trading_is_paused' } } });
    expect((await client.post(ORDERS, order(ECO))).status).toBe(201);
    let st = (await anon.get('/exchange/status')).body;
    expect(st).toMatchObject({ exchange_active: true, trading_active: true, intra_exchange_transfers_active: true });
    expect(st.exchange_index_statuses).toEqual([
      { description: 'default', exchange_active: true, exchange_index: 0, intra_exchange_transfers_active: true, trading_active: true },
      { description: 'combos', exchange_active: true, exchange_index: 1, intra_exchange_transfers_active: true, trading_active: true },
      { description: 'crypto', exchange_active: true, exchange_index: 2, intra_exchange_transfers_active: true, trading_active: false },
      { description: 'sports', exchange_active: true, exchange_index: 3, intra_exchange_transfers_active: true, trading_active: true },
    ]);
    ex.setShardStatus(2, { tradingActive: true, transfersActive: false });
    expect((await client.post(ORDERS, order(BTC))).status).toBe(201);
    const blocked = await move(client, 1, 0, 2);
    expect(blocked).toMatchObject({ status: 400, body: { error: { code: 'intra_exchange_transfers_inactive' } } });
    expect((await move(client, 1, 2, 0)).status).toBe(400); // either end blocks it
    expect((await move(client, 1, 0, 3)).status).toBe(200);
    // the global switch pauses every shard; top-level fields are shard 0's
    ex.setTradingActive(false);
    st = (await anon.get('/exchange/status')).body;
    expect(st.trading_active).toBe(false);
    expect(st.exchange_index_statuses.map((x: any) => x.trading_active)).toEqual([false, false, false, false]);
    expect((await client.post(ORDERS, order(ECO))).body.error.code).toBe('trading_is_paused');
    ex.setTradingActive(true);
    expect((await client.post(ORDERS, order(ECO))).status).toBe(201);
  });

  it('transfer validation: shapes, units, same shard, margined, balance; and it is not idempotent', async () => {
    const { client, sim: ex, mono } = await world({ balanceCents: 1000 }); // $10
    const base = { source: 'event_contract', destination: 'event_contract', amount: 5000, destination_exchange_shard: 2 };
    const code = async (body: unknown) => {
      const r = await client.post(TRANSFER, body);
      return [r.status, r.body.error?.code ?? r.body.code] as const;
    };
    expect(await code({ ...base, amount: '5000' })).toEqual([400, 'bad_request']);
    const float = await client.post(TRANSFER, { ...base, amount: 0.5 });
    expect(float.body).toEqual({
      code: 'bad_request',
      message: 'bad request',
      details: 'json: cannot unmarshal number 0.5 into Go struct field IntraExchangeInstanceTransferRequest.amount of type int64',
    });
    expect(await code({ ...base, amount: 0 })).toEqual([400, 'invalid_parameters']);
    expect(await code({ ...base, amount: -5 })).toEqual([400, 'invalid_parameters']);
    expect(await code({ destination: 'event_contract', amount: 5000 })).toEqual([400, 'invalid_parameters']);
    expect(await code({ ...base, destination: 'margined' })).toEqual([400, 'invalid_parameters']);
    expect(await code({ ...base, destination: 'cash' })).toEqual([400, 'invalid_parameters']);
    expect(await code({ ...base, destination_exchange_shard: 0 })).toEqual([400, 'invalid_parameters']); // same shard, same subaccount
    expect(await code({ ...base, destination_exchange_shard: 101 })).toEqual([400, 'invalid_parameters']);
    expect(await code({ ...base, source_exchange_shard: -1 })).toEqual([400, 'invalid_parameters']);
    expect(await client.post(TRANSFER, { ...base, amount: 100_001 })).toMatchObject({ status: 400, body: wireError('orders__insufficient_balance') });
    expect(ex.transfersSnapshot()).toHaveLength(0);
    // $0.50 is 5000 centicents; two identical requests move it twice
    const one = await client.post(TRANSFER, base);
    const two = await client.post(TRANSFER, base);
    expect([one.status, two.status]).toEqual([200, 200]);
    expect(one.body.transfer_id).not.toBe(two.body.transfer_id);
    mono.now += 1000;
    expect(ex.balances().map((b) => [b.exchangeIndex, b.availableE4])).toEqual([
      [0, 90_000],
      [2, 10_000],
    ]);
    expect(ex.transfersSnapshot().map((t) => [t.amountE4, t.status])).toEqual([
      [5000, 'complete'],
      [5000, 'complete'],
    ]);
    // back from shard 2 to 0 (source defaults are explicit here)
    expect((await client.post(TRANSFER, { ...base, source_exchange_shard: 2, destination_exchange_shard: 0, amount: 10_000 })).status).toBe(200);
    expect((await client.post(TRANSFER, { ...base, source_exchange_shard: 2, destination_exchange_shard: 0, amount: 1 })).body.error.code).toBe(
      'insufficient_balance',
    );
  });

  it('transfer history: newest first, paged by cursor (no cursor key on the last page), limit <= 500', async () => {
    const { client, anon } = await world();
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await move(client, i, 0, 2)).body.transfer_id);
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    do {
      const r = await client.get(`${TRANSFERS}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      sizes.push(r.body.transfers.length);
      seen.push(...r.body.transfers);
      cursor = r.body.cursor;
      if (sizes.length === 3) expect('cursor' in r.body).toBe(false);
    } while (cursor && sizes.length < 10);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen.map((t) => t.transfer_id)).toEqual([...ids].reverse());
    expect(seen.map((t) => t.amount)).toEqual(['5.0000', '4.0000', '3.0000', '2.0000', '1.0000']);
    expect(seen.every((t) => t.status === 'pending')).toBe(true);
    const all = (await client.get(TRANSFERS)).body;
    expect(all.transfers).toHaveLength(5);
    expect('cursor' in all).toBe(false);
    const over = await client.get(`${TRANSFERS}?limit=501`);
    expect(over.status).toBe(400);
    expect(Object.keys(over.body)).toEqual(['msg']);
    expect(await client.get(`${TRANSFERS}/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await anon.get(TRANSFERS)).status).toBe(401); // signed
    expect((await anon.post(TRANSFER, {})).status).toBe(401);
  });

  it("a lost transfer answer ('drop-after') still moved the money once; 'drop' moved nothing", async () => {
    const { client, sim: ex, mono } = await world();
    ex.inject({ kind: 'drop-after', count: 1, method: 'POST', pathIncludes: TRANSFER });
    await expect(move(client, 10, 0, 2)).rejects.toThrow();
    expect(ex.transfersSnapshot()).toHaveLength(1);
    const hist = (await client.get(TRANSFERS)).body.transfers;
    expect(hist).toEqual([expect.objectContaining({ amount: '10.0000', destination_exchange_shard: 2 })]);
    expect((await client.get('/portfolio/balance?exchange_index=0')).body.balance).toBe(99_000);
    ex.inject({ kind: 'drop', count: 1, method: 'POST', pathIncludes: TRANSFER });
    await expect(move(client, 10, 0, 2)).rejects.toThrow();
    expect(ex.transfersSnapshot()).toHaveLength(1);
    mono.now += 1000;
    expect((await client.get('/portfolio/balance')).body.balance_breakdown).toEqual([
      { balance: '990.0000', exchange_index: 0 },
      { balance: '10.0000', exchange_index: 2 },
    ]);
  });

  it('transfers complete on real monotonic time even with a frozen sim clock and only GETs arriving', async () => {
    const frozen = Date.now();
    const s = await setup({ clock: () => frozen, transferDelayMs: 5_000 });
    sim = s.sim;
    s.sim.setTransferDelay(40);
    const id = (await move(s.client, 1, 0, 2)).body.transfer_id;
    expect((await s.client.get(`${TRANSFERS}/${id}`)).body.transfer.status).toBe('pending');
    const t0 = Date.now();
    let status = 'pending';
    while (status === 'pending' && Date.now() - t0 < 1000) {
      await new Promise((r) => setTimeout(r, 10));
      status = (await s.client.get(`${TRANSFERS}/${id}`)).body.transfer.status;
    }
    expect(status).toBe('complete');
    expect((await s.client.get('/portfolio/balance?exchange_index=2')).body.balance).toBe(100);
  });

  it('Ed25519 API keys: a plain Ed25519 signature verifies; a wrong one gets the recorded 401', async () => {
    const { sim: ex } = await world();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keyId = randomUUID();
    ex.registerKey(keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const path = '/trade-api/v2/portfolio/balance';
    const call = (signedPath: string, key: KeyObject = privateKey, ts = Date.now()) =>
      fetch(`${ex.baseUrl}/portfolio/balance?exchange_index=0`, {
        headers: {
          'KALSHI-ACCESS-KEY': keyId,
          'KALSHI-ACCESS-TIMESTAMP': String(ts),
          'KALSHI-ACCESS-SIGNATURE': sign(null, Buffer.from(`${ts}GET${signedPath}`), key).toString('base64'),
        },
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const ok = await call(path);
    expect(ok.status).toBe(200);
    expect(ok.body.balance).toBe(100_000);
    expect(await call('/trade-api/v2/portfolio/positions')).toEqual({ status: 401, body: wireError('auth__bad_signature') });
    const other = generateKeyPairSync('ed25519').privateKey;
    expect((await call(path, other)).status).toBe(401);
    expect((await call(path, privateKey, Date.now() - 60_000)).body).toEqual(wireError('auth__skew_minus30s'));
    // a private PKCS#8 PEM registers too (its public half is derived)
    const k2 = generateKeyPairSync('ed25519');
    expect(() => ex.registerKey(randomUUID(), k2.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).not.toThrow();
    expect(() => ex.registerKey(randomUUID(), generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow();
  });

  it('no error body carries `service` (removed from the wire on 2026-08-06)', async () => {
    const { client, anon, sim: ex } = await world({ balanceCents: 100 });
    const ticker = ECO;
    const bodies: unknown[] = [];
    const push = async (p: Promise<{ status: number; body: unknown }>) => {
      const r = await p;
      expect(r.status).toBeGreaterThanOrEqual(400);
      bodies.push(r.body);
    };
    await push(client.post(ORDERS, gtc(BTC))); // insufficient_balance
    await push(client.post(ORDERS, order('KXNOPE-1-A'))); // market_not_found
    await push(client.post(ORDERS, order(ticker, { price: '0.4150' }))); // invalid_price
    await push(client.post(ORDERS, order(ticker, { reduce_only: true }))); // invalid_order reduce only
    await push(client.post(ORDERS, order(ticker, { time_in_force: 'nope' }))); // invalid_parameters
    await push(client.post('/portfolio/orders', {})); // deprecated V1
    await push(client.del(`${ORDERS}/${randomUUID()}`)); // not_found
    await push(client.del(`${ORDERS}/x?exchange_index=-1`)); // invalid_parameters
    await push(move(client, 1000, 0, 2)); // insufficient_balance
    await push(client.post(TRANSFER, { source: 'margined', destination: 'event_contract', amount: 1, destination_exchange_shard: 2 }));
    await push(anon.get('/markets/KXNOPE'));
    const dup = order(ticker, { count: '1.00', price: '0.4000', time_in_force: 'good_till_canceled' });
    expect((await client.post(ORDERS, dup)).status).toBe(201);
    await push(client.post(ORDERS, dup)); // order_already_exists
    ex.setTradingActive(false);
    await push(client.post(ORDERS, order(ticker))); // trading_is_paused
    ex.inject({ kind: 'status', status: 503, count: 1 });
    await push(anon.get('/exchange/status'));
    for (const b of bodies) expect(JSON.stringify(b)).not.toContain('service"');
    expect(bodies).toHaveLength(14);
  });

  it('single writes naming a shard >= 1 bill that shard\u2019s own write bucket', async () => {
    let bucketNow = 0;
    const { client, mono } = await world({ rateLimit: 'basic', rateClock: () => bucketNow });
    await move(client, 100, 0, 2); // 10 write tokens
    mono.now += 1000;
    // basic writes: 100 tokens, 10 per create; 9 more creates empty the unscoped bucket
    for (let i = 0; i < 9; i++) expect((await client.post(ORDERS, order(ECO))).status).toBe(201);
    expect((await client.post(ORDERS, order(ECO))).status).toBe(429);
    expect((await client.post(ORDERS, order(BTC))).status).toBe(429); // auto-routed: unscoped bucket
    expect((await client.post(ORDERS, order(BTC, { exchange_index: -1 }))).status).toBe(429);
    for (let i = 0; i < 10; i++) expect((await client.post(ORDERS, order(BTC, { exchange_index: 2 }))).status).toBe(201);
    expect((await client.post(ORDERS, order(BTC, { exchange_index: 2 }))).status).toBe(429);
    bucketNow += 1000;
    expect((await client.post(ORDERS, order(ECO))).status).toBe(201);
  });
});
