// Per-identity token buckets like Kalshi's tiers. Real (monotonic) time, not the sim clock:
// limits are about how fast requests arrive, and the sim clock may be frozen or jump in tests.
import { performance } from 'node:perf_hooks';

export type Tier = 'basic' | 'advanced' | 'premier' | 'prime';

export const TIERS: Record<Tier, { read: number; write: number }> = {
  basic: { read: 200, write: 100 },
  advanced: { read: 300, write: 300 },
  premier: { read: 1000, write: 1000 },
  prime: { read: 4000, write: 4000 },
};

/** From account__endpoint_costs.json; everything else costs the default 10. */
const COSTS: Array<[method: string, pattern: RegExp, cost: number]> = [
  ['DELETE', /^\/trade-api\/v2\/portfolio\/events\/orders\/batched$/, 2],
  ['DELETE', /^\/trade-api\/v2\/portfolio\/events\/orders\/[^/]+$/, 2],
  ['POST', /^\/trade-api\/v2\/portfolio\/orders$/, 20],
  ['POST', /^\/trade-api\/v2\/portfolio\/orders\/batched$/, 20],
  ['DELETE', /^\/trade-api\/v2\/portfolio\/orders\/batched$/, 4],
  ['DELETE', /^\/trade-api\/v2\/portfolio\/orders\/[^/]+$/, 4],
  ['GET', /^\/trade-api\/v2\/portfolio\/orders\/[^/]+$/, 2],
  ['POST', /^\/trade-api\/v2\/portfolio\/orders\/[^/]+\/(amend|decrease)$/, 20],
  ['GET', /^\/trade-api\/v2\/margin\/balance$/, 5],
];
export const DEFAULT_COST = 10;

export function requestCost(method: string, path: string): number {
  for (const [m, re, cost] of COSTS) if (m === method && re.test(path)) return cost;
  return DEFAULT_COST;
}

/**
 * The shard whose own Write bucket a request bills: single writes (create, cancel) naming
 * exchange_index >= 1 (create: body; cancel: query). 0, omitted, -1 and batches bill the unscoped
 * bucket (0 here). Kalshi's rate_limits.md, 2026-08.
 */
export function writeShard(method: string, path: string, q: URLSearchParams, bodyText: string): number {
  let k: unknown;
  if (method === 'POST' && path === '/trade-api/v2/portfolio/events/orders') {
    try {
      k = (JSON.parse(bodyText) as { exchange_index?: unknown } | null)?.exchange_index;
    } catch {
      return 0;
    }
  } else if (method === 'DELETE' && /^\/trade-api\/v2\/portfolio\/events\/orders\/[^/]+$/.test(path) && !path.endsWith('/batched')) {
    const raw = q.get('exchange_index');
    k = raw !== null && /^\d{1,3}$/.test(raw) ? Number(raw) : 0;
  }
  return typeof k === 'number' && Number.isInteger(k) && k >= 1 && k <= 100 ? k : 0;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private tier: Tier | false,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Take `cost` tokens for `identity`; false (and nothing taken) when the bucket is short. `shard` >= 1: that shard's write bucket. */
  take(identity: string, method: string, cost: number, shard = 0): boolean {
    if (this.tier === false) return true;
    const write = method === 'POST' || method === 'PUT' || method === 'DELETE';
    const rate = TIERS[this.tier][write ? 'write' : 'read']; // capacity == refill per second
    const key = `${write ? (shard >= 1 ? `w${shard}` : 'w') : 'r'}:${identity}`;
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: rate, at: t };
    b.tokens = Math.min(rate, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens < cost) return false;
    b.tokens -= cost;
    return true;
  }
}
