import { afterEach, describe, expect, it } from 'vitest';
import type { SimExchange } from '../../src/sim/index.js';
import { fixture, keysNow, order, setup, wireError } from '../support/sim.js';

let sim: SimExchange | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

const T = 'KXWTA-26JUN11JIMLEP-LEP';
const ORDERS = '/portfolio/events/orders';

async function withMarket(over: Record<string, unknown> = {}, opts = {}) {
  const s = await setup(opts);
  sim = s.sim;
  s.sim.addMarket({ ticker: T, yesBidCents: 47, yesAskCents: 52, yesBidSize: 3, yesAskSize: 3, ...over });
  return s;
}

describe('sim V2 orders', () => {
  it('a taker IOC fills at the ask with the recorded response shape and a 0.017500 fee', async () => {
    const { client } = await withMarket();
    const body = order(T, { price: '0.9900' });
    const r = await client.post(ORDERS, body);
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(fixture('orders__create_v2_taker_ioc') as object).sort());
    expect(r.body).toMatchObject({
      average_fee_paid: '0.0175',
      average_fill_price: '0.5200',
      client_order_id: body.client_order_id,
      fill_count: '1.00',
      remaining_count: '0.00',
    });
    const fills = await client.get('/portfolio/fills?limit=10');
    expect(fills.body.fills).toHaveLength(1);
    expect(fills.body.fills[0]).toMatchObject({ fee_cost: '0.017500', yes_price_dollars: '0.5200', no_price_dollars: '0.4800', is_taker: true, count_fp: '1.00' });
    expect(Object.keys(fills.body.fills[0]).sort()).toEqual(keysNow((fixture('fills__after_taker') as any).fills[0], 'exchange_index'));
    const pos = await client.get('/portfolio/positions');
    expect(pos.body.market_positions[0]).toMatchObject({ ticker: T, position_fp: '1.00', market_exposure_dollars: '0.520000', fees_paid_dollars: '0.017500' });
    expect(Object.keys(pos.body).sort()).toEqual(Object.keys(fixture('portfolio__positions') as object).sort());
    const bal = await client.get('/portfolio/balance');
    expect(bal.body.balance_dollars).toBe('999.4625'); // 1000 − 0.52 − 0.0175
    // the book depleted by one
    const ob = await client.get(`/markets/${T}/orderbook`);
    expect(ob.body.orderbook_fp.no_dollars).toEqual([['0.4800', '2.00']]);
  });

  it('partial fill then rest (GTC), cancel, 404 on re-cancel, 409 on reused id', async () => {
    const { client, sim: ex } = await withMarket();
    const body = order(T, { count: '5.00', price: '0.5200', time_in_force: 'good_till_canceled' });
    const r = await client.post(ORDERS, body);
    expect(r.body).toMatchObject({ fill_count: '3.00', remaining_count: '2.00' });
    const got = await client.get(`/portfolio/orders/${r.body.order_id}`);
    expect(got.body.order).toMatchObject({ status: 'resting', fill_count_fp: '3.00', remaining_count_fp: '2.00', yes_price_dollars: '0.5200' });
    expect(Object.keys(got.body.order).sort()).toEqual(keysNow((fixture('orders__get_after_cancel') as any).order, 'exchange_index'));
    // our resting bid is now the best bid
    expect((await client.get(`/markets/${T}`)).body.market.yes_bid_dollars).toBe('0.5200');
    const list = await client.get(`/portfolio/orders?status=resting&ticker=${T}`);
    expect(list.body.orders.map((o: any) => o.order_id)).toEqual([r.body.order_id]);
    const c = await client.del(`${ORDERS}/${r.body.order_id}`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ order_id: r.body.order_id, reduced_by: '2.00' });
    const again = await client.del(`${ORDERS}/${r.body.order_id}`);
    expect(again).toMatchObject({ status: 404, body: wireError('orders__cancel_already_canceled') });
    expect((await client.del(`${ORDERS}/00000000-0000-0000-0000-000000000000`)).body).toEqual(wireError('orders__cancel_unknown_id'));
    const dup = await client.post(ORDERS, body);
    expect(dup).toMatchObject({ status: 409, body: wireError('orders__reuse_canceled_client_id') });
    expect(ex.ordersSnapshot()).toHaveLength(1);
    expect(ex.ordersSnapshot()[0]).toMatchObject({ status: 'canceled', filledE2: 300, initialE2: 500, priceE4: 5200 });
  });

  it('cancel of an executed order answers the same 404', async () => {
    const { client } = await withMarket();
    const r = await client.post(ORDERS, order(T));
    expect((await client.del(`${ORDERS}/${r.body.order_id}`)).body).toEqual(wireError('orders__cancel_executed'));
  });

  it('rejects with the recorded bodies: numbers, off-grid, post-only cross, balance, V1', async () => {
    const { client } = await withMarket({}, { balanceCents: 9801 });
    const numeric = await client.post(ORDERS, { ...order(T), count: 1, price: 0.01 });
    expect(numeric).toMatchObject({ status: 400, body: fixture('orders__numeric_field_types') });
    expect(await client.post(ORDERS, order(T, { price: '0.5150', post_only: true, time_in_force: 'good_till_canceled' }))).toMatchObject({
      status: 400,
      body: wireError('orders__invalid_price_structure'),
    });
    expect(await client.post(ORDERS, order(T, { price: '0.9900', post_only: true, time_in_force: 'good_till_canceled' }))).toMatchObject({
      status: 400,
      body: fixture('orders__post_only_cross'),
    });
    expect(await client.post(ORDERS, order(T, { count: '10099.00', price: '0.9900', time_in_force: 'good_till_canceled' }))).toMatchObject({
      status: 400,
      body: wireError('orders__insufficient_balance'),
    });
    const v1 = await client.post('/portfolio/orders', { ticker: T, action: 'buy', side: 'yes', count: 1, yes_price: 1 });
    expect(v1.status).toBe(410);
    expect(v1.body.error.code).toBe('deprecated_v1_order_endpoint');
    expect((await client.del('/portfolio/orders/abc')).status).toBe(410);
    const missing = await client.post(ORDERS, { ticker: T, side: 'bid', count: '1.00', price: '0.5200' });
    expect(missing.status).toBe(400);
    const bad = await client.post(ORDERS, order(T, { expiration_time: 2_000_000_000 }));
    expect(bad.status).toBe(400);
  });

  it('tenth-cent grids accept 0.5150; FOK rejects when not fully fillable; IOC cancels the rest', async () => {
    const { client, sim: ex } = await withMarket({ tickSizeE4: 10 });
    const fok = await client.post(ORDERS, order(T, { count: '4.00', time_in_force: 'fill_or_kill' }));
    expect(fok.status).toBe(400);
    const ioc = await client.post(ORDERS, order(T, { count: '4.00', price: '0.5150' }));
    expect(ioc.body).toMatchObject({ fill_count: '0.00', remaining_count: '0.00' });
    const ioc2 = await client.post(ORDERS, order(T, { count: '4.00' }));
    expect(ioc2.body).toMatchObject({ fill_count: '3.00', remaining_count: '0.00' });
    expect(ex.ordersSnapshot().map((o) => o.status)).toEqual(['canceled', 'canceled']);
  });

  it('ask (buy NO) fills against YES bids; fillResting fills a resting order as maker', async () => {
    const { client, sim: ex } = await withMarket({ yesBidSize: 10, yesAskSize: 10 });
    const sell = await client.post(ORDERS, order(T, { side: 'ask', price: '0.4700', count: '2.00' }));
    expect(sell.body).toMatchObject({ fill_count: '2.00', average_fill_price: '0.4700' });
    let pos = await client.get('/portfolio/positions');
    expect(pos.body.market_positions[0]).toMatchObject({ position_fp: '-2.00', market_exposure_dollars: '1.060000' });
    const rest = await client.post(ORDERS, order(T, { price: '0.4000', count: '3.00', time_in_force: 'good_till_canceled' }));
    expect(rest.body.fill_count).toBe('0.00');
    ex.fillResting(rest.body.order_id, 100);
    let o = (await client.get(`/portfolio/orders/${rest.body.order_id}`)).body.order;
    expect(o).toMatchObject({ status: 'resting', fill_count_fp: '1.00', maker_fees_dollars: '0.000000' });
    ex.fillResting(rest.body.order_id);
    o = (await client.get(`/portfolio/orders/${rest.body.order_id}`)).body.order;
    expect(o.status).toBe('executed');
    pos = await client.get('/portfolio/positions');
    expect(pos.body.market_positions[0].position_fp).toBe('1.00'); // −2 NO netted by +3 YES
  });

  it('closed markets and paused trading reject; GTC expiration and settlement follow the clock', async () => {
    let now = Date.parse('2026-06-11T06:00:00Z');
    const { client, sim: ex } = await withMarket({ closeMs: now + 60_000 }, { clock: () => now });
    ex.setTradingActive(false);
    expect((await client.post(ORDERS, order(T))).body.error.code).toBe('trading_is_paused');
    expect((await client.get('/exchange/status')).body).toMatchObject({ trading_active: false, exchange_estimated_resume_time: expect.any(String) });
    ex.setTradingActive(true);
    await client.post(ORDERS, order(T, { count: '2.00' }));
    const gtc = await client.post(ORDERS, order(T, { price: '0.1000', time_in_force: 'good_till_canceled', expiration_time: Math.floor(now / 1000) + 30 }));
    now += 31_000;
    expect((await client.get(`/portfolio/orders/${gtc.body.order_id}`)).body.order.status).toBe('canceled');
    now += 30_000; // past close
    expect((await client.get(`/markets/${T}`)).body.market.status).toBe('closed');
    expect((await client.post(ORDERS, order(T))).body.error.code).toBe('market_closed');
    now += 10 * 60_000; // settles after close
    const st = await client.get('/portfolio/settlements');
    expect(st.body.settlements).toHaveLength(1);
    const s0 = st.body.settlements[0];
    expect(s0).toMatchObject({ ticker: T, yes_count_fp: '2.00', no_count_fp: '0.00' });
    expect(s0.revenue).toBe(s0.market_result === 'yes' ? 200 : 0);
    expect((await client.get(`/markets/${T}`)).body.market.status).toBe('finalized');
  });
});
