// Stream mode end to end: the real app with STREAM=on against the simulated exchange's WebSocket on loopback, a temp
// SQLite journal. A market entering the band is ordered through the executor (journaled, counted against the cap);
// a stale quote is not traded; a sequence gap makes a full scan due, and the scan recovers it.
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { formatStatus } from '../../src/chat/format.js';
import { tradingDay } from '../../src/clock.js';
import { DAY, T0, type World, inBandMarket, world } from '../support/app.js';

const until = async (cond: () => boolean, ms = 4000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const outOfBand = (ticker: string) => ({ ...inBandMarket(ticker), yesBidCents: 48, yesAskCents: 50 });

describe('stream mode', () => {
  let w: World;
  afterEach(async () => w?.close());

  async function boot(env: Record<string, string> = {}, simClock?: () => number, extra: Parameters<World['start']>[1] = {}): Promise<App> {
    w = await world({ ws: { tickMs: 5 }, ...(simClock ? { clock: simClock } : {}) });
    w.sim.addMarket(outOfBand('KXS-26NOV27-A'));
    w.sim.addMarket(outOfBand('KXS-26NOV27-B'));
    const app = await w.start({ STREAM: 'on', ...env }, { stream: { silenceMs: 2000, backoff: { baseMs: 20, maxMs: 100 } }, ...extra });
    const s = await app.runCycle();
    expect(s.orders).toEqual([]);
    app.stream!.start();
    await until(() => app.stream!.health().connected);
    // the subscribe acks are in once a frame can be told apart from the handshake
    await new Promise((r) => setTimeout(r, 50));
    return app;
  }

  it('orders a market the moment its price enters the band, through the executor and the cap ledger', async () => {
    const app = await boot();
    expect(app.stream!.scanDue()).toBe(false);
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => w.sim.ordersSnapshot().length === 1);
    const o = w.sim.ordersSnapshot()[0]!;
    expect([o.ticker, o.priceE4, o.side]).toEqual(['KXS-26NOV27-A', 7800, 'bid']);
    await until(() => app.journal.orders.recent(5).some((r) => r.state === 'executed'));
    const row = app.journal.orders.recent(5)[0]!;
    expect([row.ticker, row.cycle_id, row.price_e4]).toEqual(['KXS-26NOV27-A', null, 7800]);
    // counted against the cap like any order
    expect(app.journal.orders.atRiskE4(tradingDay(w.clock.now(), 'America/New_York'))).toBeGreaterThan(0);
    // a price change inside the band is no new entry: no second order
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 77, yesAskCents: 79 });
    await new Promise((r) => setTimeout(r, 150));
    expect(w.sim.ordersSnapshot()).toHaveLength(1);
    expect(app.stream!.health()).toMatchObject({ orders: 1, markets: 2 });
    const status = await app.control.status();
    expect(status.stream).toMatchObject({ connected: true, orders: 1, gaps: 0 });
    expect(formatStatus(status, w.clock.now(), 'America/New_York')).toMatch(/Stream: connected for .*msg\/s.*0\/0 gaps recovered, \d+ of 2 markets fresh/);
    // The loop ticks every 50 s, but with the stream healthy the next full scan is the resync (RESYNC_MINUTES, 10).
    const ticking = { ...status, nextCycleAt: w.clock.now() + 50_000 };
    expect(formatStatus(ticking, w.clock.now(), 'America/New_York')).toMatch(/Next full scan: about \d+:\d+ ET \(in 10 min; prices come from the stream until then\)/);
    expect(formatStatus(ticking, w.clock.now(), 'America/New_York')).not.toMatch(/Next cycle:/);
  });

  it('the cap check stays the executor transaction: a full cap refuses the streamed order', async () => {
    const app = await boot({ DAILY_LOSS_CAP: '5', MAX_COST_PER_TRADE: '5' });
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => w.sim.ordersSnapshot().length === 1);
    await until(() => app.journal.orders.recent(5).some((r) => r.state === 'executed'));
    w.sim.updateMarket('KXS-26NOV27-B', { yesBidCents: 76, yesAskCents: 78 });
    await new Promise((r) => setTimeout(r, 200));
    expect(w.sim.ordersSnapshot()).toHaveLength(1);
    expect(app.journal.orders.haltOf(tradingDay(w.clock.now(), 'America/New_York'))).toBeDefined();
  });

  it('never trades on a quote older than STALE_QUOTE_SECONDS', async () => {
    // after the scan, the exchange's clock falls 6 s behind ours: every quote it streams is 6 s old on arrival
    let lagMs = 0;
    const app = await boot({ STALE_QUOTE_SECONDS: '5' }, () => (w ? w.clock.now() : T0) - lagMs);
    w.clock.advance(10_000);
    lagMs = 6000;
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => app.stream!.health().staleSkipped === 1);
    expect(w.sim.ordersSnapshot()).toEqual([]);
    expect(app.stream!.health().outOfOrder).toBe(0);
    // a fresh quote of the same market (out of the band and back in) is traded
    lagMs = 0;
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 48, yesAskCents: 50 });
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => w.sim.ordersSnapshot().length === 1);
  });

  it('a skipped sequence number makes a full scan due; the scan recovers it', async () => {
    const app = await boot();
    w.sim.wsFault({ kind: 'skip-seq' });
    w.sim.addMarket({ ...outOfBand('KXN-26NOV27-A'), closeMs: T0 + 3 * DAY });
    await until(() => app.stream!.health().gaps === 1);
    expect(app.stream!.scanDue()).toBe(true);
    const status = { ...(await app.control.status()), nextCycleAt: w.clock.now() + 20_000 };
    expect(formatStatus(status, w.clock.now(), 'America/New_York')).toMatch(/Next full scan: \d+:\d+ ET \(in 20 s; due now: a gap or a reconnect\)/);
    await app.runCycle();
    expect(app.stream!.scanDue()).toBe(false);
    expect(app.stream!.health()).toMatchObject({ gapsRecovered: 1, markets: 3 });
  });

  it('reconnects after a drop; the reconnect makes a resync due (nothing is replayed)', async () => {
    const app = await boot();
    w.sim.wsFault({ kind: 'drop' });
    await until(() => app.stream!.health().reconnects >= 1 && app.stream!.health().connected);
    expect(app.stream!.scanDue()).toBe(true);
    await app.runCycle();
    w.sim.updateMarket('KXS-26NOV27-B', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => w.sim.ordersSnapshot().length === 1);
  });

  it('a fill on the fill channel books the order at once; ORDER_STYLE reaches the streamed order (a maker rests)', async () => {
    // The maker's own REST reads come every 30 s with the stream up (and its polling is slowed to a minute): only the
    // pushed reports can book the fill within the test.
    const app = await boot({ ORDER_STYLE: 'maker', MAKER_REST_SECONDS: '600' }, undefined, { executor: { pollMs: 10, fillTimeoutMs: 200, makerPollMs: 60_000 } });
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => w.sim.ordersSnapshot().length === 1);
    // A maker buys YES a cent above the bid, post-only, and rests.
    const o = w.sim.ordersSnapshot()[0]!;
    expect([o.ticker, o.priceE4, o.side, o.status]).toEqual(['KXS-26NOV27-A', 7700, 'bid', 'resting']);
    // The executor has read it resting and watches it (its own reads now come once a minute).
    await until(() => app.journal.orders.recent(5).some((r) => r.style === 'maker' && app.executor.isWatching(r.id)));
    // The market trades through our bid: the exchange fills it and says so on the fill channel.
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 74, yesAskCents: 75 });
    await until(() => app.stream!.health().fillsBooked === 1, 8000);
    const row = app.journal.orders.recent(5)[0]!;
    expect([row.ticker, row.style, row.final, row.filled_e2 > 0]).toEqual(['KXS-26NOV27-A', 'maker', 1, true]);
    // Booked once: the journal's filled amount is the exchange's.
    expect(row.filled_e2).toBe(w.sim.ordersSnapshot()[0]!.filledE2);
  });

  it('counts its own fills toward the position limit between positions reads (no second order past the limit)', async () => {
    const app = await boot({ POSITION_LIMIT: '3' });
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => app.journal.orders.recent(5).some((r) => r.final === 1 && r.filled_e2 === 300));
    // Out of the band and back in within the positions read's 30 s: the 3 contracts just bought are still counted.
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 48, yesAskCents: 50 });
    await new Promise((r) => setTimeout(r, 60));
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await new Promise((r) => setTimeout(r, 300));
    expect(w.sim.ordersSnapshot()).toHaveLength(1);
    expect(app.stream!.health().orders).toBe(1);
  });

  it('a market that enters the band but trades too little costs no read: the checks on its own numbers come first', async () => {
    const app = await boot({ MIN_VOLUME_24H: '100000' });
    const before = w.sim.stats().byRoute;
    const readsOf = (r: Record<string, number>) => Object.entries(r).filter(([k]) => k.startsWith('GET /events') || k.startsWith('GET /portfolio/positions')).reduce((a, [, n]) => a + n, 0);
    w.sim.updateMarket('KXS-26NOV27-A', { yesBidCents: 76, yesAskCents: 78 });
    await until(() => app.stream!.health().marketsFresh === 2 && app.stream!.health().lastMessageAgeMs !== null);
    await new Promise((r) => setTimeout(r, 200));
    expect(readsOf(w.sim.stats().byRoute)).toBe(readsOf(before));
    expect(w.sim.ordersSnapshot()).toEqual([]);
  });
});
