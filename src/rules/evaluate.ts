// Layers 2-4 for one market, as one pure function: used by the cycle for every market and by an
// approval to re-check a market at its current price before anything is sent.
import type { Market } from '../kalshi/market-schema.js';
import type { Settings } from '../journal/settings.js';
import { E2_PER_CONTRACT, type FeeSchedule } from '../money.js';
import { type BandResult, type Side, bandCheck as bandCheckImport } from './band.js';
import { type CalibrationLookup, type EdgeView, edgeOf, minEdgeRejection } from './edge.js';
import { type ApprovalRules, approvalRule as approvalRuleImport, sizeOrder as sizeOrderImport, worstCaseE4 as worstCaseImport } from './risk.js';
import { type ValidationContext, validateMarket as validateImport } from './validate.js';

// Imported bindings read through an accessor under tsx; evaluateMarket runs for thousands of markets a cycle.
const bandCheck = bandCheckImport;
const validateMarket = validateImport;
const sizeOrder = sizeOrderImport;
const worstCaseE4 = worstCaseImport;
const approvalRule = approvalRuleImport;

export type Evaluation =
  | { pass: false; layer: 2 | 3 | 4; reason: string; side?: Side; priceE4?: number }
  | {
      pass: true;
      side: Side;
      /** The limit: the ask for a taker, the resting price for a maker. */
      priceE4: number;
      /** The side's ask (what the band and the calibration read). */
      quotedE4: number;
      style: 'taker' | 'maker';
      contracts: number;
      worstCaseE4: number;
      fee: FeeSchedule;
      /** Its after-fee break-even win rate and the edge the calibration gives it (shown in alerts and /why). */
      edge: EdgeView;
      category: string | undefined;
      /** Non-null when a rule wants a human to approve. */
      approval: string | null;
    };

/** An order's life beyond its fill timeout (the exchange-side expiry and the cancel), for fee changes due meanwhile. */
export const FEE_HORIZON_MARGIN_MS = 60_000;

export interface EvaluationContext extends Omit<ValidationContext, 'horizonDays' | 'minVolume24h' | 'positionLimit' | 'excluded'> {
  settings: Settings;
  excluded: ReadonlySet<string>;
  approvalRules: ApprovalRules;
  /** The fee rule the market's orders can be charged under; null when it is not known. */
  feeOf(eventTicker: string): FeeSchedule | null;
  /** What the exchange's history says contracts at each price win (absent: no calibration). */
  calibration?: CalibrationLookup | null;
  /** MIN_EDGE (e4 probability): layer 3 rejects a candidate whose calibrated lower bound minus break-even is below it. */
  minEdgeE4?: number | null;
  /** ORDER_STYLE (default taker). */
  orderStyle?: 'taker' | 'maker';
}

/** The validation layer's view of an evaluation context (the context itself when it already is one, e.g. a DecisionContext). */
export function toValidationContext(ctx: EvaluationContext): ValidationContext {
  const v = ctx as EvaluationContext & Partial<ValidationContext>;
  if (typeof v.horizonDays === 'number' && typeof v.minVolume24h === 'number' && typeof v.positionLimit === 'number') return v as ValidationContext;
  return {
    ...ctx,
    horizonDays: ctx.settings.horizonDays,
    minVolume24h: ctx.settings.minVolume24h,
    positionLimit: ctx.settings.positionLimit,
  };
}

export function evaluateMarket(m: Market, ctx: EvaluationContext, vctx = toValidationContext(ctx)): Evaluation {
  const band = bandCheck(m, ctx.settings);
  if (!band.ok) return { pass: false, layer: 2, reason: band.reason };
  const valid = validateMarket(m, vctx);
  if (!valid.ok) return { pass: false, layer: 3, reason: valid.reason, side: band.side, priceE4: band.priceE4 };
  return evaluateValid(m, band, valid.category, ctx);
}

/** The side a market is in band on: what bandCheck passes. */
export type InBand = Extract<BandResult, { ok: true }>;

/**
 * The rest of evaluateMarket for a market in band and valid: sizing, the fee rule, the edge, the worst case and the
 * approval flag. The compact pass calls it after its own band and validation checks (the same functions, on columns).
 */
export function evaluateValid(m: Market, band: InBand, category: string | undefined, ctx: EvaluationContext): Evaluation {
  // A taker pays the ask; a maker rests at the bid (or a cent inside the spread), so the book's size does not bound it.
  const maker = ctx.orderStyle === 'maker';
  const limit = maker ? makerPriceE4(m, band.side) : band.priceE4;
  const contracts = sizeOrder({
    priceE4: limit,
    topSizeE2: maker ? ctx.settings.positionLimit * E2_PER_CONTRACT : band.sizeE2,
    maxCostPerTradeE4: ctx.settings.maxCostPerTradeE4,
    positionLimit: ctx.settings.positionLimit,
    exposureE2: ctx.exposureE2(m.ticker),
  });
  if (contracts < 1) {
    return { pass: false, layer: 4, reason: 'size rounds to zero contracts (budget, book or position limit)', side: band.side, priceE4: band.priceE4 };
  }
  const fee = ctx.feeOf(m.eventTicker);
  if (!fee) return { pass: false, layer: 3, reason: 'fee rule unknown (series not listed, or a fee type without a known bound)', side: band.side, priceE4: band.priceE4 };
  const edge = edgeOf({ side: band.side, quotedE4: band.priceE4, paidE4: limit, fee, maker, calibration: ctx.calibration ?? null });
  if (ctx.minEdgeE4 !== undefined && ctx.minEdgeE4 !== null) {
    const why = minEdgeRejection(edge, ctx.minEdgeE4);
    if (why) return { pass: false, layer: 3, reason: why, side: band.side, priceE4: band.priceE4 };
  }
  // The worst case is the taker's bound at the limit for either style: a maker order never pays more than that.
  const worst = worstCaseE4(contracts, limit, fee);
  return {
    pass: true,
    side: band.side,
    priceE4: limit,
    quotedE4: band.priceE4,
    style: maker ? 'maker' : 'taker',
    contracts,
    worstCaseE4: worst,
    fee,
    edge,
    category,
    approval: approvalRule(worst, category, ctx.approvalRules),
  };
}

/** Kalshi accepts whole cents on every market: a maker improves the bid by one. */
export const MAKER_TICK_E4 = 100;

/**
 * Where a maker buys `side`: one cent above the side's best bid when that still leaves the spread open (first in the
 * queue), else at the bid itself (behind those already there); with no bid, a cent below the side's ask. Never at or
 * above the ask (post-only would be refused as crossing). YES: the YES bid and ask; NO: its bid is 1 - the YES ask,
 * its ask 1 - the YES bid.
 */
export function makerPriceE4(m: Pick<Market, 'yesBidE4' | 'yesAskE4' | 'yesBidSizeE2' | 'yesAskSizeE2'>, side: Side): number {
  const payout = 10_000;
  const bid = side === 'yes' ? (m.yesBidSizeE2 > 0 ? m.yesBidE4 : 0) : m.yesAskSizeE2 > 0 ? payout - m.yesAskE4 : 0;
  const ask = side === 'yes' ? (m.yesAskSizeE2 > 0 ? m.yesAskE4 : payout) : m.yesBidSizeE2 > 0 ? payout - m.yesBidE4 : payout;
  if (bid <= 0) return ask - MAKER_TICK_E4;
  return bid + MAKER_TICK_E4 < ask ? bid + MAKER_TICK_E4 : bid;
}
