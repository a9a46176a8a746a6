import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTransfers } from '../../src/execution/funding-plan.js';

const m = (o: Record<number, number>) => new Map(Object.entries(o).map(([k, v]) => [Number(k), v]));
const all = () => true;

describe('planTransfers', () => {
  it('moves the shortfall plus the margin, in whole cents, from the shard with the most to spare', () => {
    const p = planTransfers({ freeE4: m({ 0: 9_700_000, 2: 4_000 }), needE4: m({ 0: 100_000, 2: 48_050 }), marginE4: 50_000, canTransfer: all, busy: new Set() });
    // shortfall $4.4050 -> + $5 margin -> $9.41 (rounded up to the cent)
    expect(p.transfers).toEqual([{ fromShard: 0, toShard: 2, amountE4: 94_100, shortfallE4: 44_050 }]);
    expect(p.short).toEqual([]);
  });

  it('never takes from a source more than it can spare beyond its own need; the margin shrinks first', () => {
    const p = planTransfers({ freeE4: m({ 0: 100_000, 3: 0 }), needE4: m({ 0: 40_000, 3: 50_000 }), marginE4: 50_000, canTransfer: all, busy: new Set() });
    expect(p.transfers).toEqual([{ fromShard: 0, toShard: 3, amountE4: 60_000, shortfallE4: 50_000 }]);
  });

  it('reports a shard it cannot cover in full, and sends nothing for it', () => {
    const p = planTransfers({ freeE4: m({ 0: 30_000, 2: 0 }), needE4: m({ 0: 0, 2: 48_000 }), marginE4: 50_000, canTransfer: all, busy: new Set() });
    expect(p.transfers).toEqual([]);
    expect(p.short).toEqual([{ shard: 2, freeE4: 0, needE4: 48_000, why: 'no shard has enough to spare' }]);
  });

  it('a shard waiting on an unconfirmed transfer is not funded twice; closed shards neither send nor receive', () => {
    const busy = planTransfers({ freeE4: m({ 0: 1_000_000, 2: 0 }), needE4: m({ 2: 10_000 }), marginE4: 0, canTransfer: all, busy: new Set([2]) });
    expect(busy.transfers).toEqual([]);
    expect(busy.short[0]?.why).toMatch(/still being confirmed/);
    const closed = planTransfers({ freeE4: m({ 0: 1_000_000, 1: 1_000_000, 2: 0 }), needE4: m({ 2: 10_000 }), marginE4: 0, canTransfer: (k) => k !== 0, busy: new Set() });
    expect(closed.transfers).toEqual([{ fromShard: 1, toShard: 2, amountE4: 10_000, shortfallE4: 10_000 }]);
  });

  it('property: every funded shard ends covered, no source goes below its own need, money is conserved', () => {
    const shardMap = fc.dictionary(fc.constantFrom('0', '1', '2', '3'), fc.integer({ min: 0, max: 2_000_000 }));
    fc.assert(
      fc.property(shardMap, shardMap, fc.integer({ min: 0, max: 100_000 }), (free, need, margin) => {
        const freeE4 = m(free);
        const needE4 = m(need);
        const p = planTransfers({ freeE4, needE4, marginE4: margin, canTransfer: all, busy: new Set() });
        const after = new Map(freeE4);
        for (const t of p.transfers) {
          expect(t.amountE4 % 100).toBe(0);
          expect(t.amountE4).toBeGreaterThanOrEqual(t.shortfallE4);
          after.set(t.fromShard, (after.get(t.fromShard) ?? 0) - t.amountE4);
          after.set(t.toShard, (after.get(t.toShard) ?? 0) + t.amountE4);
        }
        const sum = (x: Map<number, number>) => [...x.values()].reduce((a, b) => a + b, 0);
        expect(sum(after)).toBe(sum(freeE4));
        for (const t of p.transfers) {
          expect(after.get(t.toShard)!).toBeGreaterThanOrEqual(needE4.get(t.toShard) ?? 0);
          expect(after.get(t.fromShard)!).toBeGreaterThanOrEqual(needE4.get(t.fromShard) ?? 0);
        }
        expect(new Set(p.transfers.map((t) => t.toShard)).size).toBe(p.transfers.length);
      }),
      { numRuns: 500 },
    );
  });
});
