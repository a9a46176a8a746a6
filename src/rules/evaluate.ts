// Layers 2-4 for one market, as one pure function: used by the cycle for every market and by an
// approval to re-check a market at its current price before anything is sent.
import type { Market } from '../kalshi/market-schema.js';
import type { Settings } from '../journal/settings.js';
import type { FeeSchedule } from '../money.js';
import { type Side, bandCheck as bandCheckImport } from './band.js';
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
      priceE4: number;
      contracts: number;
      worstCaseE4: number;
      fee: FeeSchedule;
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
}

export function toValidationContext(ctx: EvaluationContext): ValidationContext {
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
  const contracts = sizeOrder({
    priceE4: band.priceE4,
    topSizeE2: band.sizeE2,
    maxCostPerTradeE4: ctx.settings.maxCostPerTradeE4,
    positionLimit: ctx.settings.positionLimit,
    exposureE2: ctx.exposureE2(m.ticker),
  });
  if (contracts < 1) {
    return { pass: false, layer: 4, reason: 'size rounds to zero contracts (budget, book or position limit)', side: band.side, priceE4: band.priceE4 };
  }
  const fee = ctx.feeOf(m.eventTicker);
  if (!fee) return { pass: false, layer: 3, reason: 'fee rule unknown (series not listed, or a fee type without a known bound)', side: band.side, priceE4: band.priceE4 };
  const worst = worstCaseE4(contracts, band.priceE4, fee);
  return {
    pass: true,
    side: band.side,
    priceE4: band.priceE4,
    contracts,
    worstCaseE4: worst,
    fee,
    category: valid.category,
    approval: approvalRule(worst, valid.category, ctx.approvalRules),
  };
}
