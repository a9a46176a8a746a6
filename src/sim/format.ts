// Integer <-> Kalshi wire strings. The sim keeps prices in e4, counts in e2, money in e6: no floats.

/** An integer scaled by 10^scale -> "W.FFFF". */
export function fmtFixed(value: number, scale: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const unit = 10 ** scale;
  const whole = Math.floor(abs / unit);
  if (scale === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(abs % unit).padStart(scale, '0')}`;
}

export const fmtE4 = (v: number): string => fmtFixed(v, 4);
export const fmtE2 = (v: number): string => fmtFixed(v, 2);
export const fmtE6 = (v: number): string => fmtFixed(v, 6);

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A plain non-negative decimal string -> integer scaled by 10^scale; null when malformed or when
 * it carries non-zero digits beyond `scale` (those are not representable, so not on any grid).
 */
export function parseFixed(text: string, scale: number): number | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (/[1-9]/.test(frac.slice(scale))) return null;
  const v = Number(whole) * 10 ** scale + Number(frac.slice(0, scale).padEnd(scale, '0') || '0');
  return Number.isSafeInteger(v) ? v : null;
}

/** RFC 3339 with seconds only, as Kalshi sends close/expiration times: "2026-06-25T16:00:00Z". */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * RFC 3339 with microseconds and Go's trailing-zero trimming, as Kalshi sends created/updated
 * times: "2026-06-11T05:12:22.338653Z". `micros` (0-999) adds the sub-millisecond digits.
 */
export function isoMicros(ms: number, micros = 0): string {
  const base = new Date(ms).toISOString(); // ...T05:12:22.338Z
  const frac = (base.slice(20, 23) + String(micros % 1000).padStart(3, '0')).replace(/0+$/, '');
  return frac ? `${base.slice(0, 19)}.${frac}Z` : `${base.slice(0, 19)}Z`;
}
