// The scan loop: cycles never overlap, late starts are counted as skipped, stop waits for the running cycle.
import { describe, expect, it } from 'vitest';
import { systemClock, sleep } from '../src/clock.js';
import { ScanLoop } from '../src/scheduler.js';

describe('ScanLoop', () => {
  it('never overlaps a slow cycle, counts the starts it missed, and stop waits for the cycle in flight', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let finished = 0;
    const loop = new ScanLoop(
      100,
      async () => {
        runs++;
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
    await sleep(1100);
    await loop.stop();
    expect(maxRunning).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(5);
    expect(finished).toBe(runs); // stop resolved only after the cycle in flight finished
    expect(loop.skipped).toBeGreaterThanOrEqual(2 * (runs - 1));
    expect(loop.nextCycleAt).toBeNull();
    const after = runs;
    await sleep(300);
    expect(runs).toBe(after); // nothing starts after stop
  });

  it('keeps the period when cycles are fast, and a failing cycle does not stop the loop', async () => {
    const starts: number[] = [];
    const errors: unknown[] = [];
    const loop = new ScanLoop(
      120,
      async () => {
        starts.push(performance.now());
        if (starts.length === 2) throw new Error('boom');
      },
      systemClock,
      (err) => errors.push(err),
    );
    loop.start();
    await sleep(650);
    await loop.stop();
    expect(errors).toHaveLength(1);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(loop.skipped).toBe(0);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(100);
  });
});
