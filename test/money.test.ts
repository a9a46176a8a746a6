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
  // Reference: fee = m * rate * C * P * (1 - P), up to $0.0001, then up to the cent. Computed here
  // independently in integer cents-of-a-hundredth-of-a-cent arithmetic (units of 1e-12 dollars).
  function referenceFeeE4(count: number, priceCents: number, rateE4: number, multE4 = 10_000): number {
    const exact = BigInt(multE4) * BigInt(rateE4) * BigInt(count) * BigInt(priceCents) * BigInt(100 - priceCents); // * 1e-12 dollars
    const perE4 = 10n ** 8n; // 1e-12 -> 1e-4
    const e4 = (exact + perE4 - 1n) / perE4;
    return Number(((e4 + 99n) / 100n) * 100n);
  }

  it('1 contract at 0.52 taker: $0.0175 rounds up to $0.02', () => {
    expect(feeE4({ countE2: 100, priceE4: 5200 })).toBe(200);
  });

  it('10 contracts at 0.52 taker: $0.1747 -> $0.18', () => {
    // 0.07 * 10 * 0.52 * 0.48 = 0.17472 -> 0.1748 (to $0.0001) -> 0.18
    expect(feeE4({ countE2: 1000, priceE4: 5200 })).toBe(1800);
  });

  it('maker fee is a quarter of the rate: 10 @ 0.52 -> $0.043680 -> $0.05', () => {
    expect(feeE4({ countE2: 1000, priceE4: 5200, maker: true })).toBe(500);
    // 100 @ 0.75 maker: 0.0175*100*0.75*0.25 = 0.328125 -> 0.3282 -> 0.33
    expect(feeE4({ countE2: 10_000, priceE4: 7500, maker: true })).toBe(3300);
  });

  it('a fee multiplier of 0.5 halves the fee before rounding', () => {
    // 100 @ 0.75 taker: 1.3125; half: 0.65625 -> 0.6563 -> 0.66
    expect(feeE4({ countE2: 10_000, priceE4: 7500 })).toBe(13_200);
    expect(feeE4({ countE2: 10_000, priceE4: 7500, multiplierE4: 5000 })).toBe(6600);
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
          expect(got % 100).toBe(0); // whole cents
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
    // 0.07 * 9999999.99 * 0.5001 * 0.4999 = 174999.99125... -> up to the cent: 175000.00
    expect(big).toBe(1_750_000_000);
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
