// The app paces requests by the account's real rate limits, whatever KALSHI_TIER says.
import { afterEach, describe, expect, it } from 'vitest';
import { type World, world } from './support/app.js';
import { captureLog } from './support/log.js';

let w: World;
afterEach(async () => {
  await w?.close();
});

describe('account rate limits', () => {
  it('adopts the tier the exchange reports and warns when KALSHI_TIER disagrees', async () => {
    w = await world({ rateLimit: 'advanced' });
    const { log, lines } = await captureLog();
    const app = await w.start({ KALSHI_TIER: 'basic' }, { log });
    expect(app.client.http.limiter.read.limits.capacity).toBe(180); // basic, with 10% headroom
    await app.adoptAccountLimits();
    expect(app.client.http.limiter.read.limits).toEqual({ capacity: 270, refillPerSec: 285 }); // advanced 300/300
    expect(app.client.http.limiter.write.limits.capacity).toBe(270);
    expect(lines.join('\n')).toMatch(/KALSHI_TIER is basic but the account is advanced/);
  });
});

describe('App.stop', () => {
  it('runs the whole shutdown in order and is bounded: a transport that never stops cannot keep the journal open', async () => {
    w = await world();
    const app = await w.start({}, { stopTimeoutMs: 300 });
    const order: string[] = [];
    app.useTransport({
      stop: () => {
        order.push(`transport (loop stopped: ${app.loop.nextCycleAt === null})`);
        return new Promise<void>(() => undefined); // hangs forever
      },
    });
    await app.start();
    const t0 = Date.now();
    await app.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(order).toEqual(['transport (loop stopped: true)']);
    expect(app.journal.db.open).toBe(false);
    // A second stop is the same stop.
    await app.stop();
  });
});
