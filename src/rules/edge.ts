// The price of a trade, honestly: what a contract must win to pay for itself after fees (its break-even win rate),
// and how that compares with what the exchange's own history says such contracts win (the calibration's lower 95%
// bound). Pure: the calibration is passed in. Probabilities are integers in e4 (0.8112 -> 8112), like prices.
import { E2_PER_CONTRACT, type FeeSchedule, scheduleFeeE4 } from '../money.js';
import type { Side } from './band.js';

/** One calibrated price bucket: how often contracts bought on `side` at a price in [loE4, hiE4] won. */
export interface CalibrationCell {
  side: Side;
  loE4: number;
  hiE4: number;
  /** Observations (settled markets seen at a price in the bucket) and the events they belong to (the clusters). */
  n: number;
  events: number;
  /** Share that won, and its Wilson 95% interval (cluster-adjusted), e4: the bounds rounded outward. */
  realizedE4: number;
  ciLowE4: number;
  ciHighE4: number;
}

/** Where a price's calibration is looked up (the journal's observations, bucketed; see rules/calibration.ts). */
export interface CalibrationLookup {
  cellFor(side: Side, priceE4: number): CalibrationCell | null;
}

/** A candidate's price, honestly: its after-fee break-even and the edge the calibration gives it. */
export interface EdgeView {
  /** The price paid per contract, and the fee per contract under the market's fee rule (a 1-contract fill, rounded up). */
  priceE4: number;
  feeE4: number;
  maker: boolean;
  /** price + fee: the win rate at which the trade breaks even. */
  breakEvenE4: number;
  /** The calibration of the price bucket the market is quoted in (null: no observation there yet). */
  cell: CalibrationCell | null;
  /** The calibrated win rate's lower 95% bound minus the break-even (null without calibration): what MIN_EDGE checks. */
  edgeE4: number | null;
  /** The point estimate minus the break-even (null without calibration). */
  pointEdgeE4: number | null;
}

/** The fee of one contract (a 1-contract fill: Kalshi rounds each fill's trade fee up to $0.0001). */
export function feePerContractE4(fee: FeeSchedule, priceE4: number, maker = false): number {
  const type = FEE_TYPES.indexOf(fee.feeType);
  const exact = type >= 0 && Number.isInteger(priceE4) && priceE4 >= 0 && priceE4 <= 10_000 && Number.isInteger(fee.multiplierE4);
  const small = exact && fee.multiplierE4 >= 0 && fee.multiplierE4 <= 1_000_000;
  if (!small) return scheduleFeeE4(fee, E2_PER_CONTRACT, priceE4, maker);
  // Exact BigInt arithmetic, asked for thousands of candidates a cycle at a few hundred distinct prices: remembered.
  const key = ((fee.multiplierE4 * 3 + type) * 2 + (maker ? 1 : 0)) * 10_001 + priceE4;
  let v = perContractMemo.get(key);
  if (v === undefined) {
    v = scheduleFeeE4(fee, E2_PER_CONTRACT, priceE4, maker);
    if (perContractMemo.size >= 50_000) perContractMemo.clear();
    perContractMemo.set(key, v);
  }
  return v;
}

const FEE_TYPES = ['quadratic', 'quadratic_with_maker_fees', 'flat'];
const perContractMemo = new Map<number, number>();

/** The win rate a contract bought at `priceE4` needs to break even after its fee (e4). */
export function breakEvenE4(fee: FeeSchedule, priceE4: number, maker = false): number {
  return priceE4 + feePerContractE4(fee, priceE4, maker);
}

/**
 * The edge of buying `side` at `paidE4` (taker: the ask; maker: the resting price) in a market whose side is quoted
 * at `quotedE4` (the ask: calibration buckets are by the price a taker pays, as the history records it).
 */
export function edgeOf(o: {
  side: Side;
  quotedE4: number;
  paidE4?: number;
  fee: FeeSchedule;
  maker?: boolean;
  calibration?: CalibrationLookup | null;
}): EdgeView {
  const paid = o.paidE4 ?? o.quotedE4;
  const maker = o.maker ?? false;
  const feeE4 = feePerContractE4(o.fee, paid, maker);
  const breakEven = paid + feeE4;
  const cell = o.calibration?.cellFor(o.side, o.quotedE4) ?? null;
  return {
    priceE4: paid,
    feeE4,
    maker,
    breakEvenE4: breakEven,
    cell,
    edgeE4: cell ? cell.ciLowE4 - breakEven : null,
    pointEdgeE4: cell ? cell.realizedE4 - breakEven : null,
  };
}

/** e4 -> tenths of a percent, half away from zero, in integers (8685 -> 869). */
const tenths = (e4: number): number => Math.sign(e4) * Math.round(Math.abs(e4) / 10);

/** 8112 -> "81.1%"; 8100 -> "81%"; 8685 -> "86.9%". */
export function pctText(e4: number): string {
  if (e4 % 100 === 0) return `${e4 / 100}%`;
  return `${(tenths(e4) / 10).toFixed(1)}%`;
}

/** Percentage points with a sign: 40 -> "+0.4pp", -190 -> "-1.9pp". */
export function ppText(e4: number): string {
  const t = tenths(e4);
  return `${t < 0 ? '-' : '+'}${(Math.abs(t) / 10).toFixed(1)}pp`;
}

/** 112 (e4 dollars) -> "1.12¢". */
const centsText = (e4: number): string => `${Number((e4 / 100).toFixed(2))}¢`;

/** "81.1% (80¢ + 1.12¢ taker fee)" */
export function breakEvenText(v: EdgeView): string {
  return `${pctText(v.breakEvenE4)} (${centsText(v.priceE4)} + ${centsText(v.feeE4)} ${v.maker ? 'maker' : 'taker'} fee)`;
}

/** "YES 79-82¢ won 83%, 95% CI 80.1%-85.6%, 420 obs in 208 events" */
export function cellText(c: CalibrationCell): string {
  return `${c.side.toUpperCase()} ${c.loE4 / 100}-${c.hiE4 / 100}¢ won ${pctText(c.realizedE4)}, 95% CI ${pctText(c.ciLowE4)}-${pctText(c.ciHighE4)}, ${c.n} obs in ${c.events} events`;
}

/** One line for a person: the break-even, and the edge where the calibration has one. */
export function edgeSummary(v: EdgeView): string {
  const be = `break-even ${breakEvenText(v)}`;
  if (!v.cell || v.edgeE4 === null || v.pointEdgeE4 === null) return `${be}; edge not calibrated yet (npm run calibrate)`;
  return `${be}; history: ${cellText(v.cell)}; edge ${ppText(v.pointEdgeE4)}, ${ppText(v.edgeE4)} at the lower bound`;
}

/**
 * MIN_EDGE: a candidate is rejected unless the calibrated win rate's lower 95% bound clears its break-even by at least
 * `minEdgeE4`. No calibration for its price is no evidence, so it is rejected too. Returns the reason, or null.
 */
export function minEdgeRejection(v: EdgeView, minEdgeE4: number): string | null {
  if (!v.cell || v.edgeE4 === null) {
    return `MIN_EDGE ${ppText(minEdgeE4)} is set and ${v.priceE4 / 100}¢ has no calibration yet (npm run calibrate); break-even ${breakEvenText(v)}`;
  }
  if (v.edgeE4 >= minEdgeE4) return null;
  return (
    `edge ${ppText(v.edgeE4)} is below MIN_EDGE ${ppText(minEdgeE4)}: calibrated win rate ${pctText(v.cell.ciLowE4)} at the lower 95% bound ` +
    `minus break-even ${breakEvenText(v)} (history: ${cellText(v.cell)})`
  );
}
