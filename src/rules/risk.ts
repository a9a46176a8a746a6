// Layer 4 decisions: how many contracts, whether the daily cap allows it, whether a human must approve.
import { DEFAULT_FEE, E2_PER_CONTRACT as E2, type FeeSchedule, costE4 as costImport, formatUsd, orderFeeBoundE4 as feeBoundImport } from '../money.js';

// Imported bindings read through an accessor under tsx: sizing and the worst case run for thousands of markets a cycle.
const E2_PER_CONTRACT = E2;
const costE4 = costImport;
const orderFeeBoundE4 = feeBoundImport;

export interface SizingInput {
  priceE4: number;
  topSizeE2: number;
  maxCostPerTradeE4: number;
  positionLimit: number; // contracts
  exposureE2: number;
}

/** Whole contracts only: as many as the per-trade budget buys, capped by the book and the position limit. */
export function sizeOrder(i: SizingInput): number {
  const byBudget = Math.floor(i.maxCostPerTradeE4 / i.priceE4);
  const byBook = Math.floor(i.topSizeE2 / E2_PER_CONTRACT);
  const byLimit = Math.floor((i.positionLimit * E2_PER_CONTRACT - i.exposureE2) / E2_PER_CONTRACT);
  return Math.max(0, Math.min(byBudget, byBook, byLimit));
}

/** The most fees `contracts` can cost, however they are split into fills (Kalshi's documented fee rounding). */
export function worstFeeE4(contracts: number, priceE4: number, fee: FeeSchedule = DEFAULT_FEE): number {
  return orderFeeBoundE4(fee, contracts * E2_PER_CONTRACT, priceE4);
}

/** What an order can lose: every contract at the limit price plus the worst-case taker fee. */
export function worstCaseE4(contracts: number, priceE4: number, fee?: FeeSchedule): number {
  const key = worstKey(contracts, priceE4, fee ?? DEFAULT_FEE);
  if (key !== null) {
    const hit = worstMemo.get(key);
    if (hit !== undefined) return hit;
  }
  const worst = costE4(contracts * E2_PER_CONTRACT, priceE4) + worstFeeE4(contracts, priceE4, fee);
  if (key !== null) {
    if (worstMemo.size >= 50_000) worstMemo.clear();
    worstMemo.set(key, worst);
  }
  return worst;
}

/**
 * worstCaseE4 is a pure function of a few small integers, and a cycle asks it for thousands of markets at a handful
 * of prices and sizes (the fee is exact BigInt arithmetic): its answers are remembered, keyed exactly.
 */
const worstMemo = new Map<number, number>();
const FEE_TYPES = ['quadratic', 'quadratic_with_maker_fees', 'flat'];

function worstKey(contracts: number, priceE4: number, fee: FeeSchedule): number | null {
  const type = FEE_TYPES.indexOf(fee.feeType);
  const ints = Number.isInteger(contracts) && Number.isInteger(priceE4) && Number.isInteger(fee.multiplierE4);
  if (type < 0 || !ints || contracts < 0 || contracts > 100_000 || priceE4 < 0 || priceE4 > 10_000 || fee.multiplierE4 < 0 || fee.multiplierE4 > 1_000_000) return null;
  // contracts (<= 1e5) x price (<= 1e4) x type (3) x multiplier (<= 1e6): below 2^53, one key per argument list.
  return ((contracts * 10_001 + priceE4) * 3 + type) * 1_000_001 + fee.multiplierE4;
}

/** The most contracts (<= wanted) whose worst case fits in `roomE4`. Worst case grows monotonically with the count. */
function contractsWithin(wanted: number, priceE4: number, roomE4: number, fee?: FeeSchedule): number {
  let lo = 0;
  let hi = wanted;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (worstCaseE4(mid, priceE4, fee) <= roomE4) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export type CapDecision =
  | { ok: true; contracts: number; worstCaseE4: number }
  | { ok: false; halt: boolean; reason: string };

/**
 * Fit an order under the daily cap. Shrinks the order to what fits; refuses if not even one contract fits.
 * `halt` is true when the room left cannot buy one contract at the band's cheapest price: nothing else can trade today.
 */
export function fitUnderCap(o: {
  contracts: number;
  priceE4: number;
  atRiskE4: number;
  capE4: number;
  bandMinE4: number;
  fee?: FeeSchedule;
}): CapDecision {
  const room = o.capE4 - o.atRiskE4;
  if (room < worstCaseE4(1, o.bandMinE4, o.fee)) {
    return { ok: false, halt: true, reason: `daily cap reached: ${formatUsd(o.atRiskE4)} at risk of ${formatUsd(o.capE4)}` };
  }
  // Shrink until it fits (the fee's rounding makes a closed form fiddly).
  const n = contractsWithin(o.contracts, o.priceE4, room, o.fee);
  if (n < 1) return { ok: false, halt: false, reason: 'one contract at this price would cross the daily cap' };
  return { ok: true, contracts: n, worstCaseE4: worstCaseE4(n, o.priceE4, o.fee) };
}

export interface ApprovalRules {
  approvalAboveCostE4: number | undefined;
  approvalCategories: ReadonlySet<string>; // lower-cased
}

/** The rule that flags a trade for a human, or null when it may go straight out. */
export function approvalRule(worstCase: number, category: string | undefined, rules: ApprovalRules): string | null {
  if (rules.approvalAboveCostE4 !== undefined && worstCase > rules.approvalAboveCostE4) {
    return `worst-case cost above the approval threshold`;
  }
  if (category && rules.approvalCategories.size > 0 && rules.approvalCategories.has(category.toLowerCase())) return `category ${category} needs approval`;
  return null;
}
