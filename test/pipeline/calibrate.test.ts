// Calibration from the exchange's own history, against a known truth: the simulated exchange's settled markets follow
// a configurable favourite edge (SIM_FAVOURITE_EDGE) exactly at the ask. The real client pulls them over loopback HTTP
// (settled listing, batch candlesticks) into a real SQLite journal; the report must find the edge within its
// interval, and find none when there is none. Also: resuming a stopped run, and not re-reading what a run covered.
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { CalibrateJob } from '../../src/pipeline/calibrate.js';
import { calibrationJson } from '../../src/pipeline/calibration.js';
import { CategoryCache } from '../../src/pipeline/categories.js';
import { DAY, T0, type World, world } from '../support/app.js';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function calibrated(edgeE4: number): Promise<App> {
  // 3,600 settled markets over 12 days, read 24 hours before close (one horizon keeps the test quick).
  w = await world({ favouriteEdgeE4: edgeE4, history: { perDay: 300, days: 12 }, seed: 7 });
  const app = await w.start();
  const job = new CalibrateJob({ source: app.client, journal: app.journal, clock: app.clock, categories: new CategoryCache(app.client, app.clock) });
  const p = await job.run({ days: 12, hours: [24] });
  expect(p).toMatchObject({ phase: 'done', resumed: false });
  expect(p.sampled).toBe(p.listed);
  return app;
}

describe('npm run calibrate against a known truth', () => {
  it('recovers a known favourite edge (+5pp) within its interval, in band and per price bucket', async () => {
    const app = await calibrated(500);
    const r = app.calibration.report();
    // Each market seen open 24 hours before close gives its favourite side (a two-way game gives two).
    expect(r.observations).toBeGreaterThan(3000);
    const all = r.inBand;
    // Truth: realized = implied + 0.05 for every observation (no in-band price is clamped).
    expect(all.ciLow).toBeLessThanOrEqual(all.implied + 0.05);
    expect(all.ciHigh).toBeGreaterThanOrEqual(all.implied + 0.05);
    // ...and the edge is detected: the whole interval is above the price.
    expect(all.ciLow).toBeGreaterThan(all.implied);
    const filled = r.buckets.filter((b) => b.n > 0);
    expect(filled).toHaveLength(12);
    const covered = filled.filter((b) => b.ciLow <= b.implied + 0.05 && b.implied + 0.05 <= b.ciHigh);
    expect(covered.length).toBeGreaterThanOrEqual(11); // 95% intervals: one miss in 12 is allowed
    // The JSON line's shape, probabilities 0-1.
    const j = calibrationJson(r);
    expect(j.buckets[0]).toEqual({ side: 'yes', lo: 0.7, hi: 0.73, n: expect.any(Number), events: expect.any(Number), implied: expect.any(Number), realized: expect.any(Number), ciLow: expect.any(Number), ciHigh: expect.any(Number), breakEven: expect.any(Number), verdict: expect.any(String) });
    expect(j.buckets.every((b) => b.ciLow <= b.realized && b.realized <= b.ciHigh && b.implied > 0.69 && b.implied < 0.88)).toBe(true);
    // Categories come from the series list; a quote 24-26 hours before close is 1-3 days from settlement.
    expect(r.byCategory.map((g) => g.key).sort()).toEqual(['Climate and Weather', 'Crypto', 'Economics', 'Politics', 'Sports']);
    expect(r.byHorizon.map((g) => g.key)).toEqual(['1-3d']);
    // The rules read the same numbers: a price's cell is its bucket's, the lower bound rounded down.
    const b = r.buckets.find((x) => x.side === 'no' && x.loE4 === 7900)!;
    expect(app.calibration.lookup()!.cellFor('no', 8000)).toMatchObject({ n: b.n, ciLowE4: Math.floor(b.ciLow * 10_000) });
  });

  it('finds no edge where there is none: the interval covers the price, in band and in nearly every bucket', async () => {
    const app = await calibrated(0);
    const r = app.calibration.report();
    expect(r.inBand.ciLow).toBeLessThanOrEqual(r.inBand.implied);
    expect(r.inBand.ciHigh).toBeGreaterThanOrEqual(r.inBand.implied);
    const filled = r.buckets.filter((b) => b.n > 0);
    expect(filled.filter((b) => b.ciLow <= b.implied && b.implied <= b.ciHigh).length).toBeGreaterThanOrEqual(11);
    // Fair at the ask means losing to the fee: nothing can be shown to pay.
    expect(filled.some((b) => b.verdict === 'pays')).toBe(false);
  });

  it('resumes a stopped run where it stopped, and a later run reads only what settled since', async () => {
    w = await world({ history: { perDay: 150, days: 5 }, seed: 3 });
    const app = await w.start();
    const job = new CalibrateJob({ source: app.client, journal: app.journal, clock: app.clock, categories: new CategoryCache(app.client, app.clock) });
    // Stopped after the listing (one page) and a candle request, then in the middle of the quotes (three horizons).
    const first = await job.run({ days: 4, maxRequests: 2 });
    expect(first).toMatchObject({ phase: 'candles', sampled: 0 });
    expect(first.listed).toBeGreaterThan(400);
    const middle = await job.run({ days: 4, maxRequests: 4 });
    expect(middle).toMatchObject({ runId: first.runId, resumed: true, phase: 'candles' });
    expect(middle.sampled).toBeGreaterThan(0);
    expect(middle.sampled).toBeLessThan(middle.listed);
    const second = await job.run({ days: 4 });
    expect(second).toMatchObject({ runId: first.runId, resumed: true, phase: 'done' });
    expect(second.sampled).toBe(second.listed);
    const obs = app.calibration.report().observations;
    expect(obs).toBeGreaterThan(0);
    expect(app.calibration.report().byHorizon.map((g) => g.key)).toEqual(['6-24h', '1-3d', '3-7d']);
    // The same window read in one go gives the same observations (none twice, none missed).
    const fresh = await job.run({ days: 4, fresh: true });
    expect(fresh.added).toBe(0); // every market of the window was already sampled
    expect(app.calibration.report().observations).toBe(obs);
    // A day later: only the new day's settlements are listed (the earlier window is known).
    w.clock.set(T0 + DAY);
    const later = await job.run({ days: 4 });
    expect(later.resumed).toBe(false);
    expect(later.listed).toBe(0); // the sim's history ends at its start: nothing settled since
  });
});
