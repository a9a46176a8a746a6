// Fixed-point money: the wire's decimal strings in and out, the fee formula from KALSHI_API.md "Fees".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  costE4,
  feeE4,
  formatCountE2,
  formatPriceE4,
  formatUsd,
  parseCountE2,
  parseDollarsE4,
  parseScaled,
  parseUserDollarsE4,
} from '../src/money.js';
import { worstCaseE4 } from '../src/rules/risk.js';

describe('parseDollarsE4', () => {
  it('parses the wire forms exactly', () => {
    expect(parseDollarsE4('0.7500')).toBe(7500);
    expect(parseDollarsE4('0.52')).toBe(5200);
    expect(parseDollarsE4('1')).toBe(10_000);
    expect(parseDollarsE4('1.0000')).toBe(10_000);
    expect(parseDollarsE4('0.0000')).toBe(0);
    expect(parseDollarsE4('12.3456')).toBe(123_456);
    expect(parseDollarsE4('  0.5600 ')).toBe(5600);
    expect(parseDollarsE4('3.')).toBe(30_000);
  });

  it('reads a 6-decimal fee string: "0.017500" -> 175', () => {
    expect(parseDollarsE4('0.017500')).toBe(175);
    expect(parseDollarsE4('0.017500', 'exact')).toBe(175);
    expect(parseDollarsE4('0.017500', 'up')).toBe(175); // trailing zeros are no remainder
  });

  it('rounds extra digits down or up as asked, and refuses them when exact', () => {
    expect(parseDollarsE4('0.017501', 'down')).toBe(175);
    expect(parseDollarsE4('0.017501', 'up')).toBe(176);
    expect(parseDollarsE4('0.017599', 'down')).toBe(175);
    expect(parseDollarsE4('0.017599', 'up')).toBe(176);
    expect(parseDollarsE4('0.017501', 'exact')).toBeNull();
    expect(parseDollarsE4('0.999999', 'up')).toBe(10_000);
  });

  it('handles negatives; "up" means toward +infinity', () => {
    expect(parseDollarsE4('-0.5000')).toBe(-5000);
    expect(parseDollarsE4('-1.25')).toBe(-12_500);
    expect(parseDollarsE4('-0.017501', 'down')).toBe(-176);
    expect(parseDollarsE4('-0.017501', 'up')).toBe(-175);
    expect(Object.is(parseDollarsE4('-0.0000'), 0)).toBe(true); // no negative zero
  });

  it('returns null for garbage', () => {
    for (const bad of ['', ' ', 'abc', '$1.00', '1,000.00', '1e3', '0x10', '+1.0', '.5', '1.2.3', 'NaN', 'Infinity', '- 1', '1 .0']) {
      expect(parseDollarsE4(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('returns null beyond safe integers rather than a wrong number', () => {
    expect(parseDollarsE4('9999999999999999.0000')).toBeNull();
  });
});

describe('parseCountE2 and parseScaled', () => {
  it('counts carry 2 decimals; extra digits round down', () => {
    expect(parseCountE2('10.00')).toBe(1000);
    expect(parseCountE2('3')).toBe(300);
    expect(parseCountE2('0.01')).toBe(1);
    expect(parseCountE2('2.999')).toBe(299);
    expect(parseCountE2('')).toBeNull();
    expect(parseCountE2('ten')).toBeNull();
  });

  it('parseScaled works at any scale', () => {
    expect(parseScaled('1.5', 0, 'down')).toBe(1);
    expect(parseScaled('1.5', 0, 'up')).toBe(2);
    expect(parseScaled('1.5', 0, 'exact')).toBeNull();
    expect(parseScaled('7', 6)).toBe(7_000_000);
    expect(parseScaled('0.000001', 6)).toBe(1);
  });
});

describe('formatPriceE4 / formatCountE2', () => {
  it('produces the wire form', () => {
    expect(formatPriceE4(7100)).toBe('0.7100');
    expect(formatPriceE4(5)).toBe('0.0005');
    expect(formatPriceE4(10_000)).toBe('1.0000');
    expect(formatPriceE4(-2500)).toBe('-0.2500');
    expect(formatCountE2(1000)).toBe('10.00');
    expect(formatCountE2(1)).toBe('0.01');
    expect(() => formatPriceE4(0.5)).toThrow(RangeError);
  });

  it('round-trips through the parsers', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(parseDollarsE4(formatPriceE4(n), 'exact')).toBe(n);
        expect(parseCountE2(formatCountE2(n))).toBe(n);
      }),
    );
  });
});

describe('parseUserDollarsE4', () => {
  it('accepts what people type', () => {
    expect(parseUserDollarsE4('50')).toBe(500_000);
    expect(parseUserDollarsE4('12.5')).toBe(125_000);
    expect(parseUserDollarsE4('$7.25')).toBe(72_500);
    expect(parseUserDollarsE4(' 0.0001 ')).toBe(1);
  });

  it('refuses anything else', () => {
    for (const bad of ['abc', '1.23456', '', '-5', '$', '1,000', '12.', '$$5', '5$']) {
      expect(parseUserDollarsE4(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

describe('formatUsd', () => {
  it('rounds half up to the cent for display', () => {
    expect(formatUsd(123_456)).toBe('$12.35');
    expect(formatUsd(500_000)).toBe('$50.00');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(50)).toBe('$0.01');
    expect(formatUsd(49)).toBe('$0.00');
    expect(formatUsd(-123_456)).toBe('-$12.35');
    expect(formatUsd(-49)).toBe('$0.00'); // no "-$0.00"
  });
});

describe('feeE4 (KALSHI_API.md "Fees")', () => {
  // Reference: fee = m * rate * C * P * (1 - P), rounded up to $0.0001 (docs: getting_started/fee_rounding).
  // Computed here independently in units of 1e-12 dollars.
  function referenceFeeE4(count: number, priceCents: number, rateE4: number, multE4 = 10_000): number {
    const exact = BigInt(multE4) * BigInt(rateE4) * BigInt(count) * BigInt(priceCents) * BigInt(100 - priceCents); // * 1e-12 dollars
    const perE4 = 10n ** 8n; // 1e-12 -> 1e-4
    return Number((exact + perE4 - 1n) / perE4);
  }

  it('1 contract at 0.52 taker: $0.017472 rounds up to $0.0175, as recorded on the wire', () => {
    expect(feeE4({ countE2: 100, priceE4: 5200 })).toBe(175);
  });

  it('10 contracts at 0.52 taker: $0.17472 -> $0.1748', () => {
    expect(feeE4({ countE2: 1000, priceE4: 5200 })).toBe(1748);
  });

  it('maker fee is a quarter of the rate: 10 @ 0.52 -> $0.04368 -> $0.0437', () => {
    expect(feeE4({ countE2: 1000, priceE4: 5200, maker: true })).toBe(437);
    // 100 @ 0.75 maker: 0.0175*100*0.75*0.25 = 0.328125 -> 0.3282
    expect(feeE4({ countE2: 10_000, priceE4: 7500, maker: true })).toBe(3282);
  });

  it('a fee multiplier of 0.5 halves the fee before rounding', () => {
    // 100 @ 0.75 taker: 1.3125; half: 0.65625 -> 0.6563
    expect(feeE4({ countE2: 10_000, priceE4: 7500 })).toBe(13_125);
    expect(feeE4({ countE2: 10_000, priceE4: 7500, multiplierE4: 5000 })).toBe(6563);
  });

  it('is zero at the ends of the price range and for no contracts', () => {
    expect(feeE4({ countE2: 10_000, priceE4: 0 })).toBe(0);
    expect(feeE4({ countE2: 10_000, priceE4: 10_000 })).toBe(0);
    expect(feeE4({ countE2: 0, priceE4: 5000 })).toBe(0);
  });

  it('matches the formula for whole contracts at whole-cent prices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 99 }),
        fc.boolean(),
        fc.constantFrom(5000, 10_000, 25_000),
        (count, cents, maker, mult) => {
          const got = feeE4({ countE2: count * 100, priceE4: cents * 100, maker, multiplierE4: mult });
          expect(got).toBe(referenceFeeE4(count, cents, maker ? 175 : 700, mult));
        },
      ),
    );
  });

  it('large counts do not overflow', () => {
    // 10,000,000 contracts at 0.50: 0.07 * 1e7 * 0.25 = $175,000 exactly.
    expect(feeE4({ countE2: 1_000_000_000, priceE4: 5000 })).toBe(1_750_000_000);
    // The float product m*rate*c*p*q here exceeds 2^53; the result must still be exact.
    const big = feeE4({ countE2: 999_999_999, priceE4: 5001 });
    expect(Number.isSafeInteger(big)).toBe(true);
    // 0.07 * 9999999.99 * 0.5001 * 0.4999 = 174999.992825... -> up to $0.0001: 174999.9929
    expect(big).toBe(1_749_999_929);
  });
});

/**
 * What Kalshi takes from a cent-precision balance for an order's fills, per its documented fee rounding, written
 * here independently of src/: each fill pays its cost and its trade fee (rounded up to $0.0001); the balance is
 * floored to the cent (the rounding fee); the overpayment accumulates per order and every whole cent past $0.01
 * is rebated. Returns micro-dollars (e6).
 */
function kalshiTakesE6(fills: { countE2: number; priceE4: number }[], multE4: number): number {
  let taken = 0n;
  let acc = 0n;
  for (const f of fills) {
    const exact = BigInt(multE4) * 700n * BigInt(f.countE2) * BigInt(f.priceE4) * BigInt(10_000 - f.priceE4); // 1e-18 $
    const feeE6 = ((exact + 10n ** 14n - 1n) / 10n ** 14n) * 100n; // up to $0.0001, in e6
    const change = -(BigInt(f.countE2) * BigInt(f.priceE4)) - feeE6; // e6, negative for a buyer
    const floored = change >= 0n ? (change / 10_000n) * 10_000n : -((-change + 9_999n) / 10_000n) * 10_000n;
    acc += change - floored;
    let rebate = 0n;
    if (acc > 10_000n) {
      rebate = 10_000n;
      acc -= 10_000n;
    }
    taken += -floored - rebate;
  }
  return Number(taken);
}

describe('the fee worst case holds for any split into fills', () => {
  it('1 contract as a hundred 0.01 fills costs more than one fill, and still within the bound', () => {
    const one = kalshiTakesE6([{ countE2: 100, priceE4: 7800 }], 10_000);
    const hundred = kalshiTakesE6(Array.from({ length: 100 }, () => ({ countE2: 1, priceE4: 7800 })), 10_000);
    expect(hundred).toBeGreaterThan(one);
    expect(hundred).toBeLessThanOrEqual(worstCaseE4(1, 7800) * 100);
  });

  it('property: cost + fees taken <= the worst case reserved, for any split, any price at or better than the limit', () => {
    const order = fc
      .record({ contracts: fc.integer({ min: 1, max: 60 }), limitE4: fc.integer({ min: 100, max: 9900 }), mult: fc.constantFrom(5000, 10_000, 20_000) })
      .chain((o) =>
        fc.record({
          o: fc.constant(o),
          // cut points split count e2 into fills of >= 0.01; prices at the limit or better, on a 0.001 grid
          cuts: fc.uniqueArray(fc.integer({ min: 1, max: o.contracts * 100 - 1 }), { maxLength: Math.min(200, o.contracts * 100 - 1) }),
          prices: fc.array(fc.integer({ min: 10, max: Math.floor(o.limitE4 / 10) }).map((p) => p * 10), { minLength: 1, maxLength: 200 }),
        }),
      );
    fc.assert(
      fc.property(order, ({ o, cuts, prices }) => {
        const points = [0, ...cuts.sort((a, b) => a - b), o.contracts * 100];
        const fills = points.slice(1).map((end, i) => ({ countE2: end - points[i]!, priceE4: prices[i % prices.length]! }));
        const worst = worstCaseE4(o.contracts, o.limitE4, { feeType: 'quadratic', multiplierE4: o.mult });
        expect(kalshiTakesE6(fills, o.mult)).toBeLessThanOrEqual(worst * 100);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('costE4', () => {
  it('count e2 * price e4 / 100, rounded up', () => {
    expect(costE4(1000, 7500)).toBe(75_000); // 10 @ 0.75 = $7.50
    expect(costE4(100, 5200)).toBe(5200);
    expect(costE4(1, 7501)).toBe(76); // 0.01 contract @ 0.7501 = 0.007501 -> 0.0076
    expect(costE4(0, 7500)).toBe(0);
  });
});
