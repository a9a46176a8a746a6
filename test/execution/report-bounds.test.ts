// What the exchange says about our own orders is believed only within what the order could have done.
import { describe, expect, it } from 'vitest';
import { believeReport } from '../../src/execution/report-bounds.js';
import type { Fill, Order } from '../../src/kalshi/schemas.js';

// 10 YES at a limit of 0.80: worst case $8.00 + 10 x 2c = $8.20.
const ROW = { ticker: 'KXA-1', side: 'yes' as const, client_order_id: 'c-1', count_e2: 1000, price_e4: 8000, worst_case_e4: 82_000 };

function order(over: Partial<Order> = {}, reported: Partial<Order['reported']> = {}): Order {
  const r = { takerCostE4: 80_000, makerCostE4: 0, takerFeesE4: 1200, makerFeesE4: 0, ...reported };
  return {
    orderId: 'o-1',
    clientOrderId: 'c-1',
    ticker: 'KXA-1',
    bookSide: 'bid',
    outcomeSide: 'yes',
    status: 'executed',
    isTerminal: true,
    yesPriceE4: 8000,
    noPriceE4: 2000,
    initialCountE2: 1000,
    fillCountE2: 1000,
    remainingCountE2: 0,
    fillCostE4: (r.takerCostE4 ?? 0) + (r.makerCostE4 ?? 0),
    feesE4: (r.takerFeesE4 ?? 0) + (r.makerFeesE4 ?? 0),
    reported: r,
    createdMs: 0,
    updatedMs: null,
    expirationMs: null,
    exchangeIndex: 0,
    ...over,
  };
}

const fill = (countE2: number, yesPriceE4: number, feeE4: number, side: 'yes' | 'no' = 'yes'): Fill => ({
  fillId: `f-${countE2}-${yesPriceE4}`,
  orderId: 'o-1',
  ticker: 'KXA-1',
  bookSide: side === 'yes' ? 'bid' : 'ask',
  outcomeSide: side,
  countE2,
  yesPriceE4,
  noPriceE4: 10_000 - yesPriceE4,
  isTaker: true,
  feeE4,
  createdMs: 0,
  exchangeIndex: 0,
});

describe('believeReport', () => {
  it('believes a consistent report, and a price-improved one at what the exchange took', () => {
    // Fees booked: the trade fees reported plus a cent for the rounding fee (the balance is floored to the cent).
    expect(believeReport(ROW, order(), [fill(1000, 8000, 1200)])).toEqual({ filledE2: 1000, fillCostE4: 80_000, feesE4: 1300, flag: null });
    // Filled at 0.52 under a 0.80 limit: fee at 0.52 is higher per contract, the total far lower. Believed.
    const improved = order({}, { takerCostE4: 52_000, takerFeesE4: 1750 });
    expect(believeReport(ROW, improved, [fill(1000, 5200, 1750)])).toMatchObject({ fillCostE4: 52_000, feesE4: 1850, flag: null });
  });

  it('a negative fee (or negative parts that sum to zero) is not believed; the worst case stays booked', () => {
    for (const parts of [{ takerFeesE4: -200_000 }, { takerCostE4: -80_000, makerCostE4: 160_000 }]) {
      const b = believeReport(ROW, order({}, parts), null);
      expect(b.flag).toMatch(/negative/);
      expect(b.fillCostE4 + b.feesE4).toBeGreaterThanOrEqual(ROW.worst_case_e4);
    }
  });

  it('missing cost fields on a filled order, or executed with nothing filled, are not believed', () => {
    const noCost = believeReport(ROW, order({ fillCostE4: 0, feesE4: 0 }, { takerCostE4: null, makerCostE4: null, takerFeesE4: null, makerFeesE4: null }), []);
    expect(noCost.flag).toMatch(/no cost/);
    expect(noCost.fillCostE4 + noCost.feesE4).toBe(ROW.worst_case_e4);
    const empty = believeReport(ROW, order({ fillCountE2: 0, fillCostE4: 0, feesE4: 0 }, { takerCostE4: 0, takerFeesE4: 0 }), []);
    expect(empty.flag).toMatch(/executed with 0 of 10 filled/);
    expect(empty.fillCostE4 + empty.feesE4).toBe(ROW.worst_case_e4);
  });

  it('a claim to have taken more than the worst case is booked as claimed (never below it)', () => {
    const b = believeReport(ROW, order({}, { takerFeesE4: 500_000 }), null);
    expect(b.flag).toMatch(/above the worst case/);
    expect(b.fillCostE4 + b.feesE4).toBe(80_000 + 500_000);
  });

  it('a fill count above the order, or a report about another order, is not believed', () => {
    expect(believeReport(ROW, order({ fillCountE2: 1600, remainingCountE2: 0 }), null).flag).toMatch(/fill count 16/);
    expect(believeReport(ROW, order({ ticker: 'KXB-2' }), null).flag).toMatch(/not this order/);
    expect(believeReport(ROW, order({ clientOrderId: 'c-9' }), null).flag).toMatch(/not this order/);
  });

  it('a canceled order reported unfilled whose fill records show fills books the fills', () => {
    const canceled = order({ status: 'canceled', fillCountE2: 0, remainingCountE2: 0, fillCostE4: 0, feesE4: 0 }, { takerCostE4: 0, takerFeesE4: 0 });
    const b = believeReport(ROW, canceled, [fill(400, 8000, 600)]);
    expect(b).toMatchObject({ filledE2: 400, fillCostE4: 32_000, feesE4: 700 });
  });

  it('a NO buy is counted at its NO price from the fills, whichever leg the order report uses', () => {
    // 10 NO at a limit of 0.80 (YES 0.20). An order report on the YES leg would say $2.00.
    const row = { ...ROW, side: 'no' as const };
    const yesLeg = order({ outcomeSide: 'no', bookSide: 'ask' }, { takerCostE4: 20_000, takerFeesE4: 1200 });
    expect(believeReport(row, yesLeg, [fill(1000, 2000, 1200, 'no')]).fillCostE4).toBe(80_000);
    // Without readable fills, an improvement (or the other leg) cannot be checked: no less than the limit.
    expect(believeReport(row, yesLeg, null).fillCostE4).toBe(80_000);
  });

  it('fill records outside their bounds flag the order', () => {
    expect(believeReport(ROW, order(), [fill(1000, 8000, 1200)], 1).flag).toMatch(/1 fill record/);
  });

  it('an empty or short fill list proves nothing: what it does not cover counts at the limit with its share of the worst fee', () => {
    // 10 @ 0.50 executed, reported as costing $0.01 with no fee: the fill list lags (empty) or shows 2 of the 10.
    const row = { ...ROW, price_e4: 5000, worst_case_e4: 50_000 + 1750 + 1000 + 100 };
    const low = order({ yesPriceE4: 5000, noPriceE4: 5000 }, { takerCostE4: 100, takerFeesE4: 0 });
    const empty = believeReport(row, low, []);
    expect(empty.fillCostE4).toBe(50_000);
    expect(empty.fillCostE4 + empty.feesE4).toBe(row.worst_case_e4);
    const two = believeReport(row, low, [fill(200, 5000, 350)]);
    expect(two.fillCostE4).toBe(10_000 + 40_000);
    expect(two.feesE4).toBeGreaterThanOrEqual(350 + Math.ceil((2850 * 800) / 1000));
  });

  it('honest fractional fills whose per-fill rounding adds up past count x limit are believed', () => {
    const row = { ...ROW, count_e2: 100, price_e4: 5001, worst_case_e4: 5001 + 175 + 100 + 100 };
    const fills = [fill(98, 5001, 172), fill(1, 5001, 2), fill(1, 5001, 2)].map((f, i) => ({ ...f, fillId: `f${i}` }));
    const o = order({ yesPriceE4: 5001, noPriceE4: 4999, initialCountE2: 100, fillCountE2: 100 }, { takerCostE4: 5003, takerFeesE4: 176 });
    expect(believeReport(row, o, fills).flag).toBeNull();
  });
});
