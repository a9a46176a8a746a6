// Layer 2: the probability band. The price that counts is the one you would pay.
import type { Market } from '../kalshi/market-schema.js';
import { CONTRACT_PAYOUT_E4 as PAYOUT_E4 } from '../money.js';

// Imported bindings read through an accessor under tsx (a few ns each): the per-market paths use local copies.
const CONTRACT_PAYOUT_E4 = PAYOUT_E4;

export type Side = 'yes' | 'no';

export interface BandSettings {
  bandMinE4: number;
  bandMaxE4: number;
}

export type BandResult =
  | { ok: true; side: Side; priceE4: number; sizeE2: number }
  | { ok: false; reason: string };

/** Layer 2's outcome as a number: the compact pass judges 120,000 markets with it without building a string. */
export const BAND = { YES: 1, NO: 2, NO_SIZE: 3, YES_STALE: 4, NO_STALE: 5, OUT: 6 } as const;

const pct = (e4: number) => `${(e4 / 100).toFixed(e4 % 100 === 0 ? 0 : 2)}%`;

/**
 * YES is bought at the YES ask; NO is bought at the NO ask = 1 - YES bid (it takes the YES bids).
 * A side with no size at the top of the book is not tradable, whatever its price string says.
 * If both sides were in band (only in a very wide market) YES is preferred.
 * Returns BAND.YES or BAND.NO when a side is in band, else the reason's code.
 */
export function bandCode(yesBidE4: number, yesAskE4: number, yesBidSizeE2: number, yesAskSizeE2: number, s: BandSettings): number {
  const yesPrice = yesAskE4;
  const noPrice = CONTRACT_PAYOUT_E4 - yesBidE4;
  const yesTradable = yesAskSizeE2 > 0 && yesPrice > 0 && yesPrice < CONTRACT_PAYOUT_E4;
  const noTradable = yesBidSizeE2 > 0 && noPrice > 0 && noPrice < CONTRACT_PAYOUT_E4;
  const yesIn = yesPrice >= s.bandMinE4 && yesPrice <= s.bandMaxE4;
  const noIn = noPrice >= s.bandMinE4 && noPrice <= s.bandMaxE4;
  if (yesTradable && yesIn) return BAND.YES;
  if (noTradable && noIn) return BAND.NO;
  if (!yesTradable && !noTradable) return BAND.NO_SIZE;
  // An in-band price on an empty side is a stale quote: say so rather than "out of band".
  if (!yesTradable && yesIn && yesPrice > 0) return BAND.YES_STALE;
  if (!noTradable && noIn && yesBidE4 > 0) return BAND.NO_STALE;
  return BAND.OUT;
}

/** The text of a rejection code (what /why shows). */
export function bandReason(code: number, yesBidE4: number, yesAskE4: number, yesBidSizeE2: number, yesAskSizeE2: number, s: BandSettings): string {
  const yesPrice = yesAskE4;
  const noPrice = CONTRACT_PAYOUT_E4 - yesBidE4;
  if (code === BAND.NO_SIZE) return 'no size at the top of the book on either side';
  if (code === BAND.YES_STALE) return `YES ask ${pct(yesPrice)} is in band but has no size`;
  if (code === BAND.NO_STALE) return `NO ask ${pct(noPrice)} is in band but has no size`;
  const yesTradable = yesAskSizeE2 > 0 && yesPrice > 0 && yesPrice < CONTRACT_PAYOUT_E4;
  const noTradable = yesBidSizeE2 > 0 && noPrice > 0 && noPrice < CONTRACT_PAYOUT_E4;
  const quoted = [yesTradable ? `YES ask ${pct(yesPrice)}` : 'YES ask empty', noTradable ? `NO ask ${pct(noPrice)}` : 'NO ask empty'];
  return `out of band ${pct(s.bandMinE4)}-${pct(s.bandMaxE4)}: ${quoted.join(', ')}`;
}

/**
 * Everything a rejection's text depends on besides the settings, as one number: under one cycle's settings, equal
 * keys mean equal texts (so a cycle formats each distinct text once).
 */
export function bandReasonKey(code: number, yesBidE4: number, yesAskE4: number, yesBidSizeE2: number, yesAskSizeE2: number): number {
  const yesPrice = yesAskE4;
  const noPrice = CONTRACT_PAYOUT_E4 - yesBidE4;
  // Whole-cent prices (nearly all) give keys below 2^17; others a key above it.
  const cents = yesPrice % 100 === 0 && noPrice % 100 === 0;
  const unit = cents ? 100 : 1;
  const span = cents ? 102 : CONTRACT_PAYOUT_E4 + 2;
  const base = cents ? 0 : 1 << 17;
  if (code === BAND.YES_STALE) return base + code + 8 * (yesPrice / unit + 1);
  if (code === BAND.NO_STALE) return base + code + 8 * (noPrice / unit + 1);
  if (code !== BAND.OUT) return code;
  const yesTradable = yesAskSizeE2 > 0 && yesPrice > 0 && yesPrice < CONTRACT_PAYOUT_E4;
  const noTradable = yesBidSizeE2 > 0 && noPrice > 0 && noPrice < CONTRACT_PAYOUT_E4;
  return base + code + 8 * ((yesTradable ? yesPrice / unit + 1 : 0) + span * (noTradable ? noPrice / unit + 1 : 0));
}

export function bandCheck(m: Market, s: BandSettings): BandResult {
  const code = bandCode(m.yesBidE4, m.yesAskE4, m.yesBidSizeE2, m.yesAskSizeE2, s);
  if (code === BAND.YES) return { ok: true, side: 'yes', priceE4: m.yesAskE4, sizeE2: m.yesAskSizeE2 };
  if (code === BAND.NO) return { ok: true, side: 'no', priceE4: CONTRACT_PAYOUT_E4 - m.yesBidE4, sizeE2: m.yesBidSizeE2 };
  return { ok: false, reason: bandReason(code, m.yesBidE4, m.yesAskE4, m.yesBidSizeE2, m.yesAskSizeE2, s) };
}
