// The exchange's reports about our own orders are input too. Pure bounds: what an order could possibly have
// filled and cost; a report outside them is not believed, and the order's worst case stays booked.
import type { Fill, Order } from '../kalshi/schemas.js';
import type { OrderRow } from '../journal/orders.js';
import { costE4 } from '../money.js';

export interface Belief {
  filledE2: number;
  fillCostE4: number;
  feesE4: number;
  /** What was impossible, or null when the report is believed. */
  flag: string | null;
}

/**
 * Believe a report when: 0 <= filled <= ordered; 0 <= cost <= filled x the limit price of the side bought (price
 * improvement lowers it, NO buys report the NO leg); 0 <= fees <= the worst-case fee reserved for the order.
 */
export function believeReport(row: Pick<OrderRow, 'count_e2' | 'price_e4' | 'worst_case_e4'>, o: Pick<Order, 'fillCountE2' | 'fillCostE4' | 'feesE4'>): Belief {
  const worstFeeE4 = row.worst_case_e4 - costE4(row.count_e2, row.price_e4);
  const problems: string[] = [];
  const countOk = Number.isSafeInteger(o.fillCountE2) && o.fillCountE2 >= 0 && o.fillCountE2 <= row.count_e2;
  if (!countOk) problems.push(`fill count ${o.fillCountE2 / 100} of ${row.count_e2 / 100} ordered`);
  const filledE2 = countOk ? o.fillCountE2 : row.count_e2;
  const maxCostE4 = costE4(filledE2, row.price_e4);
  if (!(o.fillCostE4 >= 0 && o.fillCostE4 <= maxCostE4)) problems.push(`fill cost ${o.fillCostE4 / 10_000} outside 0..${maxCostE4 / 10_000}`);
  if (!(o.feesE4 >= 0 && o.feesE4 <= worstFeeE4)) problems.push(`fees ${o.feesE4 / 10_000} outside 0..${worstFeeE4 / 10_000}`);
  if (problems.length === 0) return { filledE2, fillCostE4: o.fillCostE4, feesE4: o.feesE4, flag: null };
  // Not believed: book the whole worst case, as if every contract filled at the limit with the worst fee.
  const fullCostE4 = costE4(row.count_e2, row.price_e4);
  return { filledE2, fillCostE4: fullCostE4, feesE4: row.worst_case_e4 - fullCostE4, flag: problems.join('; ') };
}

/** The fill records worth keeping beside an order: its own, with counts, prices and fees inside their bounds. */
export function boundedFills(row: Pick<OrderRow, 'count_e2' | 'exchange_order_id'>, fills: Fill[]) {
  return fills
    .filter(
      (f) =>
        (row.exchange_order_id === null || f.orderId === row.exchange_order_id) &&
        f.countE2 > 0 &&
        f.countE2 <= row.count_e2 &&
        f.yesPriceE4 >= 0 &&
        f.yesPriceE4 <= 10_000 &&
        f.noPriceE4 >= 0 &&
        f.noPriceE4 <= 10_000 &&
        f.feeE4 >= 0,
    )
    .map((f) => ({
      fillId: f.fillId,
      ticker: f.ticker,
      side: f.outcomeSide,
      countE2: f.countE2,
      priceE4: f.outcomeSide === 'yes' ? f.yesPriceE4 : f.noPriceE4,
      feeE4: f.feeE4,
      createdMs: f.createdMs,
      exchangeIndex: f.exchangeIndex,
    }));
}
