import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { bucketClass, endpointCost, RateLimiter, TIER_LIMITS, TokenBucket, KALSHI_TIERS } from '../../src/kalshi/ratelimit.js';

describe('endpoint costs', () => {
  it.each([
    ['GET', '/trade-api/v2/markets?limit=1000', 10],
    ['GET', '/markets', 10],
    ['POST', '/trade-api/v2/portfolio/events/orders', 10],
    ['DELETE', '/trade-api/v2/portfolio/events/orders/abc-123', 2],
    ['DELETE', '/trade-api/v2/portfolio/events/orders/batched', 2],
    ['GET', '/trade-api/v2/portfolio/orders/abc', 2],
    ['GET', '/trade-api/v2/portfolio/orders', 10],
    ['POST', '/trade-api/v2/portfolio/orders', 20],
    ['DELETE', '/trade-api/v2/portfolio/orders/batched', 4],
    ['GET', '/trade-api/v2/cfbenchmarks/a/b', 150],
    ['get', '/trade-api/v2/margin/balance', 5],
  ])('%s %s costs %i', (method, path, cost) => {
    expect(endpointCost(method, path)).toBe(cost);
  });

  it('GET reads, everything else writes', () => {
    expect(bucketClass('GET')).toBe('read');
    expect(['POST', 'PUT', 'DELETE'].map(bucketClass)).toEqual(['write', 'write', 'write']);
  });

  it('tier table', () => {
    expect(TIER_LIMITS.basic).toEqual({ read: { capacity: 200, refillPerSec: 200 }, write: { capacity: 100, refillPerSec: 100 } });
    expect(TIER_LIMITS.advanced.write.refillPerSec).toBe(300);
    expect(TIER_LIMITS.premier.read.capacity).toBe(1000);
    expect(TIER_LIMITS.prime.write.capacity).toBe(4000);
  });
});

describe('TokenBucket', () => {
  it('serves the burst at once, then paces at the refill rate', async () => {
    const b = new TokenBucket({ capacity: 20, refillPerSec: 200 });
    const t0 = performance.now();
    const done: number[] = [];
    await Promise.all(Array.from({ length: 6 }, (_, i) => b.take(10).then(() => done.push(i))));
    const elapsed = performance.now() - t0;
    expect(done).toEqual([0, 1, 2, 3, 4, 5]); // FIFO
    expect(elapsed).toBeGreaterThanOrEqual(180); // 4 * 10 tokens at 200/s = 200 ms
    expect(elapsed).toBeLessThan(2000); // generous: only a bucket that waits far too long fails
  });

  it('a large request at the head is not overtaken by small ones (fair FIFO)', async () => {
    const b = new TokenBucket({ capacity: 10, refillPerSec: 100 });
    await b.take(10);
    const order: string[] = [];
    const big = b.take(10).then(() => order.push('big'));
    const small = b.take(1).then(() => order.push('small'));
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
  });

  it('more than the capacity is clamped, not a deadlock', async () => {
    const b = new TokenBucket({ capacity: 5, refillPerSec: 1000 });
    await expect(b.take(50)).resolves.toBeUndefined();
  });

  it('refills with an injected clock, never above capacity', () => {
    let now = 0;
    const b = new TokenBucket({ capacity: 100, refillPerSec: 100 }, () => now);
    void b.take(100);
    expect(b.available()).toBe(0);
    now = 500;
    expect(b.available()).toBe(50);
    now = 10_000;
    expect(b.available()).toBe(100);
  });

  it('keeps headroom inside the exchange bucket by default (jitter bunches arrivals)', () => {
    const l = new RateLimiter('basic', () => 0);
    expect(l.read.available()).toBe(180);
    expect(l.write.available()).toBe(90);
  });

  it('RateLimiter routes by method into separate buckets', async () => {
    const l = new RateLimiter('basic', undefined, { capacity: 1, rate: 1 });
    await l.take('GET', '/trade-api/v2/markets');
    await l.take('DELETE', '/trade-api/v2/portfolio/events/orders/x');
    expect(l.read.available()).toBeLessThanOrEqual(191);
    expect(l.write.available()).toBeLessThanOrEqual(99);
    expect(l.write.available()).toBeGreaterThanOrEqual(98);
  });
});

describe('tiers', () => {
  it('KALSHI_TIER accepts every tier Kalshi names; unknown budgets fall back to Basic until the account says', () => {
    for (const tier of KALSHI_TIERS) {
      expect(loadConfig({ KALSHI_TIER: tier }).KALSHI_TIER).toBe(tier);
      expect(TIER_LIMITS[tier].read.refillPerSec).toBeGreaterThanOrEqual(200);
    }
    expect(TIER_LIMITS.paragon).toEqual({ read: { capacity: 2000, refillPerSec: 2000 }, write: { capacity: 2000, refillPerSec: 2000 } });
    expect(TIER_LIMITS.prestige).toEqual(TIER_LIMITS.basic);
    expect(() => loadConfig({ KALSHI_TIER: 'platinum' })).toThrow(/KALSHI_TIER must be one of basic, advanced, premier, paragon, prime, expert, prestige/);
  });
});
