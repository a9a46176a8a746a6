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
  /** Lower goes first: 0 a halt, 1 errors and approval requests, 2 everything else. */
  priority: number;
  /** Held until this cycle ends, then folded into its digest (null: deliverable). */
  hold_cycle: number | null;
}

export type AlertPriority = 0 | 1 | 2;

export interface EnqueueOptions {
  dedupe?: { key: string; withinMs: number };
  priority?: AlertPriority;
  holdCycle?: number;
}

export class OutboxJournal {
  constructor(private readonly db: Db) {}

  /** Queue an alert. With a dedupe key, an identical undelivered-or-recent alert is not queued twice. */
  enqueue(kind: string, payload: unknown, now: number, opts: EnqueueOptions = {}): number | null {
    const { dedupe } = opts;
    if (dedupe) {
      const dup = this.db
        .prepare('SELECT id FROM outbox WHERE dedupe_key = ? AND created_at > ? LIMIT 1')
        .get(dedupe.key, now - dedupe.withinMs);
      if (dup) return null;
    }
    return Number(
      this.db
        .prepare('INSERT INTO outbox (kind, payload, dedupe_key, created_at, next_attempt_at, priority, hold_cycle) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(kind, JSON.stringify(payload), dedupe?.key ?? null, now, now, opts.priority ?? 2, opts.holdCycle ?? null).lastInsertRowid,
    );
  }

  /**
   * The next alert to deliver: the oldest of the most urgent priority that is not held for a digest. Delivery is in
   * that order, so a failing head blocks the rest.
   */
  head(): OutboxRow | undefined {
    return this.db.prepare('SELECT * FROM outbox WHERE delivered_at IS NULL AND hold_cycle IS NULL ORDER BY priority, id LIMIT 1').get() as
      | OutboxRow
      | undefined;
  }

  /** Cycles with alerts still held for their digest (a crash mid-cycle leaves some). */
  heldCycles(): number[] {
    return (this.db.prepare('SELECT DISTINCT hold_cycle AS c FROM outbox WHERE hold_cycle IS NOT NULL AND delivered_at IS NULL ORDER BY c').all() as { c: number }[]).map(
      (r) => r.c,
    );
  }

  /**
   * Fold a cycle's held alerts into one: `build` gets their payloads (oldest first) and returns the digest to queue
   * (or null for none); the held rows are marked delivered as part of it, in the same transaction.
   */
  foldHeld(cycleId: number, now: number, build: (payloads: unknown[]) => { kind: string; payload: unknown; priority: AlertPriority } | null): number | null {
    return this.db.transaction(() => {
      const rows = this.db.prepare('SELECT id, payload FROM outbox WHERE hold_cycle = ? AND delivered_at IS NULL ORDER BY id').all(cycleId) as {
        id: number;
        payload: string;
      }[];
      if (rows.length === 0) return null;
      const digest = build(rows.map((r) => JSON.parse(r.payload) as unknown));
      const id = digest ? this.enqueue(digest.kind, digest.payload, now, { priority: digest.priority }) : null;
      const mark = this.db.prepare('UPDATE outbox SET delivered_at = ?, hold_cycle = NULL, last_error = ? WHERE id = ?');
      for (const r of rows) mark.run(now, id === null ? 'folded (no digest)' : `folded into #${id}`, r.id);
      return id;
    })();
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
