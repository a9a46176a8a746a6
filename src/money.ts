// Exact fixed-point arithmetic for Kalshi's decimal strings. No floats touch money.
//
// Units used across the app:
// - PriceE4 / MoneyE4: integer ten-thousandths of a dollar ("0.7500" -> 7500, "$50" -> 500000).
// - CountE2: integer hundredths of a contract ("10.00" -> 1000); Kalshi counts carry 2 decimals.

export const E4_PER_DOLLAR = 10_000;
export const E2_PER_CONTRACT = 100;
/** A binary contract pays $1 (10000 e4) to the winning side. */
export const CONTRACT_PAYOUT_E4 = 10_000;

const DECIMAL = /^(-)?(\d+)(?:\.(\d*))?$/;

/**
 * Parse a decimal string into an integer scaled by 10^scale, rounding extra digits
 * in the given direction. Returns null for anything that is not a plain decimal.
 */
export function parseScaled(text: string, scale: number, round: 'exact' | 'down' | 'up' = 'down'): number | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  const [, minus, whole = '0', frac = ''] = m;
  const kept = frac.slice(0, scale).padEnd(scale, '0');
  const dropped = frac.slice(scale);
  const hasRemainder = /[1-9]/.test(dropped);
  if (hasRemainder && round === 'exact') return null;
  let value = Number(whole) * 10 ** scale + Number(kept || '0');
  if (!Number.isSafeInteger(value)) return null;
  // Round the magnitude, then apply the sign: "up" means toward +infinity.
  if (hasRemainder) {
    if (!minus && round === 'up') value += 1;
    if (minus && round === 'down') value += 1;
  }
  return minus && value !== 0 ? -value : value;
}

/** "0.7500" -> 7500. Responses may carry 6 decimals; extra digits are rounded toward zero-cost safety by the caller's choice. */
export function parseDollarsE4(text: string, round: 'exact' | 'down' | 'up' = 'down'): number | null {
  return parseScaled(text, 4, round);
}

/** "10.00" -> 1000 */
export function parseCountE2(text: string): number | null {
  return parseScaled(text, 2, 'down');
}

function formatScaled(value: number, scale: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an exact integer: ${value}`);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const unit = 10 ** scale;
  const whole = Math.floor(abs / unit);
  const frac = String(abs % unit).padStart(scale, '0');
  return `${sign}${whole}.${frac}`;
}

/** 7100 -> "0.7100" (the wire form of an order price). */
export function formatPriceE4(priceE4: number): string {
  return formatScaled(priceE4, 4);
}

/** 1000 -> "10.00" (the wire form of a count). */
export function formatCountE2(countE2: number): string {
  return formatScaled(countE2, 2);
}

/** 123456 -> "$12.35" for people; rounds half up to the cent, for display only. */
export function formatUsd(moneyE4: number): string {
  const cents = Math.round(moneyE4 / 100);
  const s = formatScaled(Math.abs(cents), 2);
  return `${moneyE4 < 0 && cents !== 0 ? '-' : ''}$${s}`;
}

/** 48221 -> "$4.8221", 48200 -> "$4.82": exact, for amounts compared with each other (free vs needed). */
export function formatUsdExact(moneyE4: number): string {
  if (moneyE4 % 100 === 0) return formatUsd(moneyE4);
  return `${moneyE4 < 0 ? '-' : ''}$${formatScaled(Math.abs(moneyE4), 4)}`;
}

/** 123456 -> 12.3456: the JSON summary's dollars. Exact for any e4 integer in range. */
export function e4ToDollarsNumber(moneyE4: number): number {
  return Number(formatScaled(moneyE4, 4));
}

/** Dollars typed by a person ("50", "12.5", "$7.25") -> e4; null if not a plain amount with at most 4 decimals. */
export function parseUserDollarsE4(text: string): number | null {
  const t = text.trim().replace(/^\$/, '');
  if (!/^\d+(\.\d{1,4})?$/.test(t)) return null;
  return parseScaled(t, 4, 'exact');
}

/**
 * Kalshi's trade fee for one fill, rounded up to $0.0001 (docs: getting_started/fee_rounding).
 * quadratic: fee = multiplier * rate * C * P * (1 - P); rate is 0.07 (taker) or 0.0175 (maker).
 * flat: the formula is not published; it is bounded here by multiplier * rate * C (P * (1 - P) <= 0.25,
 * so this is at least four times any quadratic fee): a worst case may over-count, never under-count.
 * BigInt because C*P*(1-P)*multiplier overflows 2^53 for large orders.
 */
export function feeE4(opts: { countE2: number; priceE4: number; multiplierE4?: number; maker?: boolean; flat?: boolean }): number {
  const multiplierE4 = BigInt(opts.multiplierE4 ?? E4_PER_DOLLAR);
  const rateE4 = opts.maker ? 175n : 700n; // 0.0175 and 0.07
  const c = BigInt(opts.countE2);
  const p = BigInt(opts.priceE4);
  const q = BigInt(CONTRACT_PAYOUT_E4 - opts.priceE4);
  // dollars = (m/1e4) * (rate/1e4) * (c/1e2) * (p/1e4) * (q/1e4); in e4 multiply by 1e4.
  const numerator = opts.flat ? multiplierE4 * rateE4 * c * 10n ** 8n : multiplierE4 * rateE4 * c * p * q;
  const denominator = 10n ** 14n; // (1e4*1e4*1e2*1e4*1e4) / 1e4
  return Number((numerator + denominator - 1n) / denominator);
}

/**
 * The most fees an order of `countE2` at a limit of `priceE4` can be charged, however it is split into fills
 * (docs: getting_started/fee_rounding). Each fill's trade fee is rounded up to $0.0001, so at most one extra
 * $0.0001 per fill, and a fill is at least 0.01 contract: at most countE2 extra. Rounding fees restore the
 * balance's cent precision, and their overpayment is rebated per order in whole cents once it exceeds $0.01:
 * at most $0.01 more for the order. (Fills at better prices cost less in total: price + fee rises with price.)
 */
export function orderFeeBoundE4(schedule: FeeSchedule, countE2: number, priceE4: number, maker = false): number {
  if (countE2 <= 0) return 0;
  return scheduleFeeE4(schedule, countE2, priceE4, maker) + countE2 + ROUNDING_ALLOWANCE_E4;
}

/** What rounding fees can leave charged on one order after rebates: one cent. */
export const ROUNDING_ALLOWANCE_E4 = 100;

/** How a series (or an event's override) charges: Kalshi's fee_type and fee_multiplier (e4). */
export interface FeeSchedule {
  feeType: string;
  multiplierE4: number;
}

export const DEFAULT_FEE: FeeSchedule = { feeType: 'quadratic', multiplierE4: E4_PER_DOLLAR };

/** The trade fee of one fill of `countE2` at `priceE4` under a schedule (taker, or maker where the type charges makers). */
export function scheduleFeeE4(schedule: FeeSchedule, countE2: number, priceE4: number, maker = false): number {
  if (maker && schedule.feeType !== 'quadratic_with_maker_fees' && schedule.feeType !== 'flat') return 0;
  return feeE4({ countE2, priceE4, multiplierE4: schedule.multiplierE4, maker, flat: schedule.feeType === 'flat' });
}

/** Cost of count contracts at a price, rounded up: count e2 * price e4 / 100. */
export function costE4(countE2: number, priceE4: number): number {
  return Math.ceil((countE2 * priceE4) / E2_PER_CONTRACT);
}
