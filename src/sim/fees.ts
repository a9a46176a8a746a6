// Kalshi's per-fill fees (KALSHI_API.md): taker = mult × 0.07 × C × P × (1 − P), maker (series with
// maker fees only) = mult × 0.0175 × C × P × (1 − P), each rounded UP to $0.0001. BigInt: exact.

/** Fee in e4 dollars. multE4: fee multiplier ×10^4; countE2: contracts ×100; priceE4: YES price ×10^4. */
function feeE4(rateE4: bigint, multE4: number, countE2: number, priceE4: number): number {
  // dollars = (rateE4/1e4)(mult/1e4)(C/1e2)(P/1e4)((1e4-P)/1e4); ×1e4 for e4 => divide by 1e14
  const num = rateE4 * BigInt(multE4) * BigInt(countE2) * BigInt(priceE4) * BigInt(10_000 - priceE4);
  const den = 10n ** 14n;
  return Number((num + den - 1n) / den);
}

export const takerFeeE4 = (multE4: number, countE2: number, priceE4: number): number => feeE4(700n, multE4, countE2, priceE4);
export const makerFeeE4 = (multE4: number, countE2: number, priceE4: number): number => feeE4(175n, multE4, countE2, priceE4);
