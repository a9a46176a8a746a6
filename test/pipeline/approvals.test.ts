// Approvals re-check the market at its current price; they are single-use and expire.
// Settings changed at run time survive a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, T0, type World, world } from '../support/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

const TICKER = 'KXAPPR-26NOV27-A';

async function flagged() {
  w = await world();
  w.sim.addMarket({ ticker: TICKER, yesBidCents: 76, yesAskCents: 78, volume24h: 9000, expectedExpirationMs: T0 + 2 * DAY, closeMs: T0 + 3 * DAY });
  const app = await w.start({ APPROVAL_ABOVE_COST: '1', APPROVAL_TTL_MINUTES: '10' });
  const s = await app.runCycle();
  expect(s.orders).toHaveLength(0);
  const [pending] = app.journal.approvals.pending(w.clock.now());
  expect(pending).toMatchObject({ ticker: TICKER, side: 'yes', state: 'pending' });
  // A second cycle does not ask twice for the same market.
  await app.runCycle();
  expect(app.journal.approvals.pending(w.clock.now())).toHaveLength(1);
  return { app, id: pending!.id };
}

describe('approvals', () => {
  it('approve re-runs layers 2-4 and places exactly one order; a second tap does nothing', async () => {
    const { app, id } = await flagged();
    const r = await app.control.approve('user:1', String(id));
    expect(r.ok && r.value).toMatchObject({ ok: true, state: 'executed' });
    expect(w.sim.ordersSnapshot()).toHaveLength(1);
    const again = await app.control.approve('user:1', String(id));
    expect(again.ok && again.value).toMatchObject({ ok: false, error: 'not-pending' });
    expect(w.sim.ordersSnapshot()).toHaveLength(1);
    expect(app.journal.approvals.get(id)).toMatchObject({ state: 'approved', decided_by: 'user:1' });
  });

  it('is refused when the price left the band before the tap', async () => {
    const { app, id } = await flagged();
    w.sim.updateMarket(TICKER, { yesBidCents: 50, yesAskCents: 52 });
    const r = await app.control.approve('user:1', String(id));
    expect(r.ok && r.value).toMatchObject({ ok: true, state: 'refused' });
    expect(r.ok && r.value.ok && r.value.state === 'refused' && r.value.reason).toMatch(/layer 2: out of band/);
    expect(w.sim.ordersSnapshot()).toHaveLength(0);
    expect(app.journal.approvals.get(id)?.state).toBe('refused');
  });

  it('cannot be used once expired', async () => {
    const { app, id } = await flagged();
    w.clock.advance(11 * 60_000);
    const r = await app.control.approve('user:1', String(id));
    expect(r.ok && r.value).toMatchObject({ ok: false, error: 'expired' });
    expect(w.sim.ordersSnapshot()).toHaveLength(0);
  });

  it('reject sends nothing; a bad id gets the usage line', async () => {
    const { app, id } = await flagged();
    const r = await app.control.reject('user:1', String(id));
    expect(r.ok && r.value).toMatchObject({ ok: true, state: 'rejected' });
    expect(w.sim.ordersSnapshot()).toHaveLength(0);
    const bad = await app.control.approve('user:1', 'abc');
    expect(bad).toEqual({ ok: false, error: expect.stringMatching(/Usage: \/approve <id>/) });
  });
});

describe('run-time settings', () => {
  it('survive a restart, with an audit row per change', async () => {
    w = await world();
    const app = await w.start();
    expect(app.control.setCap('user:1', '40')).toMatchObject({ ok: true, needsConfirm: false, oldE4: 500_000, newE4: 400_000 });
    expect(app.control.set('user:1', 'band 0.72-0.85')).toMatchObject({ ok: true });
    expect(app.control.set('user:1', 'exclude Sports, Politics')).toMatchObject({ ok: true });
    app.control.pause('user:1');
    // Bad input changes nothing and says what is accepted.
    expect(app.control.setCap('user:1', 'abc')).toEqual({ ok: false, error: expect.stringMatching(/Usage: \/setcap <dollars>/) });
    expect(app.control.set('user:1', 'band 0.9-0.1')).toEqual({ ok: false, error: expect.stringMatching(/Accepted: \/set band/) });
    await app.stop();

    const again = await w.start();
    expect(again.control.settings()).toMatchObject({
      dailyCapE4: 400_000,
      bandMinE4: 7200,
      bandMaxE4: 8500,
      excludedCategories: ['Sports', 'Politics'],
      paused: true,
    });
    const audit = again.journal.settings.audit();
    expect(audit.map((a) => a.name).sort()).toEqual(['bandMaxE4', 'bandMinE4', 'dailyCapE4', 'excludedCategories', 'paused']);
    expect(audit.every((a) => a.changed_by === 'user:1')).toBe(true);
  });

  it('a cap raise of more than 2x needs confirmation; raising it above at-risk lifts a halt', async () => {
    w = await world();
    w.sim.addMarket({ ticker: TICKER, yesBidCents: 76, yesAskCents: 78, volume24h: 9000, expectedExpirationMs: T0 + 2 * DAY, closeMs: T0 + 3 * DAY });
    const app = await w.start({ DAILY_LOSS_CAP: '5' });
    const s = await app.runCycle();
    expect(s.halted).toBe(true);
    expect(app.control.resume('user:1')).toMatchObject({ halted: true });
    expect(app.control.setCap('user:1', '50')).toMatchObject({ ok: true, needsConfirm: true });
    expect(app.control.settings().dailyCapE4).toBe(50_000);
    expect(app.control.setCap('user:1', '50', { confirmed: true })).toMatchObject({ ok: true, liftedHalt: true });
    const s2 = await app.runCycle();
    expect(s2.halted).toBe(false);
    expect(s2.orders).toHaveLength(1);
  });
});
