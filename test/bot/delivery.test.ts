// OutboxDelivery on its own: an in-memory outbox and a scripted sink.
import { describe, expect, it } from 'vitest';
import type { OutboxJournal, OutboxRow } from '../../src/journal/outbox.js';
import type { Logger } from '../../src/log.js';
import { type AlertSink, DeliveryFailure, OutboxDelivery } from '../../src/notify/delivery.js';

function memoryOutbox(n: number) {
  const rows: OutboxRow[] = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    kind: 'info',
    payload: JSON.stringify({ kind: 'info', mode: 'SIM', message: `alert #${i + 1}` }),
    dedupe_key: null,
    created_at: Date.now(),
    attempts: 0,
    next_attempt_at: 0,
    delivered_at: null,
    last_error: null,
  }));
  const outbox = {
    headThrows: 0,
    head() {
      if (outbox.headThrows > 0) {
        outbox.headThrows--;
        throw new Error('database is locked');
      }
      return rows.find((r) => r.delivered_at === null);
    },
    markDelivered(id: number, now: number) {
      rows[id - 1]!.delivered_at = now;
    },
    markAbandoned(id: number, error: string, now: number) {
      rows[id - 1]!.delivered_at = now;
      rows[id - 1]!.last_error = `abandoned: ${error}`;
    },
    markFailed(id: number, error: string) {
      rows[id - 1]!.last_error = error;
    },
  };
  return { rows, outbox };
}

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => lines.push(m);
  return { lines, log: { debug() {}, info() {}, warn: push, error: push } };
}

async function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const clock = { now: () => Date.now() };

describe('OutboxDelivery', () => {
  it('after a row is abandoned, the next row starts from the base backoff', async () => {
    const { rows, outbox } = memoryOutbox(2);
    const { log, lines } = capture();
    let calls = 0;
    const sink: AlertSink = {
      async deliver(_a, row) {
        calls++;
        if (row.id === 1) throw new DeliveryFailure('Bot API 403: Forbidden', { permanent: true });
        if (calls <= 6) throw new DeliveryFailure('Bot API 500'); // first try of row 2 fails (transient)
      },
    };
    const d = new OutboxDelivery(
      { outbox: outbox as unknown as OutboxJournal, clock, log, sink, lateMarker: () => 'late' },
      { baseBackoffMs: 5, maxBackoffMs: 10_000, pollMs: 20, permanentAttempts: 5 },
    );
    d.start();
    await until(() => rows.every((r) => r.delivered_at !== null), 'both rows done');
    await d.stop(100);
    expect(rows[0]!.last_error).toMatch(/^abandoned/);
    expect(d.delivered).toBe(1);
    // Row 1's four retries backed off 5, 10, 20, 40 ms; row 2's first retry is back at 5 ms, not 80.
    const retry = lines.find((l) => l.startsWith('alert #2'));
    expect(retry).toMatch(/retry 1 in 5 ms/);
  });

  it('a thrown database error does not end delivery: it backs off and goes on', async () => {
    const { rows, outbox } = memoryOutbox(3);
    const { log, lines } = capture();
    const seen: number[] = [];
    const sink: AlertSink = {
      async deliver(_a, row) {
        seen.push(row.id);
      },
    };
    outbox.headThrows = 3;
    const d = new OutboxDelivery(
      { outbox: outbox as unknown as OutboxJournal, clock, log, sink, lateMarker: () => 'late' },
      { baseBackoffMs: 5, maxBackoffMs: 50, pollMs: 20 },
    );
    d.start();
    await until(() => rows.every((r) => r.delivered_at !== null), 'all delivered after the errors');
    await d.stop(100);
    expect(seen).toEqual([1, 2, 3]);
    expect(lines.filter((l) => l.includes('database is locked'))).toHaveLength(1); // rate-limited
    expect(lines.join('\n')).not.toMatch(/delivery stopped/);
  });
});
