// OutboxDelivery on its own: the real SQLite outbox (a temp file) and a scripted sink.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/journal/db.js';
import { OutboxJournal, type OutboxRow } from '../../src/journal/outbox.js';
import { captureLog } from '../support/log.js';
import { type AlertSink, DeliveryFailure, OutboxDelivery } from '../../src/notify/delivery.js';

let dir: string;
let db: Db;
let outbox: OutboxJournal;
let cleanups: (() => Promise<void>)[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kalshi-delivery-'));
  db = openDb(join(dir, 'outbox.db'));
  outbox = new OutboxJournal(db);
  cleanups = [];
});

afterEach(async () => {
  // Stop every delivery loop (also when an assertion failed mid-test) before the database goes away.
  for (const c of cleanups) await c();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function queue(n: number): void {
  for (let i = 1; i <= n; i++) outbox.enqueue('info', { kind: 'info', mode: 'SIM', message: `alert #${i}` }, Date.now());
}

const rows = (): OutboxRow[] => db.prepare('SELECT * FROM outbox ORDER BY id').all() as OutboxRow[];

const capture = () => captureLog('warn');

async function until(probe: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Start a delivery whose stop() runs in afterEach even if the test fails first. */
function started(d: OutboxDelivery): OutboxDelivery {
  d.start();
  cleanups.push(() => d.stop(100));
  return d;
}

const clock = { now: () => Date.now() };

describe('OutboxDelivery', () => {
  it('after a row is abandoned, the next row starts from the base backoff', async () => {
    queue(2);
    const [first] = rows();
    const { log, lines } = await capture();
    let calls = 0;
    const sink: AlertSink = {
      async deliver(_a, row) {
        calls++;
        if (row.id === first!.id) throw new DeliveryFailure('Bot API 403: Forbidden', { permanent: true });
        if (calls <= 6) throw new DeliveryFailure('Bot API 500'); // first try of row 2 fails (transient)
      },
    };
    const d = started(
      new OutboxDelivery(
        { outbox, clock, log, sink, lateMarker: () => 'late' },
        { baseBackoffMs: 5, maxBackoffMs: 10_000, pollMs: 20, permanentAttempts: 5 },
      ),
    );
    await until(() => outbox.pendingCount() === 0, 'both rows done');
    await d.stop(100);
    const [r1, r2] = rows();
    expect(r1!.last_error).toMatch(/^abandoned: Bot API 403/);
    expect(r1!.attempts).toBe(5);
    expect(r2!.last_error).toBeNull();
    expect(r2!.attempts).toBe(2);
    expect(d.delivered).toBe(1);
    // Row 1's four retries backed off 5, 10, 20, 40 ms; row 2's first retry is back at 5 ms, not 80.
    const retry = lines.find((l) => l.startsWith(`alert #${r2!.id}`));
    expect(retry).toMatch(/retry 1 in 5 ms/);
  });

  it('a thrown database error does not end delivery: it backs off and goes on', async () => {
    queue(3);
    const ids = rows().map((r) => r.id);
    const { log, lines } = await capture();
    const seen: number[] = [];
    const sink: AlertSink = {
      async deliver(_a, row) {
        seen.push(row.id);
      },
    };
    // Only head() is wrapped: its first three reads fail as a busy SQLite file would; the rest is the real outbox.
    let headThrows = 3;
    const head = outbox.head.bind(outbox);
    outbox.head = () => {
      if (headThrows > 0) {
        headThrows--;
        throw new Error('database is locked');
      }
      return head();
    };
    const d = started(new OutboxDelivery({ outbox, clock, log, sink, lateMarker: () => 'late' }, { baseBackoffMs: 5, maxBackoffMs: 50, pollMs: 20 }));
    await until(() => outbox.pendingCount() === 0, 'all delivered after the errors');
    await d.stop(100);
    expect(headThrows).toBe(0);
    expect(seen).toEqual(ids);
    expect(rows().every((r) => r.delivered_at !== null && r.attempts === 1)).toBe(true);
    expect(lines.filter((l) => l.includes('database is locked'))).toHaveLength(1); // rate-limited
    expect(lines.join('\n')).not.toMatch(/delivery stopped/);
  });
});
