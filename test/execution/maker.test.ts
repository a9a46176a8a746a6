// ORDER_STYLE=maker: post-only at the best bid (a cent inside the spread where that does not cross), resting up to
// MAKER_REST_SECONDS outside the order queue, then canceled and booked, with the cap as strict as for a taker. The
// simulated exchange fills resting orders by order flow over simulated time: a queue at each price, and informed
// takers. Real HTTP on loopback, real SQLite, a manual clock for simulated time.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MarketWire, type MarketWireInput } from '../../src/kalshi/market-schema.js';
import { loadConfig } from '../../src/config.js';
import { defaultSettings } from '../../src/journal/settings.js';
import { evaluateMarket, makerPriceE4 } from '../../src/rules/evaluate.js';
import { worstCaseE4 } from '../../src/rules/risk.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { DAY, T0, type World, alertsOf, world } from '../support/app.js';

const FIXTURE = (JSON.parse(readFileSync(`${FIXTURES_DIR}/markets__single.json`, 'utf8')) as { market: MarketWireInput }).market;
const quote = (bid: string, ask: string, bidSize = '50.00', askSize = '50.00') =>
  MarketWire.parse({ ...structuredClone(FIXTURE), yes_bid_dollars: bid, yes_ask_dollars: ask, yes_bid_size_fp: bidSize, yes_ask_size_fp: askSize, volume_24h_fp: '90000.00' });

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const soon = { expectedExpirationMs: T0 + 2 * DAY, closeMs: T0 + 3 * DAY };
const plan = (ticker: string, priceE4: number, contracts = 6) => ({ ticker, title: '', side: 'yes' as const, contracts, priceE4, style: 'maker' as const, cycleId: null, approvalId: null });

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the maker price and size', () => {
  it('rests a cent inside the spread when it stays open, at the bid when it is one cent wide', () => {
    expect(makerPriceE4(quote('0.7600', '0.7900'), 'yes')).toBe(7700);
    expect(makerPriceE4(quote('0.7600', '0.7700'), 'yes')).toBe(7600);
    // NO: its bid is 1 - the YES ask (21c), its ask 1 - the YES bid (24c).
    expect(makerPriceE4(quote('0.7600', '0.7900'), 'no')).toBe(2200);
    expect(makerPriceE4(quote('0.1800', '0.2000'), 'no')).toBe(8100);
    // No bid at all: a cent below the ask.
    expect(makerPriceE4(quote('0.0000', '0.7900', '0.00'), 'yes')).toBe(7800);
  });

  it('layer 4 sizes a maker at its own price (the book does not bound it) and its edge pays the maker fee', () => {
    const ctx = {
      nowMs: Date.parse('2026-06-11T12:00:00Z'),
      tradingActive: true,
      settings: defaultSettings(loadConfig({})),
      excluded: new Set<string>(),
      approvalRules: { approvalAboveCostE4: undefined, approvalCategories: new Set<string>() },
      categoryOf: () => 'Sports',
      exposureE2: () => 0,
      feeOf: () => ({ feeType: 'quadratic_with_maker_fees', multiplierE4: 10_000 }),
    };
    // NO ask 82c, NO bid 79c: a maker rests at 80c. Only 2 contracts at the top of the YES bid: the taker buys 2.
    const m = quote('0.1800', '0.2100', '2.00', '50.00');
    const taker = evaluateMarket(m, ctx);
    const maker = evaluateMarket(m, { ...ctx, orderStyle: 'maker' });
    expect(taker).toMatchObject({ pass: true, side: 'no', priceE4: 8200, quotedE4: 8200, style: 'taker', contracts: 2 });
    expect(maker).toMatchObject({ pass: true, side: 'no', priceE4: 8000, quotedE4: 8200, style: 'maker', contracts: 6 });
    if (!maker.pass) return;
    // 0.0175 x 0.8 x 0.2 = $0.0028 a contract; the worst case is still the taker's bound (never less strict).
    expect(maker.edge).toMatchObject({ priceE4: 8000, feeE4: 28, maker: true, breakEvenE4: 8028 });
    expect(maker.worstCaseE4).toBe(worstCaseE4(6, 8000, { feeType: 'quadratic_with_maker_fees', multiplierE4: 10_000 }));
  });
});

describe('maker orders on the simulated exchange', () => {
  it('posts post-only, rests outside the queue with its worst case counted, fills by flow, books maker fills', async () => {
    w = await world({ makerFlow: { toxicity: 0 } });
    // 2,000,000 contracts a day: ~115 contracts of sellers every 10 seconds.
    w.sim.addMarket({ ticker: 'KXMAKE-26NOV27-A', yesBidCents: 76, yesAskCents: 79, volume24h: 2_000_000, ...soon });
    const app = await w.start({ ORDER_STYLE: 'maker' }, { executor: { pollMs: 5, fillTimeoutMs: 200, makerRestMs: 1500 } });
    const r = await app.executor.execute(plan('KXMAKE-26NOV27-A', 7700));
    expect(r.kind).toBe('resting');
    // On the exchange: a bid at 77c resting; in the journal: resting, its worst case counted against the cap.
    const ex = w.sim.ordersSnapshot().at(-1)!;
    expect(ex).toMatchObject({ side: 'bid', priceE4: 7700, status: 'resting', filledE2: 0 });
    const row = app.journal.orders.recent(1)[0]!;
    expect(row).toMatchObject({ state: 'resting', style: 'maker', final: 0 });
    expect(app.journal.orders.atRiskE4('2026-11-25')).toBe(row.worst_case_e4);
    expect(app.executor.restingCount).toBe(1);
    // Simulated seconds of order flow (until its expiry, 2 s after its rest): the sellers fill it (first in line at 77c).
    w.clock.advance(10_000);
    await until(() => app.journal.orders.get(row.id)!.final === 1);
    const done = app.journal.orders.get(row.id)!;
    // No trade fee on a quadratic series for a maker: only the cent of rounding the ledger books per filled order.
    expect(done).toMatchObject({ state: 'executed', filled_e2: 600, fill_cost_e4: 46_200, fees_e4: 100 });
    const fills = app.journal.db.prepare('SELECT is_taker, fee_e4 FROM fills WHERE order_id = ?').all(row.id);
    expect(fills).toEqual([{ is_taker: 0, fee_e4: 0 }]);
    // Booked after its cycle would have ended: its alert is not held for a digest.
    expect(alertsOf(app, 'order').at(-1)).toMatchObject({ ticker: 'KXMAKE-26NOV27-A', state: 'executed', filledE2: 600 });
    expect(app.journal.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'order' AND hold_cycle IS NOT NULL").get()).toEqual({ n: 0 });
    expect(app.executor.restingCount).toBe(0);
  });

  it('is canceled at its rest end with what filled booked; refused when it would cross; one at a time per market; stopped cleanly', async () => {
    w = await world({ makerFlow: { toxicity: 0 } });
    w.sim.addMarket({ ticker: 'KXQUIET-26NOV27-A', yesBidCents: 76, yesAskCents: 79, volume24h: 0, ...soon });
    w.sim.addMarket({ ticker: 'KXQUIET-26NOV27-B', yesBidCents: 70, yesAskCents: 73, volume24h: 0, ...soon });
    const app = await w.start({ ORDER_STYLE: 'maker' }, { executor: { pollMs: 5, fillTimeoutMs: 200, makerRestMs: 300 } });
    // Nobody trades here: after its rest the order is canceled, nothing filled, nothing left counted.
    const a = await app.executor.execute(plan('KXQUIET-26NOV27-A', 7700));
    expect(a.kind).toBe('resting');
    // A second order on the same market while the first rests: refused inside the cap's transaction.
    expect(await app.executor.execute(plan('KXQUIET-26NOV27-A', 7700))).toMatchObject({ kind: 'cap', reason: 'an order of ours still rests on this market' });
    await until(() => app.executor.restingCount === 0);
    expect(app.journal.orders.recent(1)[0]).toMatchObject({ state: 'canceled', filled_e2: 0, final: 1 });
    expect(w.sim.ordersSnapshot().at(-1)).toMatchObject({ status: 'canceled' });
    expect(app.journal.orders.atRiskE4('2026-11-25')).toBe(0);
    // At the ask a post-only order would take: the exchange refuses it, nothing rests.
    expect(await app.executor.execute(plan('KXQUIET-26NOV27-A', 7900))).toMatchObject({ kind: 'rejected', reason: 'invalid_order (post only cross)' });
    // Two resting at once (different markets); a stop cancels both on the exchange and books them.
    const longRest = await w.start({ ORDER_STYLE: 'maker' }, { executor: { pollMs: 5, fillTimeoutMs: 200, makerRestMs: 60_000 } });
    await app.stop();
    expect((await longRest.executor.execute(plan('KXQUIET-26NOV27-A', 7700))).kind).toBe('resting');
    expect((await longRest.executor.execute(plan('KXQUIET-26NOV27-B', 7100))).kind).toBe('resting');
    expect(longRest.executor.restingCount).toBe(2);
    const t = performance.now();
    await longRest.executor.stop();
    expect(performance.now() - t).toBeLessThan(3000);
    expect(w.sim.ordersSnapshot().slice(-2).map((o) => o.status)).toEqual(['canceled', 'canceled']);
    expect(longRest.journal.orders.unfinished()).toEqual([]);
  });

  it('rests across the next cycle: its reconciliation leaves a watched order alone, and the cycle does not order there again', async () => {
    w = await world({ makerFlow: { toxicity: 0 } });
    w.sim.addMarket({ ticker: 'KXLONG-26NOV27-A', yesBidCents: 76, yesAskCents: 79, volume24h: 9000, ...soon });
    const app = await w.start({ ORDER_STYLE: 'maker' }, { executor: { pollMs: 5, fillTimeoutMs: 200, makerRestMs: 60_000 } });
    const first = await app.runCycle();
    expect(first.orders).toEqual([expect.objectContaining({ ticker: 'KXLONG-26NOV27-A', status: 'resting' })]);
    const second = await app.runCycle();
    expect(second.orders).toEqual([]);
    expect(app.journal.cycles.decision('KXLONG-26NOV27-A')).toMatchObject({ layer: 4, reason: 'an order of ours still rests on this market' });
    expect(w.sim.ordersSnapshot().map((o) => o.status)).toEqual(['resting']);
    await app.executor.stop();
    expect(w.sim.ordersSnapshot().map((o) => o.status)).toEqual(['canceled']);
  });

  it('the flow: first in line fills before those who joined behind a queue; informed flow fills the losing side more', async () => {
    w = await world({ makerFlow: { toxicity: 0 } });
    // 20,000 contracts a day: ~1.2 contracts of sellers every 10 seconds.
    w.sim.addMarket({ ticker: 'KXQUEUE-26NOV27-IN', yesBidCents: 76, yesAskCents: 79, yesBidSize: 50, volume24h: 20_000, ...soon });
    w.sim.addMarket({ ticker: 'KXQUEUE-26NOV27-AT', yesBidCents: 76, yesAskCents: 77, yesBidSize: 50, volume24h: 20_000, ...soon });
    const app = await w.start();
    const bid = (ticker: string, price: string, count: string) =>
      app.client.createOrder({ ticker, side: 'bid', countE2: Number(count) * 100, priceE4: Number(price) * 10_000, timeInForce: 'good_till_canceled', clientOrderId: `${ticker}-${price}-${count}`, postOnly: true });
    const inside = await bid('KXQUEUE-26NOV27-IN', '0.77', '10');
    const behind = await bid('KXQUEUE-26NOV27-AT', '0.76', '10');
    const filled = async (id: string) => (await app.client.getOrder(id)).fillCountE2 / 100;
    // Five simulated minutes: ~35 contracts of sellers. First in line gets its 10; behind 50 contracts, none yet.
    w.clock.advance(5 * 60_000);
    expect(await filled(inside.orderId)).toBe(10);
    expect(await filled(behind.orderId)).toBe(0);
    // Another twelve minutes: the queue ahead is gone, and it fills too.
    w.clock.advance(12 * 60_000);
    expect(await filled(behind.orderId)).toBe(10);
    await w.close();

    // Informed flow: identical markets, one resolving NO (sellers know), one YES.
    w = await world({ makerFlow: { toxicity: 0.5 } });
    w.sim.addMarket({ ticker: 'KXINF-26NOV27-LOSE', yesBidCents: 76, yesAskCents: 79, volume24h: 20_000, ...soon });
    w.sim.addMarket({ ticker: 'KXINF-26NOV27-WIN', yesBidCents: 76, yesAskCents: 79, volume24h: 20_000, ...soon });
    w.sim.updateMarket('KXINF-26NOV27-LOSE', { result: 'no' });
    w.sim.updateMarket('KXINF-26NOV27-WIN', { result: 'yes' });
    const app2 = await w.start();
    const big = (ticker: string) =>
      app2.client.createOrder({ ticker, side: 'bid', countE2: 40_000, priceE4: 7700, timeInForce: 'good_till_canceled', clientOrderId: ticker, postOnly: true });
    const lose = await big('KXINF-26NOV27-LOSE');
    const win = await big('KXINF-26NOV27-WIN');
    w.clock.advance(20 * 60_000);
    const l = (await app2.client.getOrder(lose.orderId)).fillCountE2;
    const v = (await app2.client.getOrder(win.orderId)).fillCountE2;
    // 1.5x against 0.5x the flow: a maker's bid fills about three times as much where YES will lose.
    expect(l).toBeGreaterThan(2 * v);
    expect(v).toBeGreaterThan(0);
  });
});
