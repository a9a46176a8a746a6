// Calibration from the exchange's own history: how often a contract bought at a given price actually won. Pure
// statistics over observations (settled markets seen at a price: the history pulled by `npm run calibrate` and the
// shadow book the bot keeps of every market it saw in band). Probabilities here are floats in 0-1: they are
// estimates, never money; what a rule compares (MIN_EDGE) is rounded outward to integer e4 first.
//
// Observations are not independent: the markets of one event settle together (a two-way game's favourite YES and
// the other side's NO are one outcome), and one market can be seen at several horizons. Each bucket's interval is
// therefore a Wilson 95% interval at the cluster-adjusted sample size: events are the clusters, the variance is the
// cluster-robust (sandwich) variance of the win share, and n_eff = n / design effect (never above n).
import type { ResolvedObservation } from '../journal/calibration.js';
import type { Side } from './band.js';
import type { CalibrationCell, CalibrationLookup } from './edge.js';
import { breakEvenE4 } from './edge.js';

/** A settled observation (the journal's resolved row; where it came from does not matter here). */
export type Observation = Omit<ResolvedObservation, 'source'>;

export interface Stat {
  /** Observations, and distinct events (the clusters). */
  n: number;
  events: number;
  /** The sample size the interval stands on after clustering. */
  nEff: number;
  /** Mean price paid (the rate the price implies), share won, its Wilson 95% interval, mean after-fee break-even. */
  implied: number;
  realized: number;
  ciLow: number;
  ciHigh: number;
  breakEven: number;
  /** pays: the interval is above the break-even; loses: below it; unclear: not yet significant. */
  verdict: 'pays' | 'loses' | 'unclear';
}

export interface BucketStat extends Stat {
  side: Side;
  loE4: number;
  /** Exclusive, except the last bucket of a side, which ends at the band's top inclusive. */
  hiE4: number;
}

export interface GroupStat extends Stat {
  key: string;
}

export interface CalibrationReport {
  observations: number;
  buckets: BucketStat[];
  /** Every observation in the band, both sides together. */
  inBand: Stat;
  /** Every in-band observation, by category and by time to settlement at the observation. */
  byCategory: GroupStat[];
  byHorizon: GroupStat[];
}

export const Z95 = 1.959963984540054;

/** Wilson score interval for a share `p` of `n` trials (n may be fractional: an effective size). */
export function wilson(p: number, n: number, z = Z95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * The effective sample size of a share estimated from clusters: n / design effect, where the design effect is the
 * cluster-robust variance of the share over the variance it would have if every observation were independent (at
 * least 1: clustering is never taken to add precision). Degenerate shares (all won or all lost) fall back to the
 * number of clusters.
 */
export function effectiveN(clusters: ReadonlyArray<{ m: number; y: number }>): number {
  const k = clusters.length;
  let n = 0;
  let y = 0;
  for (const c of clusters) {
    n += c.m;
    y += c.y;
  }
  if (n === 0) return 0;
  const p = y / n;
  if (k < 2 || p === 0 || p === 1) return Math.min(n, k);
  let ss = 0;
  for (const c of clusters) ss += (c.y - p * c.m) ** 2;
  const vCluster = ((k / (k - 1)) * ss) / (n * n);
  const vSimple = (p * (1 - p)) / n;
  const deff = Math.max(1, vCluster / vSimple);
  return n / deff;
}

/** Break-evens by fee rule and price (the same few recur across thousands of observations). */
const breakEvens = new Map<string, number>();
function breakEvenOf(o: Observation): number {
  const key = `${o.feeType} ${o.feeMultiplierE4} ${o.priceE4}`;
  let v = breakEvens.get(key);
  if (v === undefined) {
    v = breakEvenE4({ feeType: o.feeType, multiplierE4: o.feeMultiplierE4 }, o.priceE4);
    if (breakEvens.size > 100_000) breakEvens.clear();
    breakEvens.set(key, v);
  }
  return v;
}

/** The statistics of a set of observations. */
export function statOf(obs: readonly Observation[]): Stat {
  const byEvent = new Map<string, { m: number; y: number }>();
  let won = 0;
  let price = 0;
  let be = 0;
  for (const o of obs) {
    const c = byEvent.get(o.eventTicker) ?? { m: 0, y: 0 };
    c.m += 1;
    if (o.won) {
      c.y += 1;
      won += 1;
    }
    byEvent.set(o.eventTicker, c);
    price += o.priceE4;
    be += breakEvenOf(o);
  }
  const n = obs.length;
  const nEff = effectiveN([...byEvent.values()]);
  const realized = n > 0 ? won / n : 0;
  const [ciLow, ciHigh] = wilson(realized, nEff);
  const breakEven = n > 0 ? be / n / 10_000 : 0;
  return {
    n,
    events: byEvent.size,
    nEff,
    implied: n > 0 ? price / n / 10_000 : 0,
    realized,
    ciLow: n > 0 ? ciLow : 0,
    ciHigh: n > 0 ? ciHigh : 1,
    breakEven,
    verdict: n === 0 ? 'unclear' : ciLow > breakEven ? 'pays' : ciHigh < breakEven ? 'loses' : 'unclear',
  };
}

/** The report's price buckets over the band: 3¢ wide from its bottom, the last one ending at its top (inclusive). */
export function priceBuckets(bandMinE4: number, bandMaxE4: number, stepE4 = 300): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let lo = bandMinE4; lo <= bandMaxE4; lo += stepE4) out.push([lo, Math.min(lo + stepE4, bandMaxE4)]);
  // A last bucket narrower than half a step joins the one before it.
  if (out.length > 1 && out.at(-1)![1] - out.at(-1)![0] < stepE4 / 2) {
    const last = out.pop()!;
    out[out.length - 1]![1] = last[1];
  }
  return out;
}

/** Time to settlement at the observation, in the report's bins. */
export const HORIZON_BINS: ReadonlyArray<{ key: string; maxHours: number }> = [
  { key: '<6h', maxHours: 6 },
  { key: '6-24h', maxHours: 24 },
  { key: '1-3d', maxHours: 72 },
  { key: '3-7d', maxHours: 168 },
  { key: '>7d', maxHours: Number.POSITIVE_INFINITY },
];

export function horizonBin(observedMs: number, settlesMs: number): string {
  const hours = (settlesMs - observedMs) / 3_600_000;
  return (HORIZON_BINS.find((b) => hours < b.maxHours) ?? HORIZON_BINS.at(-1)!).key;
}

const inBucket = (priceE4: number, lo: number, hi: number, last: boolean) => priceE4 >= lo && (last ? priceE4 <= hi : priceE4 < hi);

/** The whole report: buckets per side over the band, and the in-band observations by category and by horizon. */
export function buildReport(all: readonly Observation[], band: { bandMinE4: number; bandMaxE4: number }): CalibrationReport {
  const ranges = priceBuckets(band.bandMinE4, band.bandMaxE4);
  const buckets: BucketStat[] = [];
  for (const side of ['yes', 'no'] as const) {
    ranges.forEach(([lo, hi], i) => {
      const last = i === ranges.length - 1;
      buckets.push({ side, loE4: lo, hiE4: hi, ...statOf(all.filter((o) => o.side === side && inBucket(o.priceE4, lo, hi, last))) });
    });
  }
  const inBand = all.filter((o) => o.priceE4 >= band.bandMinE4 && o.priceE4 <= band.bandMaxE4);
  const group = (keyOf: (o: Observation) => string, order?: readonly string[]): GroupStat[] => {
    const m = new Map<string, Observation[]>();
    for (const o of inBand) {
      const k = keyOf(o);
      m.set(k, [...(m.get(k) ?? []), o]);
    }
    const keys = order ? order.filter((k) => m.has(k)) : [...m.keys()].sort((a, b) => (m.get(b)?.length ?? 0) - (m.get(a)?.length ?? 0));
    return keys.map((key) => ({ key, ...statOf(m.get(key) ?? []) }));
  };
  return {
    observations: all.length,
    buckets,
    inBand: statOf(inBand),
    byCategory: group((o) => o.category || 'unknown'),
    byHorizon: group(
      (o) => horizonBin(o.observedMs, o.settlesMs),
      HORIZON_BINS.map((b) => b.key),
    ),
  };
}

/** The report's buckets as the rules look them up: a price's bucket on its side (null where nothing was observed). */
export class CalibrationTable implements CalibrationLookup {
  private readonly bySide: Record<Side, Array<{ cell: CalibrationCell; last: boolean }>> = { yes: [], no: [] };

  constructor(buckets: readonly BucketStat[]) {
    for (const side of ['yes', 'no'] as const) {
      const mine = buckets.filter((b) => b.side === side);
      mine.forEach((b, i) => {
        if (b.n === 0) return;
        this.bySide[side].push({
          last: i === mine.length - 1,
          cell: {
            side,
            loE4: b.loE4,
            hiE4: b.hiE4,
            n: b.n,
            events: b.events,
            realizedE4: Math.round(b.realized * 10_000),
            // Outward: a rule never reads more confidence than the interval has.
            ciLowE4: Math.floor(b.ciLow * 10_000),
            ciHighE4: Math.ceil(b.ciHigh * 10_000),
          },
        });
      });
    }
  }

  /** Buckets with at least one observation. */
  get size(): number {
    return this.bySide.yes.length + this.bySide.no.length;
  }

  cellFor(side: Side, priceE4: number): CalibrationCell | null {
    for (const { cell, last } of this.bySide[side]) {
      if (priceE4 >= cell.loE4 && (priceE4 < cell.hiE4 || (last && priceE4 === cell.hiE4))) return cell;
    }
    return null;
  }
}
