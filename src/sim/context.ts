// What a route handler gets: the exchange, the request's query/params/body and the sim time.
import type { Exchange } from './exchange.js';
import type { FaultQueue } from './faults.js';
import type { SimResponse } from './errors.js';
import type { Tier } from './ratelimit.js';

export interface Ctx {
  ex: Exchange;
  faults: FaultQueue;
  tier: Tier | false;
  t: number;
  q: URLSearchParams;
  params: string[];
  /** raw request body text ('' when none) */
  bodyText: string;
}

export type Handler = (c: Ctx) => SimResponse;

/** Parse `limit` like the Go API: absent/0 = default; over max or negative = a 400 'msg' body. */
export function parseLimit(
  q: URLSearchParams,
  def: number,
  max: number,
  onError: (tag: 'lte' | 'gte' | 'format') => SimResponse,
): number | SimResponse {
  const raw = q.get('limit');
  if (raw === null || raw === '') return def;
  if (!/^-?\d+$/.test(raw)) return onError('format');
  const n = Number(raw);
  if (n === 0) return def;
  if (n > max) return onError('lte');
  if (n < 0) return onError('gte');
  return n;
}

export const isResponse = (v: unknown): v is SimResponse =>
  typeof v === 'object' && v !== null && 'status' in v && 'body' in v;

/** Unix seconds query param; undefined when absent, null when malformed. */
export function parseTs(q: URLSearchParams, name: string): number | undefined | null {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  return /^\d{1,12}$/.test(raw) ? Number(raw) : null;
}
