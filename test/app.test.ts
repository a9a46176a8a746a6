// The app paces requests by the account's real rate limits, whatever KALSHI_TIER says.
import { afterEach, describe, expect, it } from 'vitest';
import { type World, world } from './helpers/app.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('account rate limits', () => {
  it('adopts the tier the exchange reports and warns when KALSHI_TIER disagrees', async () => {
    w = await world({ rateLimit: 'advanced' });
    const lines: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => void lines.push(m), error: (m: string) => void lines.push(m) };
    const app = await w.start({ KALSHI_TIER: 'basic' }, { log });
    expect(app.client.http.limiter.read.limits.capacity).toBe(180); // basic, with 10% headroom
    await app.adoptAccountLimits();
    expect(app.client.http.limiter.read.limits).toEqual({ capacity: 270, refillPerSec: 285 }); // advanced 300/300
    expect(app.client.http.limiter.write.limits.capacity).toBe(270);
    expect(lines.join('\n')).toMatch(/KALSHI_TIER is basic but the account is advanced/);
  });
});
