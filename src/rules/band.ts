// Layer 2: the probability band. The price that counts is the one you would pay.
import type { Market } from '../kalshi/market-schema.js';
import { CONTRACT_PAYOUT_E4 } from '../money.js';

export type Side = 'yes' | 'no';

export interface BandSettings {
  bandMinE4: number;
  bandMaxE4: number;
}

export type BandResult =
  | { ok: true; side: Side; priceE4: number; sizeE2: number }
  | { ok: false; reason: string };

const pct = (e4: number) => `${(e4 / 100).toFixed(e4 % 100 === 0 ? 0 : 2)}%`;

/**
 * YES is bought at the YES ask; NO is bought at the NO ask = 1 - YES bid (it takes the YES bids).
 * A side with no size at the top of the book is not tradable, whatever its price string says.
 * If both sides were in band (only in a very wide market) YES is preferred.
 */
export function bandCheck(m: Market, s: BandSettings): BandResult {
  const inBand = (p: number) => p >= s.bandMinE4 && p <= s.bandMaxE4;
  const yesPrice = m.yesAskE4;
  const noPrice = CONTRACT_PAYOUT_E4 - m.yesBidE4;
  const yesTradable = m.yesAskSizeE2 > 0 && yesPrice > 0 && yesPrice < CONTRACT_PAYOUT_E4;
  const noTradable = m.yesBidSizeE2 > 0 && noPrice > 0 && noPrice < CONTRACT_PAYOUT_E4;
  if (yesTradable && inBand(yesPrice)) return { ok: true, side: 'yes', priceE4: yesPrice, sizeE2: m.yesAskSizeE2 };
  if (noTradable && inBand(noPrice)) return { ok: true, side: 'no', priceE4: noPrice, sizeE2: m.yesBidSizeE2 };
  if (!yesTradable && !noTradable) return { ok: false, reason: 'no size at the top of the book on either side' };
  const quoted = [
    yesTradable ? `YES ask ${pct(yesPrice)}` : 'YES ask empty',
    noTradable ? `NO ask ${pct(noPrice)}` : 'NO ask empty',
  ];
  // An in-band price on an empty side is a stale quote: say so rather than "out of band".
  if (!yesTradable && inBand(yesPrice) && yesPrice > 0) return { ok: false, reason: `YES ask ${pct(yesPrice)} is in band but has no size` };
  if (!noTradable && inBand(noPrice) && m.yesBidE4 > 0) return { ok: false, reason: `NO ask ${pct(noPrice)} is in band but has no size` };
  return { ok: false, reason: `out of band ${pct(s.bandMinE4)}-${pct(s.bandMaxE4)}: ${quoted.join(', ')}` };
}
