// A short soak through the real command: random faults, kills and restarts on a compressed clock, then the
// exchange's own records audited against the journal.
import { describe, expect, it } from 'vitest';
import { runSoak } from '../src/soak.js';

describe('soak', () => {
  it('faults, kills and day turns leave no duplicate order, no cap breach, no lost alert, an intact journal', async () => {
    const lines: string[] = [];
    const s = await runSoak({ cycles: 24, seed: 11, markets: 1500, onProgress: (l) => lines.push(l) });
    expect(s.cycles).toBe(24);
    expect(s.kills).toBeGreaterThan(0);
    expect(Object.values(s.faults).reduce((a, b) => a + (b ?? 0), 0)).toBeGreaterThan(5);
    expect(s.orders).toBeGreaterThan(0);
    expect(s).toMatchObject({ duplicateOrders: 0, capBreaches: 0, integrity: 'ok' });
    expect(s.alertsDelivered).toBe(s.alertsQueued);
    expect(lines.at(-1)).toMatch(/^soak: cycle 24\/24, \d+ orders, \d+ kills/);
  }, 60_000);
});
