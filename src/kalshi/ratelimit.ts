// Client-side token buckets mirroring Kalshi's (one for reads, one for writes), so a full scan
// paces itself under the limit instead of collecting 429s.

/** Every tier Kalshi names. Only the fallback: the account's own buckets (GET /account/limits) decide. */
export const KALSHI_TIERS = ['basic', 'advanced', 'premier', 'paragon', 'prime', 'expert', 'prestige'] as const;
export type KalshiTier = (typeof KALSHI_TIERS)[number];

export interface BucketLimits {
  capacity: number;
  refillPerSec: number;
}

export interface TierLimits {
  read: BucketLimits;
  write: BucketLimits;
}

export const TIER_LIMITS: Record<KalshiTier, TierLimits> = {
  basic: { read: { capacity: 200, refillPerSec: 200 }, write: { capacity: 100, refillPerSec: 100 } },
  advanced: { read: { capacity: 300, refillPerSec: 300 }, write: { capacity: 300, refillPerSec: 300 } },
  premier: { read: { capacity: 1000, refillPerSec: 1000 }, write: { capacity: 1000, refillPerSec: 1000 } },
  paragon: { read: { capacity: 2000, refillPerSec: 2000 }, write: { capacity: 2000, refillPerSec: 2000 } },
  prime: { read: { capacity: 4000, refillPerSec: 4000 }, write: { capacity: 4000, refillPerSec: 4000 } },
  // Named by Kalshi without published budgets: paced as Basic until the account's real limits are read.
  expert: { read: { capacity: 200, refillPerSec: 200 }, write: { capacity: 100, refillPerSec: 100 } },
  prestige: { read: { capacity: 200, refillPerSec: 200 }, write: { capacity: 100, refillPerSec: 100 } },
};

export const DEFAULT_COST = 10;

/** Token costs other than the default, from GET /account/endpoint_costs (paths relative to /trade-api/v2). */
export const ENDPOINT_COSTS: ReadonlyArray<{ method: string; path: string; cost: number }> = [
  { method: 'POST', path: '/account/api_usage_level/upgrade', cost: 30 },
  { method: 'GET', path: '/cfbenchmarks', cost: 150 },
  { method: 'GET', path: '/cfbenchmarks/*endpoint', cost: 150 },
  { method: 'POST', path: '/communications/quotes', cost: 2 },
  { method: 'DELETE', path: '/communications/quotes/:quote_id', cost: 2 },
  { method: 'GET', path: '/margin/balance', cost: 5 },
  { method: 'PUT', path: '/multivariate_event_collections/:collection_ticker/lookup', cost: 2 },
  { method: 'DELETE', path: '/portfolio/events/orders/:order_id', cost: 2 },
  { method: 'DELETE', path: '/portfolio/events/orders/batched', cost: 2 },
  { method: 'POST', path: '/portfolio/orders', cost: 20 },
  { method: 'DELETE', path: '/portfolio/orders/:order_id', cost: 4 },
  { method: 'GET', path: '/portfolio/orders/:order_id', cost: 2 },
  { method: 'POST', path: '/portfolio/orders/:order_id/amend', cost: 20 },
  { method: 'POST', path: '/portfolio/orders/:order_id/decrease', cost: 20 },
  { method: 'DELETE', path: '/portfolio/orders/batched', cost: 4 },
  { method: 'POST', path: '/portfolio/orders/batched', cost: 20 },
];

interface CompiledCost {
  method: string;
  re: RegExp;
  literal: boolean;
  cost: number;
}

/** Accepts the table as GET /account/endpoint_costs returns it, or relative to /trade-api/v2. */
export function compileCosts(table: ReadonlyArray<{ method: string; path: string; cost: number }>): CompiledCost[] {
  const compiled = table.map((e) => {
    const path = apiPath(e.path); // the wire table carries /trade-api/v2; ours does not
    const literal = !/[:*]/.test(path);
    const src = path
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.startsWith('*') ? '.+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return { method: e.method.toUpperCase(), re: new RegExp(`^${src}/?$`), literal, cost: e.cost };
  });
  // A literal path (".../orders/batched") beats a pattern (".../orders/:order_id").
  return compiled.sort((a, b) => Number(b.literal) - Number(a.literal));
}

const COMPILED_DEFAULT = compileCosts(ENDPOINT_COSTS);

/** Strip the base path and query: "/trade-api/v2/portfolio/orders/x?y" -> "/portfolio/orders/x". */
function apiPath(path: string): string {
  const noQuery = path.split('?', 1)[0] ?? '';
  const stripped = noQuery.replace(/^\/trade-api\/v2(?=\/|$)/, '');
  return stripped.startsWith('/') ? stripped : `/${stripped}`;
}

export function endpointCost(method: string, path: string, table: CompiledCost[] = COMPILED_DEFAULT, defaultCost = DEFAULT_COST): number {
  const m = method.toUpperCase();
  const p = apiPath(path);
  for (const e of table) if (e.method === m && e.re.test(p)) return e.cost;
  return defaultCost;
}

/** Reads are GETs; everything else spends the write budget. */
export function bucketClass(method: string): 'read' | 'write' {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? 'read' : 'write';
}

/** A token bucket with a fair FIFO queue: a big request at the head is never starved by small ones. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: Array<{ need: number; resolve: () => void }> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private limitsNow: BucketLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limitsNow.capacity > 0 && limitsNow.refillPerSec > 0)) throw new RangeError('bucket capacity and refill must be positive');
    this.tokens = limitsNow.capacity;
    this.last = this.now();
  }

  get limits(): BucketLimits {
    return this.limitsNow;
  }

  /** Adopt new limits (e.g. the account's real tier); tokens on hand are kept, up to the new capacity. */
  setLimits(limits: BucketLimits): void {
    if (!(limits.capacity > 0 && limits.refillPerSec > 0)) throw new RangeError('bucket capacity and refill must be positive');
    this.refill();
    this.limitsNow = limits;
    this.tokens = Math.min(this.tokens, limits.capacity);
  }

  /** Resolves once `tokens` are taken. More than the capacity is clamped to the capacity (else it would wait forever). */
  take(tokens: number): Promise<void> {
    const need = Math.min(Math.max(tokens, 0), this.limits.capacity);
    if (this.queue.length === 0) {
      this.refill();
      if (this.tokens >= need) {
        this.tokens -= need;
        return Promise.resolve();
      }
    }
    return new Promise<void>((resolve) => {
      this.queue.push({ need, resolve });
      this.schedule();
    });
  }

  /** Tokens available now (for tests and stats). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Requests waiting for tokens. */
  waiting(): number {
    return this.queue.length;
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.last) / 1000;
    this.last = t;
    this.tokens = Math.min(this.limits.capacity, this.tokens + elapsed * this.limits.refillPerSec);
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const head = this.queue[0];
    if (!head) return;
    const waitMs = Math.max(1, Math.ceil(((head.need - this.tokens) / this.limits.refillPerSec) * 1000));
    this.timer = setTimeout(() => this.pump(), waitMs);
  }

  private pump(): void {
    this.timer = null;
    this.refill();
    for (let head = this.queue[0]; head && this.tokens >= head.need; head = this.queue[0]) {
      this.tokens -= head.need;
      this.queue.shift();
      head.resolve();
    }
    this.schedule();
  }
}

/**
 * Stay a little inside the exchange's bucket: requests issued evenly can arrive bunched (network jitter),
 * and the exchange counts arrivals. 10% of the burst and 5% of the rate are the margin.
 */
export const HEADROOM = { capacity: 0.9, rate: 0.95 };

function withHeadroom(b: BucketLimits, h: { capacity: number; rate: number }): BucketLimits {
  return { capacity: Math.floor(b.capacity * h.capacity), refillPerSec: b.refillPerSec * h.rate };
}

/**
 * Read and write buckets plus the endpoint cost table. Share one per API key. Single writes routed to a
 * shard >= 1 bill that shard's own write bucket; shard 0, omitted, -1 and batches bill the unscoped one.
 */
export class RateLimiter {
  readonly read: TokenBucket;
  readonly write: TokenBucket;
  private writeLimits: BucketLimits;
  private readonly shardWrites = new Map<number, TokenBucket>();
  private costs = { table: COMPILED_DEFAULT, defaultCost: DEFAULT_COST };

  constructor(
    limits: TierLimits | KalshiTier = 'basic',
    private readonly now?: () => number,
    private readonly headroom = HEADROOM,
  ) {
    const l = typeof limits === 'string' ? TIER_LIMITS[limits] : limits;
    this.read = new TokenBucket(withHeadroom(l.read, headroom), now);
    this.writeLimits = withHeadroom(l.write, headroom);
    this.write = new TokenBucket(this.writeLimits, now);
  }

  /** Adopt the account's real buckets (GET /account/limits), keeping the headroom. */
  adopt(limits: TierLimits): void {
    this.read.setLimits(withHeadroom(limits.read, this.headroom));
    this.writeLimits = withHeadroom(limits.write, this.headroom);
    this.write.setLimits(this.writeLimits);
    for (const b of this.shardWrites.values()) b.setLimits(this.writeLimits);
  }

  /** Adopt the exchange's own cost table (GET /account/endpoint_costs); the built-in table stays the fallback. */
  adoptCosts(c: { defaultCost: number; costs: ReadonlyArray<{ method: string; path: string; cost: number }> }): void {
    this.costs = { table: compileCosts(c.costs), defaultCost: c.defaultCost };
  }

  costOf(method: string, path: string): number {
    return endpointCost(method, path, this.costs.table, this.costs.defaultCost);
  }

  /** Wait until the request's tokens are available in its bucket. `shard`: the explicit shard of a single write. */
  take(method: string, path: string, shard?: number): Promise<void> {
    return this.bucketFor(method, shard).take(this.costOf(method, path));
  }

  private bucketFor(method: string, shard: number | undefined): TokenBucket {
    if (bucketClass(method) === 'read') return this.read;
    if (shard === undefined || shard < 1) return this.write;
    let b = this.shardWrites.get(shard);
    if (!b) this.shardWrites.set(shard, (b = new TokenBucket(this.writeLimits, this.now)));
    return b;
  }
}
