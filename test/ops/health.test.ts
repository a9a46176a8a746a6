// The health signal: /healthz answers 200 only while the last good cycle is fresh, the file says the same to a
// reader with its own clock, and startHealthFor counts only cycles that completed without an error.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { type HealthHandle, healthMaxAgeMs, probeHealth, readHealthFile, startHealth, startHealthFor } from '../../src/ops/health.js';

const T0 = Date.parse('2026-11-25T15:00:00Z');
let handle: HealthHandle | null = null;
let dir: string | undefined;
afterEach(async () => {
  await handle?.close();
  handle = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const get = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('startHealth', () => {
  it('answers 503 before any cycle, 200 while fresh, 503 once stale', async () => {
    const clock = new ManualClock(T0);
    let last: number | null = null;
    handle = await startHealth({ port: 0, host: '127.0.0.1', lastCycleAt: () => last, maxAgeMs: 60_000, clock });
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/healthz$/);

    expect(await get(handle.url!)).toEqual({ status: 503, body: { ok: false, lastCycleAgeMs: null, lastCycleAt: null, maxAgeMs: 60_000 } });
    last = T0;
    clock.advance(59_000);
    expect(await get(handle.url!)).toEqual({ status: 200, body: { ok: true, lastCycleAgeMs: 59_000, lastCycleAt: '2026-11-25T15:00:00.000Z', maxAgeMs: 60_000 } });
    clock.advance(2_000);
    const stale = await get(handle.url!);
    expect(stale.status).toBe(503);
    expect(stale.body).toMatchObject({ ok: false, lastCycleAgeMs: 61_000 });

    expect((await fetch(handle.url!.replace('/healthz', '/'))).status).toBe(404);
    expect((await fetch(handle.url!, { method: 'POST' })).status).toBe(404);
  });

  it('writes the file at start, after a cycle, and removes it on close; a reader judges its age by its own clock', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-health-'));
    const file = join(dir, 'health.json');
    writeFileSync(file, JSON.stringify({ lastCycleAt: T0, maxAgeMs: 60_000, pid: 1, writtenAt: T0 })); // an earlier run's
    const clock = new ManualClock(T0 + 1_000);
    let last: number | null = null;
    const listeners = new Set<() => void>();
    handle = await startHealth({
      file,
      lastCycleAt: () => last,
      maxAgeMs: 60_000,
      clock,
      onCycle: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      fileEveryMs: 60_000,
    });
    expect(handle.url).toBeUndefined();
    // The earlier run's time no longer speaks for this one.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ lastCycleAt: null, maxAgeMs: 60_000, pid: process.pid });
    expect(readHealthFile(file, clock.now())).toMatchObject({ ok: false, lastCycleAgeMs: null });

    last = T0 + 5_000;
    for (const l of listeners) l();
    expect(readHealthFile(file, T0 + 30_000)).toEqual({ ok: true, lastCycleAgeMs: 25_000, lastCycleAt: new Date(T0 + 5_000).toISOString(), maxAgeMs: 60_000 });
    // A writer that died leaves a file that ages out: the reader's clock decides.
    expect(readHealthFile(file, T0 + 70_000).ok).toBe(false);
    expect(readHealthFile(file, T0 + 30_000, 10_000).ok).toBe(false);

    await handle.close();
    handle = null;
    expect(existsSync(file)).toBe(false);
    expect(readHealthFile(file, T0)).toMatchObject({ ok: false, reason: expect.stringMatching(/no health file/) });
  });
});

describe('startHealthFor and probeHealth', () => {
  it('is off without HEALTH_PORT and HEALTH_FILE', async () => {
    const app = { config: loadConfig({}), clock: new ManualClock(T0), onCycle: () => () => undefined };
    expect(await startHealthFor(app)).toBeNull();
    expect(await probeHealth(app.config, T0)).toEqual({ ok: false, line: expect.stringMatching(/health signal is off/) });
  });

  it('counts cycles without an error only, and the probe reads the port or the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-health-'));
    const clock = new ManualClock(T0);
    const listeners = new Set<(s: { error?: string }) => void>();
    const cycle = (s: { error?: string }) => {
      for (const l of listeners) l(s);
    };
    const config = loadConfig({ HEALTH_PORT: '1', HEALTH_FILE: join(dir, 'h.json'), CYCLE_SECONDS: '50' });
    expect(healthMaxAgeMs(config)).toBe(180_000); // 3 cycles, at least 3 minutes
    expect(healthMaxAgeMs(loadConfig({ CYCLE_SECONDS: '120' }))).toBe(360_000);
    expect(healthMaxAgeMs(loadConfig({ HEALTH_MAX_AGE_SECONDS: '90' }))).toBe(90_000);

    const app = {
      config: { ...config, HEALTH_PORT: 0 },
      clock,
      onCycle: (l: (s: { error?: string }) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    handle = await startHealthFor(app);
    const port = Number(new URL(handle!.url!).port);
    const probeConfig = { ...config, HEALTH_PORT: port, HEALTH_FILE: undefined };

    cycle({ error: 'hydrate failed' });
    expect((await get(handle!.url!)).status).toBe(503);
    expect((await probeHealth(probeConfig, clock.now())).ok).toBe(false);
    cycle({});
    clock.advance(10_000);
    expect(await get(handle!.url!)).toMatchObject({ status: 200, body: { ok: true, lastCycleAgeMs: 10_000 } });
    expect(await probeHealth(probeConfig, clock.now())).toEqual({ ok: true, line: 'healthy: last good cycle 10 s ago (limit 180 s)' });
    expect(await probeHealth(config, clock.now())).toEqual({ ok: true, line: 'healthy: last good cycle 10 s ago (limit 180 s)' });
    // An error cycle later does not refresh it.
    clock.advance(175_000);
    cycle({ error: 'again' });
    expect((await get(handle!.url!)).status).toBe(503);
    expect((await probeHealth(config, clock.now())).line).toBe('unhealthy: last good cycle 185 s ago (limit 180 s)');

    await handle!.close();
    handle = null;
    expect(listeners.size).toBe(0);
    expect((await probeHealth(probeConfig, clock.now())).line).toMatch(/^unhealthy: http:\/\/127\.0\.0\.1:\d+\/healthz did not answer/);
  });

  it('names the variable when the signal cannot start', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kalshi-health-'));
    const app = (over: Record<string, string>) => ({ config: loadConfig(over), clock: new ManualClock(T0), onCycle: () => () => undefined });
    await expect(startHealthFor(app({ HEALTH_FILE: join(dir, 'no', 'such', 'dir', 'h.json') }))).rejects.toThrow(/^HEALTH_FILE .*h\.json cannot be written: ENOENT$/);
    handle = await startHealth({ port: 0, lastCycleAt: () => null, maxAgeMs: 60_000, clock: new ManualClock(T0) });
    const port = new URL(handle.url!).port;
    await expect(startHealthFor(app({ HEALTH_PORT: port }))).rejects.toThrow(`HEALTH_PORT ${port} on HEALTH_HOST 127.0.0.1 cannot be listened on: EADDRINUSE`);
  });

  it('names a bad health setting', () => {
    expect(() => loadConfig({ HEALTH_PORT: 'http' })).toThrow(/HEALTH_PORT must be a whole number from 1 to 65535/);
    expect(() => loadConfig({ HEALTH_HOST: 'not a host' })).toThrow(/HEALTH_HOST must be an IP address or a host name/);
    expect(() => loadConfig({ HEALTH_MAX_AGE_SECONDS: '30', CYCLE_SECONDS: '60' })).toThrow(/HEALTH_MAX_AGE_SECONDS must be at least CYCLE_SECONDS \(60\)/);
  });
});
