// Taker and maker on the same simulated hours: the same seeded universe, cycles and outcomes, once each (the bench
// runs days of it: npm run bench -- --styles). A taker fills at the ask and pays the taker fee; a maker rests at the
// bid, fills only as order flow arrives (after the queue ahead of it), and pays the maker fee only where the series
// charges one. Real app, real HTTP on loopback, real SQLite per run.
import { describe, expect, it } from 'vitest';
import { STYLE_DEFAULTS, compareStyles } from '../../src/bench-styles.js';

describe('order styles on the same simulated hours', () => {
  it('the taker fills what it orders at the taker fee; the maker fills less, as maker, for less fee', { timeout: 60_000 }, async () => {
    // Three cycles over 80 markets: enough to tell the styles apart (the bench runs days for the edge).
    const r = await compareStyles({ ...STYLE_DEFAULTS, markets: 80, days: 0.75 / 24, cycleMinutes: 15 });
    const { taker, maker } = r;
    expect(taker.cycles).toBe(maker.cycles);
    expect(taker.filledContracts).toBeGreaterThan(0);
    expect(maker.filledContracts).toBeGreaterThan(0);
    // Who was the taker on each fill, as the exchange reported it.
    expect(taker.makerContracts).toBe(0);
    expect(maker.takerContracts).toBe(0);
    expect(maker.fillRate).toBeLessThan(taker.fillRate);
    expect(maker.feeCents).toBeLessThan(taker.feeCents / 2);
    for (const x of [taker, maker]) expect(Number.isFinite(x.realizedEdgePp)).toBe(true);
    console.info(`styles over 45 simulated minutes: taker fill ${(taker.fillRate * 100).toFixed(0)}%, fee ${taker.feeCents.toFixed(2)}c; maker fill ${(maker.fillRate * 100).toFixed(0)}%, fee ${maker.feeCents.toFixed(2)}c`);
  });
});
