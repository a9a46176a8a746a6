// The scan loop: cycles never overlap, late starts are counted as skipped, stop waits for the running cycle.
// Fake timers drive node-schedule (setTimeout + Date), so the test does not depend on the machine's speed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sleep, systemClock } from '../src/clock.js';
import { ScanLoop } from '../src/scheduler.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-25T15:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ScanLoop', () => {
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
