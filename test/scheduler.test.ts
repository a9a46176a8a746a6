// The scan loop: cycles never overlap, late starts are counted as skipped, stop waits for the running cycle.
// Fake timers drive node-schedule (setTimeout + Date), so the test does not depend on the machine's speed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep, systemClock } from '../src/clock.js';
import { MIN_EARLY_GAP_MS, ScanLoop } from '../src/scheduler.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-25T15:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ScanLoop', () => {
  it('soon() runs the next cycle early (a stream gap), after the one running, never within 10 s of the last start', async () => {
    const starts: number[] = [];
    const t0 = Date.now();
    const loop = new ScanLoop(
      50_000,
      async () => {
        starts.push(Date.now() - t0);
        await sleep(1_000);
      },
      systemClock,
      (err) => {
        throw err;
      },
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(starts).toHaveLength(1);
    // Asked while the first runs: the next starts when the 10 s since its start are up, not at 50 s.
    loop.soon();
    await vi.advanceTimersByTimeAsync(MIN_EARLY_GAP_MS + 100);
    expect(starts).toHaveLength(2);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(MIN_EARLY_GAP_MS);
    expect(starts[1]! - starts[0]!).toBeLessThan(MIN_EARLY_GAP_MS + 100);
    // Asked when idle, 20 s on: at once. Asked again at once (a flapping stream): not before 10 s are up.
    await vi.advanceTimersByTimeAsync(10_000);
    loop.soon();
    await vi.advanceTimersByTimeAsync(100);
    expect(starts).toHaveLength(3);
    loop.soon();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(starts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(5_100);
    expect(starts).toHaveLength(4);
    // Without asking, the period holds again.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(starts).toHaveLength(4);
    await loop.stop();
  });

  it('never overlaps a slow cycle, counts the starts it missed, and stop waits for the cycle in flight', async () => {
    let running = 0;
    let maxRunning = 0;
    const starts: number[] = [];
    let finished = 0;
    const loop = new ScanLoop(
      100,
      async () => {
        starts.push(Date.now());
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(250); // 2.5 periods
        running--;
        finished++;
      },
      systemClock,
      (err) => {
        throw err;
      },
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(maxRunning).toBe(1);
    // Each 250 ms run misses two 100 ms starts; the next one starts right after it ends.
    expect(starts.length).toBe(4);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(250);
    expect(loop.skipped).toBe(2 * 3);
    const stopping = loop.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(10);
    expect(stopped).toBe(false); // a cycle is in flight: stop waits for it
    await vi.advanceTimersByTimeAsync(300);
    expect(stopped).toBe(true);
    expect(finished).toBe(starts.length);
    expect(loop.nextCycleAt).toBeNull();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(starts.length).toBe(finished); // nothing starts after stop
  });

  it('keeps the period when cycles are fast, and a failing cycle does not stop the loop', async () => {
    const starts: number[] = [];
    const errors: unknown[] = [];
    const loop = new ScanLoop(
      120,
      async () => {
        starts.push(Date.now());
        await sleep(10);
        if (starts.length === 2) throw new Error('boom');
      },
      systemClock,
      (err) => errors.push(err),
    );
    loop.start();
    await vi.advanceTimersByTimeAsync(600);
    await loop.stop();
    expect(errors).toHaveLength(1);
    expect(starts.length).toBe(5); // 0, 120, 240, 360, 480 (+ the first start's 20 ms scheduling lead)
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(120);
    expect(loop.skipped).toBe(0);
  });
});
