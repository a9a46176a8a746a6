// The price of a trade in the running bot: real cycles on the simulated exchange over loopback HTTP, a real SQLite
// journal. Trade alerts and /why show the after-fee break-even and the calibrated edge; MIN_EDGE rejects in layer 3
// with the numbers in the reason. The calibration is what the journal holds (observations as calibrate stores them).
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { runCommand } from '../../src/chat/commands.js';
import { formatAlert } from '../../src/chat/format.js';
import type { NewObservation } from '../../src/journal/calibration.js';
import { DAY, T0, type World, alertsOf, buyYes, inBandMarket, world } from '../support/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

/** `n` settled markets of history at one price, `wins` of them won (one event each). */
function history(o: { side: 'yes' | 'no'; priceE4: number; n: number; wins: number; tag: string }): NewObservation[] {
  return Array.from({ length: o.n }, (_, i) => ({
    source: 'history' as const,
    ticker: `${o.tag}-${i}`,
    sampleKey: 24,
    side: o.side,
    eventTicker: `${o.tag}E-${i}`,
    category: 'Economics',
    priceE4: o.priceE4,
    observedMs: T0 - 10 * DAY,
    settlesMs: T0 - 9 * DAY,
    feeType: 'quadratic',
    feeMultiplierE4: 10_000,
    result: (i < o.wins) === (o.side === 'yes') ? ('yes' as const) : ('no' as const),
  }));
}

const deps = (app: App) => ({ control: app.control, mode: app.mode, clock: app.clock, timeZone: app.config.TIMEZONE, transport: 'console' as const });
const plain = (html: string) => html.replace(/<[^>]+>/g, '');

describe('break-even and edge where a person reads them', () => {
  it('/why shows the after-fee break-even and the calibrated edge of the price the cycle saw', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXEDGE-26NOV27-A'));
    const app = await w.start();
    // YES 76-79c: 900 of 1000 won. The market's ask is 78c: break-even 78 + 1.21 = 79.2%.
    app.journal.calibration.addObservations(history({ side: 'yes', priceE4: 7700, n: 1000, wins: 900, tag: 'H' }), T0);
    await app.runCycle();
    const why = plain((await runCommand(deps(app), 'why', 'KXEDGE-26NOV27-A', 'test')).text);
    expect(why).toMatch(/YES @ 78¢/);
    expect(why).toMatch(/Price: break-even 79\.2% \(78¢ \+ 1\.21¢ taker fee\); history: YES 76-79¢ won 90%, 95% CI 88\.\d%-91\.\d%, 1000 obs in 1000 events; edge \+10\.8pp, \+[89]\.\dpp at the lower bound/);
    // A market with no calibration at its price still shows its break-even.
    w.sim.addMarket({ ...inBandMarket('KXEDGE-26NOV27-B'), yesBidCents: 14, yesAskCents: 16 }); // NO at 86c
    await app.runCycle();
    expect(plain((await runCommand(deps(app), 'why', 'KXEDGE-26NOV27-B', 'test')).text)).toMatch(
      /NO @ 86¢[\s\S]*Price: break-even 86\.9% \(86¢ \+ 0\.85¢ taker fee\); edge not calibrated yet/,
    );
  });

  it('an order keeps its break-even and edge in the journal, and its alert shows them', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXEDGE-26NOV27-C'));
    const app = await w.start();
    app.journal.calibration.addObservations(history({ side: 'yes', priceE4: 7700, n: 400, wins: 300, tag: 'L' }), T0);
    const cell = app.calibration.lookup()!.cellFor('yes', 7800)!;
    const breakEvenE4 = 7921;
    const edge = { priceE4: 7800, feeE4: 121, maker: false, breakEvenE4, cell, edgeE4: cell.ciLowE4 - breakEvenE4, pointEdgeE4: cell.realizedE4 - breakEvenE4 };
    const r = await app.executor.execute({ ...buyYes('KXEDGE-26NOV27-C'), edge });
    expect(r.kind).toBe('filled');
    const row = app.journal.orders.recent(1)[0]!;
    expect(row).toMatchObject({ break_even_e4: 7921, edge_e4: cell.ciLowE4 - 7921, style: 'taker' });
    const alert = alertsOf(app, 'order').at(-1)!;
    expect(alert).toMatchObject({ breakEvenE4: 7921, edgeE4: cell.ciLowE4 - 7921 });
    const text = plain(formatAlert(alert as never, 'America/New_York').text);
    // 75% won at 76-79c: below the 79.2% break-even, and the alert says so.
    expect(text).toMatch(/Break-even 79\.2% after fees; calibrated edge -\d\.\dpp \(lower 95% bound\)/);
  });

  it('in a real cycle: MIN_EDGE rejects in layer 3 with the numbers; what clears it is ordered, its alert shows the edge', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXGOOD-26NOV27-A')); // YES at 78c
    w.sim.addMarket({ ...inBandMarket('KXBAD-26NOV27-B'), yesBidCents: 20, yesAskCents: 22 }); // NO at 80c
    w.sim.addMarket({ ...inBandMarket('KXNONE-26NOV27-C'), yesBidCents: 14, yesAskCents: 16 }); // NO at 86c: no history
    const app = await w.start({ MIN_EDGE: '0.01' });
    app.journal.calibration.addObservations(
      [...history({ side: 'yes', priceE4: 7700, n: 1000, wins: 900, tag: 'G' }), ...history({ side: 'no', priceE4: 8000, n: 1000, wins: 790, tag: 'B' })],
      T0,
    );
    const s = await app.runCycle();
    expect(s.orders.map((o) => o.ticker)).toEqual(['KXGOOD-26NOV27-A']);
    const bad = app.journal.cycles.decision('KXBAD-26NOV27-B')!;
    expect(bad).toMatchObject({ layer: 3, outcome: 'rejected', side: 'no', priceE4: 8000 });
    expect(bad.reason).toMatch(/^edge -\d\.\dpp is below MIN_EDGE \+1\.0pp: calibrated win rate 7\d\.\d% at the lower 95% bound minus break-even 81\.1%/);
    expect(app.journal.cycles.decision('KXNONE-26NOV27-C')?.reason).toMatch(/MIN_EDGE \+1\.0pp is set and 86¢ has no calibration yet/);
    // The order carries its numbers into the journal and the cycle's alert.
    const row = app.journal.orders.recent(1)[0]!;
    expect(row.break_even_e4).toBe(7921);
    expect(row.edge_e4).toBeGreaterThan(800);
    const alert = alertsOf(app, 'order').at(-1)!;
    expect(alert).toMatchObject({ ticker: 'KXGOOD-26NOV27-A', breakEvenE4: 7921, edgeE4: row.edge_e4 });
  });

  it('ORDER_STYLE=maker in a real cycle: post-only a cent inside the spread, resting, the maker break-even', async () => {
    w = await world();
    w.sim.addMarket({ ...inBandMarket('KXMAKER-26NOV27-A'), yesBidCents: 75, yesAskCents: 78 });
    const app = await w.start({ ORDER_STYLE: 'maker' }, { executor: { pollMs: 10, fillTimeoutMs: 200, makerRestMs: 200 } });
    const s = await app.runCycle();
    expect(s.orders).toEqual([expect.objectContaining({ ticker: 'KXMAKER-26NOV27-A', side: 'yes', price: 0.76, status: 'resting', filled: 0 })]);
    expect(w.sim.ordersSnapshot().at(-1)).toMatchObject({ side: 'bid', priceE4: 7600, status: 'resting' });
    // $5 at 76c: 6 contracts; break-even 76c with no maker fee on a quadratic series.
    const row = app.journal.orders.recent(1)[0]!;
    expect(row).toMatchObject({ style: 'maker', price_e4: 7600, count_e2: 600, break_even_e4: 7600 });
    expect(app.journal.cycles.decision('KXMAKER-26NOV27-A')).toMatchObject({ layer: 5, outcome: 'ordered', reason: 'ordered: resting' });
    await app.executor.stop();
    expect(app.journal.orders.get(row.id)).toMatchObject({ state: 'canceled', final: 1 });
  });
});

