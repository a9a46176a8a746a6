// The exchange's reports about our own orders are input too. Pure bounds: what an order could possibly have
// filled and cost. What is believed is the larger of the order's report and its fill records (a NO buy's fills
// carry the NO price, whichever leg the order report uses); a report outside the bounds is not believed, and the
// order books the larger of its worst case and what was reported.
import type { Fill, Order } from '../kalshi/schemas.js';
import type { OrderRow } from '../journal/orders.js';
import { E2_PER_CONTRACT, ROUNDING_ALLOWANCE_E4, costE4 } from '../money.js';

export interface Belief {
  filledE2: number;
  fillCostE4: number;
  feesE4: number;
  /** What was impossible, or null when the report is believed. */
  flag: string | null;
}

type Row = Pick<OrderRow, 'ticker' | 'side' | 'client_order_id' | 'count_e2' | 'price_e4' | 'worst_case_e4'>;

const dollars = (e4: number) => (e4 / 10_000).toString();
const okMoney = (v: number | null) => v === null || (Number.isSafeInteger(v) && v >= 0);

/**
 * Believe a report when it is about this order, its counts are consistent (0 <= filled <= ordered; executed means
 * all filled), every reported part is >= 0, a fill costs something, the cost is at most filled x the limit price of
 * the side bought (price improvement lowers it), and cost + fees stay within the order's reserved worst case.
 * `fills` null: the fill records could not be read, so an improved price cannot be checked and is not credited.
 */
export function believeReport(row: Row, o: Order, fills: Fill[] | null, droppedFills = 0): Belief {
  const problems: string[] = [];
  if (droppedFills > 0) problems.push(`${droppedFills} fill record(s) outside their bounds`);
  if (o.ticker !== row.ticker || (o.clientOrderId !== null && o.clientOrderId !== row.client_order_id) || o.outcomeSide !== row.side) {
    problems.push(`the report is about ${o.ticker} ${o.outcomeSide} ${o.clientOrderId ?? '?'}, not this order`);
  }
  const f = o.fillCountE2;
  const countOk = Number.isSafeInteger(f) && f >= 0 && f <= row.count_e2 && o.remainingCountE2 >= 0 && f + o.remainingCountE2 <= row.count_e2;
  if (!countOk) problems.push(`fill count ${f / 100} (remaining ${o.remainingCountE2 / 100}) of ${row.count_e2 / 100} ordered`);
  if (o.status === 'executed' && (o.remainingCountE2 !== 0 || f !== row.count_e2)) problems.push(`executed with ${f / 100} of ${row.count_e2 / 100} filled`);
  const parts = o.reported;
  if (![parts.takerCostE4, parts.makerCostE4, parts.takerFeesE4, parts.makerFeesE4].every(okMoney)) {
    problems.push(`a negative cost or fee part (taker ${fmt(parts.takerCostE4)}, maker ${fmt(parts.makerCostE4)}, fees ${fmt(parts.takerFeesE4)}/${fmt(parts.makerFeesE4)})`);
  }

  let filledE2 = countOk ? f : row.count_e2;
  let cost = o.fillCostE4;
  let fees = o.feesE4;
  const own = (fills ?? []).filter((x) => x.countE2 > 0);
  const fCount = own.reduce((a, x) => a + x.countE2, 0);
  if (fCount > row.count_e2) problems.push(`fill records total ${fCount / 100} of ${row.count_e2 / 100} ordered`);
  filledE2 = Math.max(filledE2, Math.min(fCount, row.count_e2));
  // The fill records prove what they cover (an improved price, the NO leg); what they do not cover (none read, a
  // list that lags or is short) is counted at the limit price with its share of the worst-case fee.
  const uncovered = Math.max(0, filledE2 - fCount);
  const fullCost = costE4(row.count_e2, row.price_e4);
  const worstFeeE4 = Math.max(0, row.worst_case_e4 - fullCost);
  const fCost = own.reduce((a, x) => a + costE4(x.countE2, x.outcomeSide === 'no' ? x.noPriceE4 : x.yesPriceE4), 0);
  const fFees = own.reduce((a, x) => a + x.feeE4, 0);
  cost = Math.max(cost, fCost + costE4(uncovered, row.price_e4));
  fees = Math.max(fees, fFees + Math.ceil((worstFeeE4 * uncovered) / row.count_e2));
  if (filledE2 > 0 && parts.takerCostE4 === null && parts.makerCostE4 === null && fCount === 0) problems.push('filled but no cost reported');
  if (filledE2 > 0 && cost <= 0) problems.push('filled at no cost');
  if (filledE2 === 0 && (cost > 0 || fees > 0)) problems.push(`nothing filled but ${dollars(cost + fees)} charged`);
  // Per-fill rounding up to $0.0001 can add one unit per fill record.
  const maxCost = costE4(filledE2, row.price_e4) + own.length;
  if (cost > maxCost) problems.push(`fill cost ${dollars(cost)} above ${filledE2 / E2_PER_CONTRACT} x the limit ${dollars(row.price_e4)}`);
  if (cost + fees > row.worst_case_e4) problems.push(`cost and fees ${dollars(cost + fees)} above the worst case ${dollars(row.worst_case_e4)}`);

  // Rounding fees (the balance floored to the cent) are not in the trade fees reported: up to a cent an order.
  if (problems.length === 0) return { filledE2, fillCostE4: cost, feesE4: filledE2 > 0 ? Math.min(fees + ROUNDING_ALLOWANCE_E4, row.worst_case_e4 - cost) : fees, flag: null };
  // Not believed: the larger of the whole worst case and what was reported (a claim to have taken more is kept).
  return {
    filledE2,
    fillCostE4: Math.max(fullCost, Number.isSafeInteger(cost) && cost > 0 ? cost : 0),
    feesE4: Math.max(row.worst_case_e4 - fullCost, Number.isSafeInteger(fees) && fees > 0 ? fees : 0),
    flag: problems.join('; '),
  };
}

const fmt = (v: number | null) => (v === null ? '-' : dollars(v));

/** The fill records of this order within their bounds, and how many were not. */
export function boundedFills(row: Pick<OrderRow, 'count_e2' | 'ticker' | 'side'>, exchangeOrderId: string, fills: Fill[]): { kept: Fill[]; dropped: number } {
  const kept = fills.filter(
    (f) =>
      f.orderId === exchangeOrderId &&
      f.ticker === row.ticker &&
      f.outcomeSide === row.side &&
      f.yesPriceE4 + f.noPriceE4 === 10_000 &&
      f.countE2 > 0 &&
      f.countE2 <= row.count_e2 &&
      f.yesPriceE4 >= 0 &&
      f.yesPriceE4 <= 10_000 &&
      f.noPriceE4 >= 0 &&
      f.noPriceE4 <= 10_000 &&
      f.feeE4 >= 0,
  );
  return { kept, dropped: fills.filter((f) => f.orderId === exchangeOrderId).length - kept.length };
}

/** Fill records as the journal keeps them. */
export const journalFills = (fills: Fill[]) =>
  fills.map((f) => ({
    fillId: f.fillId,
    ticker: f.ticker,
    side: f.outcomeSide,
    countE2: f.countE2,
    priceE4: f.outcomeSide === 'yes' ? f.yesPriceE4 : f.noPriceE4,
    feeE4: f.feeE4,
    createdMs: f.createdMs,
    exchangeIndex: f.exchangeIndex,
    isTaker: f.isTaker,
  }));
