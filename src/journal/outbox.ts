// Alerts are written to the outbox first and delivered from there by a transport, in order,
// with retries and backoff; undelivered rows survive restarts.
import type { Db } from './db.js';

export interface OutboxRow {
  id: number;
  kind: string;
  payload: string;
  dedupe_key: string | null;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

export class OutboxJournal {
  constructor(private readonly db: Db) {}

  /** Queue an alert. With a dedupe key, an identical undelivered-or-recent alert is not queued twice. */
  enqueue(kind: string, payload: unknown, now: number, dedupe?: { key: string; withinMs: number }): number | null {
    if (dedupe) {
      const dup = this.db
        .prepare('SELECT id FROM outbox WHERE dedupe_key = ? AND created_at > ? LIMIT 1')
        .get(dedupe.key, now - dedupe.withinMs);
      if (dup) return null;
    }
    return Number(
      this.db
        .prepare('INSERT INTO outbox (kind, payload, dedupe_key, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)')
        .run(kind, JSON.stringify(payload), dedupe?.key ?? null, now, now).lastInsertRowid,
    );
  }

  /** The oldest undelivered alert: delivery is strictly in order, so a failing head blocks the rest. */
  head(): OutboxRow | undefined {
    return this.db.prepare('SELECT * FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT 1').get() as OutboxRow | undefined;
  }

  /** Alerts queued in all, and how many of them were delivered. */
  counts(): { queued: number; delivered: number } {
    return this.db.prepare('SELECT COUNT(*) AS queued, COUNT(delivered_at) AS delivered FROM outbox').get() as { queued: number; delivered: number };
  }

  pendingCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL').get() as { n: number }).n;
  }

  markDelivered(id: number, now: number): void {
    this.db.prepare('UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?').run(now, id);
  }

  /** Give up on an alert the transport can never deliver (e.g. the chat blocked the bot), so it stops blocking the queue. */
  markAbandoned(id: number, error: string, now: number): void {
    this.db
      .prepare('UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?')
      .run(now, `abandoned: ${error}`.slice(0, 500), id);
  }

  markFailed(id: number, error: string, nextAttemptAt: number): void {
    this.db
      .prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?')
      .run(error.slice(0, 500), nextAttemptAt, id);
  }
}
