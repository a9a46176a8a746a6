// The category cache keeps its answers from cycle to cycle (a cycle asks for thousands of events): a kept answer must
// never outlive what it was read from. Real sim, real HTTP, real keys: the fee rule around a scheduled change, an
// event read after its answer was kept, and a new series list.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { KalshiClient } from '../../src/kalshi/client.js';
import { CategoryCache } from '../../src/pipeline/categories.js';
import { type SimExchange, startSimExchange } from '../../src/sim/index.js';

const T0 = Date.parse('2026-12-01T15:00:00Z');
const HOUR = 3_600_000;
let sim: SimExchange | null = null;
let client: KalshiClient | null = null;

afterEach(async () => {
  client?.close();
  await sim?.close();
  sim = null;
  client = null;
});

async function exchange(clock: ManualClock): Promise<KalshiClient> {
  sim = await startSimExchange({ markets: 0, seed: 3, clock: () => clock.now(), rateLimit: false });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const keyId = randomUUID();
  sim.registerKey(keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  client = new KalshiClient({ baseUrl: sim.baseUrl, keyId, privateKey, clock: () => clock.now() });
  return client;
}

const future = { yesBidCents: 76, yesAskCents: 78, expectedExpirationMs: T0 + 48 * HOUR, closeMs: T0 + 72 * HOUR };

describe('the category cache', () => {
  it('keeps a fee rule only within the times it holds for, on either side of a scheduled change', async () => {
    const clock = new ManualClock(T0);
    const source = await exchange(clock);
    sim!.addMarket({ ticker: 'KXFEEW-26DEC03-A', ...future, feeMultiplierE4: 10_000 });
    const at = T0 + 2 * HOUR;
    sim!.scheduleFeeChange({ seriesTicker: 'KXFEEW', feeType: 'quadratic', feeMultiplierE4: 30_000, scheduledMs: at });
    const cache = new CategoryCache(source, clock);
    await cache.ensure([]);
    const horizon = 70_000;
    const fee = (now: number) => cache.feeOf('KXFEEW-26DEC03', now, horizon)?.multiplierE4;
    expect(fee(T0)).toBe(10_000);
    expect(fee(at - horizon - 1)).toBe(10_000);
    // An order placed from here may still rest when the change takes effect: the higher rule.
    expect(fee(at - horizon)).toBe(30_000);
    expect(fee(at - 1)).toBe(30_000);
    expect(fee(at)).toBe(30_000);
    // Asked for an earlier time again (a clock set back), the kept answer is not taken for it.
    expect(fee(T0)).toBe(10_000);
    // Another horizon is another answer (the shadow book asks with none).
    expect(cache.feeOf('KXFEEW-26DEC03', at - 1, 0)?.multiplierE4).toBe(10_000);
    expect(fee(at - 1)).toBe(30_000);
  });

  it('drops what it kept for an event once the event itself is read', async () => {
    const clock = new ManualClock(T0);
    const source = await exchange(clock);
    // An event whose ticker does not start with its series' ticker: only reading the event finds its series.
    sim!.addMarket({ ticker: 'ODDX-26DEC03-A', eventTicker: 'ODDX-26DEC03', seriesTicker: 'KXREAL', category: 'Sports', ...future });
    const cache = new CategoryCache(source, clock);
    await cache.ensure([]);
    expect(cache.categoryOf('ODDX-26DEC03')).toBeUndefined();
    expect(cache.feeOf('ODDX-26DEC03', T0)).toBeNull();
    await cache.ensure(['ODDX-26DEC03']);
    expect(cache.categoryOf('ODDX-26DEC03')).toBe('Sports');
    expect(cache.feeOf('ODDX-26DEC03', T0)).toEqual({ feeType: 'quadratic', multiplierE4: 10_000 });
  });

  it('drops everything it kept when a new series list is read', async () => {
    const clock = new ManualClock(T0);
    const source = await exchange(clock);
    sim!.addMarket({ ticker: 'KXMOVE-26DEC03-A', category: 'Economics', ...future, feeMultiplierE4: 10_000 });
    const cache = new CategoryCache(source, clock, { seriesTtlMs: HOUR });
    await cache.ensure([]);
    expect(cache.categoryOf('KXMOVE-26DEC03')).toBe('Economics');
    expect(cache.feeOf('KXMOVE-26DEC03', T0)?.multiplierE4).toBe(10_000);
    // The series moves category and fee; the cache sees it at its next read of the list.
    sim!.addMarket({ ticker: 'KXMOVE-26DEC03-B', category: 'Politics', ...future, feeMultiplierE4: 20_000 });
    await cache.ensure([]);
    expect(cache.categoryOf('KXMOVE-26DEC03')).toBe('Economics');
    clock.advance(HOUR + 1);
    await cache.ensure([]);
    expect(cache.categoryOf('KXMOVE-26DEC03')).toBe('Politics');
    expect(cache.feeOf('KXMOVE-26DEC03', clock.now())?.multiplierE4).toBe(20_000);
  });
});
