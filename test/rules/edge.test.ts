// The price of a trade, honestly: the after-fee break-even of each candidate, the calibration statistics behind its
// edge (Wilson intervals at a cluster-adjusted size), and MIN_EDGE in layer 3. Markets come from the recorded demo
// record through MarketWire.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { defaultSettings } from '../../src/journal/settings.js';
import { MarketWire, type Market, type MarketWireInput } from '../../src/kalshi/market-schema.js';
import { type Observation, CalibrationTable, buildReport, effectiveN, priceBuckets, statOf, wilson } from '../../src/rules/calibration.js';
import { breakEvenE4, edgeOf, edgeSummary, feePerContractE4, minEdgeRejection } from '../../src/rules/edge.js';
import { scheduleFeeE4 } from '../../src/money.js';
import { type EvaluationContext, evaluateMarket } from '../../src/rules/evaluate.js';
import { FIXTURES_DIR } from '../support/fixtures.js';

const FIXTURE = (JSON.parse(readFileSync(`${FIXTURES_DIR}/markets__single.json`, 'utf8')) as { market: MarketWireInput }).market;
const NOW = Date.parse('2026-06-11T12:00:00Z');
const QUAD = { feeType: 'quadratic', multiplierE4: 10_000 };
const MAKER_FEES = { feeType: 'quadratic_with_maker_fees', multiplierE4: 10_000 };

function market(yesBid: string, yesAsk: string): Market {
  return MarketWire.parse({ ...structuredClone(FIXTURE), yes_bid_dollars: yesBid, yes_ask_dollars: yesAsk, yes_bid_size_fp: '50.00', yes_ask_size_fp: '50.00', volume_24h_fp: '90000.00' });
}

function ctx(over: Partial<EvaluationContext> = {}): EvaluationContext {
  return {
    nowMs: NOW,
    tradingActive: true,
    settings: defaultSettings(loadConfig({})),
    excluded: new Set(),
    approvalRules: { approvalAboveCostE4: undefined, approvalCategories: new Set() },
    categoryOf: () => 'Sports',
    exposureE2: () => 0,
    feeOf: () => QUAD,
    ...over,
  };
}

/** `n` observations at one price in events of `perEvent` markets that all win or all lose together. */
function observations(o: { side?: 'yes' | 'no'; priceE4: number; n: number; wins: number; perEvent?: number; tag?: string }): Observation[] {
  const per = o.perEvent ?? 1;
  return Array.from({ length: o.n }, (_, i) => ({
    ticker: `${o.tag ?? 'M'}-${i}`,
    eventTicker: `${o.tag ?? 'E'}-${Math.floor(i / per)}`,
    category: 'Sports',
    side: o.side ?? 'yes',
    priceE4: o.priceE4,
    observedMs: NOW,
    settlesMs: NOW + 24 * 3_600_000,
    // Whole events win or lose: the first wins/per events win.
    won: Math.floor(i / per) < o.wins / per,
    feeType: 'quadratic',
    feeMultiplierE4: 10_000,
  }));
}

describe('break-even after fees', () => {
  it('is the price plus the fee of one contract under the series fee type, taker or maker', () => {
    // 0.07 x 0.80 x 0.20 = $0.0112: an 80c favourite must win 81.12% to break even as a taker.
    expect(breakEvenE4(QUAD, 8000)).toBe(8112);
    // Quadratic series charge makers nothing; quadratic_with_maker_fees charge a quarter of the taker rate.
    expect(breakEvenE4(QUAD, 8000, true)).toBe(8000);
    expect(breakEvenE4(MAKER_FEES, 8000, true)).toBe(8028);
    // A half multiplier halves the fee (rounded up to $0.0001).
    expect(breakEvenE4({ feeType: 'quadratic', multiplierE4: 5000 }, 7500)).toBe(7500 + 66);
  });

  it('the fee of one contract is remembered exactly: every price, fee type, multiplier and side, asked twice', () => {
    const types = ['quadratic', 'quadratic_with_maker_fees', 'flat'];
    for (const feeType of types)
      for (const multiplierE4 of [0, 5000, 10_000, 15_000, 99_999, 100_000])
        for (const maker of [false, true])
          for (let priceE4 = 0; priceE4 <= 10_000; priceE4 += 37) {
            const want = scheduleFeeE4({ feeType, multiplierE4 }, 100, priceE4, maker);
            expect(feePerContractE4({ feeType, multiplierE4 }, priceE4, maker)).toBe(want);
            expect(feePerContractE4({ feeType, multiplierE4 }, priceE4, maker)).toBe(want);
          }
    // Outside what is remembered (a type it does not know): computed each time, the same way.
    expect(feePerContractE4({ feeType: 'other', multiplierE4: 10_000 }, 8000)).toBe(scheduleFeeE4({ feeType: 'other', multiplierE4: 10_000 }, 100, 8000));
  });

  it('edgeOf: the calibrated lower bound minus the break-even, and the point edge', () => {
    const cal = new CalibrationTable(buildReport(observations({ priceE4: 8000, n: 400, wins: 340 }), { bandMinE4: 7000, bandMaxE4: 8700 }).buckets);
    const v = edgeOf({ side: 'yes', quotedE4: 8000, fee: QUAD, calibration: cal });
    expect(v.cell).toMatchObject({ side: 'yes', loE4: 7900, hiE4: 8200, n: 400, events: 400, realizedE4: 8500 });
    expect(v.edgeE4).toBe(v.cell!.ciLowE4 - 8112);
    expect(v.pointEdgeE4).toBe(8500 - 8112);
    expect(edgeSummary(v)).toMatch(
      /^break-even 81\.1% \(80¢ \+ 1\.12¢ taker fee\); history: YES 79-82¢ won 85%, 95% CI 8\d\.\d%-8\d\.\d%, 400 obs in 400 events; edge \+3\.9pp, \+\d\.\dpp at the lower bound$/,
    );
    // No observation on the NO side: no edge, said so.
    const none = edgeOf({ side: 'no', quotedE4: 8000, fee: QUAD, calibration: cal });
    expect(none.edgeE4).toBeNull();
    expect(edgeSummary(none)).toMatch(/edge not calibrated yet/);
  });
});

describe('calibration statistics', () => {
  it('Wilson 95% interval matches the textbook values', () => {
    const [lo, hi] = wilson(0.5, 100);
    expect(lo).toBeCloseTo(0.4038, 4);
    expect(hi).toBeCloseTo(0.5962, 4);
    const [lo2, hi2] = wilson(0.9, 50);
    expect(lo2).toBeCloseTo(0.7864, 3);
    expect(hi2).toBeCloseTo(0.9565, 3);
  });

  it('clustering by event: independent markets keep n; events whose markets move together count once', () => {
    // (The sandwich variance's k/(k-1) small-sample factor: 200 independent markets count as 199.)
    expect(effectiveN(Array.from({ length: 200 }, (_, i) => ({ m: 1, y: i % 4 === 0 ? 0 : 1 })))).toBeCloseTo(199, 6);
    // 100 events of 2 markets that always resolve together: 100 independent outcomes, not 200.
    const paired = statOf(observations({ priceE4: 8000, n: 200, wins: 160, perEvent: 2 }));
    expect(paired).toMatchObject({ n: 200, events: 100, realized: 0.8 });
    expect(paired.nEff).toBeCloseTo(99, 6);
    const single = statOf(observations({ priceE4: 8000, n: 100, wins: 80 }));
    expect(paired.ciLow).toBeCloseTo(single.ciLow, 2);
    expect(paired.ciHigh).toBeCloseTo(single.ciHigh, 2);
  });

  it('buckets of 3c over the band per side; verdicts only when the interval clears the break-even', () => {
    expect(priceBuckets(7000, 8700)).toEqual([
      [7000, 7300],
      [7300, 7600],
      [7600, 7900],
      [7900, 8200],
      [8200, 8500],
      [8500, 8700],
    ]);
    const obs = [
      ...observations({ priceE4: 7100, n: 2000, wins: 1800, tag: 'A' }), // 90% at 71c: pays, clearly
      ...observations({ priceE4: 8000, n: 2000, wins: 1500, tag: 'B' }), // 75% at 80c: loses, clearly
      ...observations({ priceE4: 7700, n: 20, wins: 16, tag: 'C' }), // 80% at 77c, 20 markets: not yet
      ...observations({ side: 'no', priceE4: 8700, n: 10, wins: 9, tag: 'D' }), // the band's top is in its last bucket
    ];
    const r = buildReport(obs, { bandMinE4: 7000, bandMaxE4: 8700 });
    const at = (side: string, lo: number) => r.buckets.find((b) => b.side === side && b.loE4 === lo)!;
    expect(r.buckets).toHaveLength(12);
    expect(at('yes', 7000)).toMatchObject({ n: 2000, verdict: 'pays', implied: 0.71, realized: 0.9 });
    expect(at('yes', 7900)).toMatchObject({ n: 2000, verdict: 'loses' });
    expect(at('yes', 7600)).toMatchObject({ n: 20, verdict: 'unclear' });
    expect(at('no', 8500)).toMatchObject({ n: 10 });
    expect(at('yes', 7000).breakEven).toBeCloseTo(0.71 + 0.0145, 4);
    expect(r.byHorizon.map((g) => g.key)).toEqual(['1-3d']);
    expect(r.byCategory).toEqual([expect.objectContaining({ key: 'Sports', n: 4030 })]);
    const table = new CalibrationTable(r.buckets);
    expect(table.cellFor('no', 8700)?.loE4).toBe(8500);
    expect(table.cellFor('yes', 8700)).toBeNull();
    expect(table.cellFor('yes', 7299)?.loE4).toBe(7000);
  });
});

describe('layer 3: every candidate carries its break-even and edge; MIN_EDGE rejects on the lower bound', () => {
  const cal = new CalibrationTable(
    buildReport(
      [
        ...observations({ priceE4: 7200, n: 3000, wins: 2400, tag: 'A' }), // 80% at 72c: lower bound ~78.5% vs break-even 73.4%
        ...observations({ side: 'no', priceE4: 8000, n: 3000, wins: 2430, tag: 'B' }), // 81% at 80c: below the 81.12% break-even
      ],
      { bandMinE4: 7000, bandMaxE4: 8700 },
    ).buckets,
  );

  it('passes carry the break-even and edge, MIN_EDGE or not', () => {
    const ev = evaluateMarket(market('0.7000', '0.7200'), ctx({ calibration: cal }));
    expect(ev.pass).toBe(true);
    if (!ev.pass) return;
    expect(ev.edge).toMatchObject({ priceE4: 7200, breakEvenE4: 7200 + 142, maker: false });
    expect(ev.edge.edgeE4).toBeGreaterThan(400);
    // Without any calibration the break-even is still there.
    const bare = evaluateMarket(market('0.7000', '0.7200'), ctx());
    expect(bare.pass && bare.edge.breakEvenE4).toBe(7342);
    expect(bare.pass && bare.edge.edgeE4).toBeNull();
  });

  it('MIN_EDGE: passes what clears it, rejects what does not with the numbers, and rejects what has no calibration', () => {
    expect(evaluateMarket(market('0.7000', '0.7200'), ctx({ calibration: cal, minEdgeE4: 100 })).pass).toBe(true);
    // YES bid 0.20: NO at 80c, which history says wins 81% against an 81.12% break-even.
    const no = evaluateMarket(market('0.2000', '0.2300'), ctx({ calibration: cal, minEdgeE4: 0 }));
    expect(no).toMatchObject({ pass: false, layer: 3, side: 'no', priceE4: 8000 });
    if (no.pass) return;
    expect(no.reason).toMatch(
      /^edge -1\.6pp is below MIN_EDGE \+0\.0pp: calibrated win rate 79\.6% at the lower 95% bound minus break-even 81\.1% \(80¢ \+ 1\.12¢ taker fee\) \(history: NO 79-82¢ won 81%, 95% CI 79\.6%-82\.4%, 3000 obs in 3000 events\)$/,
    );
    // A price no observation covers: no evidence, no trade.
    const uncovered = evaluateMarket(market('0.7800', '0.8000'), ctx({ calibration: cal, minEdgeE4: 0 }));
    expect(uncovered).toMatchObject({ pass: false, layer: 3 });
    expect(!uncovered.pass && uncovered.reason).toMatch(/MIN_EDGE \+0\.0pp is set and 80¢ has no calibration yet/);
    // Off by default: the same market passes.
    expect(evaluateMarket(market('0.7800', '0.8000'), ctx({ calibration: cal })).pass).toBe(true);
    // A negative MIN_EDGE lets a slightly negative lower bound through.
    expect(minEdgeRejection(edgeOf({ side: 'no', quotedE4: 8000, fee: QUAD, calibration: cal }), -500)).toBeNull();
  });

  it('MIN_EDGE in the environment: a probability difference, signed, named when bad', () => {
    expect(loadConfig({ MIN_EDGE: '0.005' }).MIN_EDGE).toBe(50);
    expect(loadConfig({ MIN_EDGE: '-0.01' }).MIN_EDGE).toBe(-100);
    expect(loadConfig({}).MIN_EDGE).toBeUndefined();
    expect(() => loadConfig({ MIN_EDGE: '2' })).toThrow(/MIN_EDGE must be a probability difference/);
    expect(() => loadConfig({ MIN_EDGE: '1pp' })).toThrow(/MIN_EDGE/);
  });
});
