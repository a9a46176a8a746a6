// Queues alerts in the outbox (durable first); transports deliver them from there.
import type { Clock } from '../clock.js';
import type { Journal } from '../journal/index.js';
import { type Alert, priorityOf } from './alerts.js';
import { digestOf } from './digest.js';

export class Alerter {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly journal: Journal,
    private readonly clock: Clock,
  ) {}

  /**
   * Queue an alert; with a dedupe key, the same alert within the window is dropped (e.g. a repeating error).
   * Urgent kinds jump the queue. `holdCycle`: held until that cycle's digest (see foldCycle).
   */
  send(alert: Alert, dedupe?: { key: string; withinMs: number }, holdCycle?: number): void {
    const id = this.journal.outbox.enqueue(alert.kind, alert, this.clock.now(), {
      ...(dedupe ? { dedupe } : {}),
      priority: priorityOf(alert.kind),
      ...(holdCycle !== undefined ? { holdCycle } : {}),
    });
    if (id !== null && holdCycle === undefined) this.wake();
  }

  /** A cycle ended (or a crashed one is found at start): its held fills become one digest message. */
  foldCycle(cycleId: number): void {
    const id = this.journal.outbox.foldHeld(cycleId, this.clock.now(), (payloads) => {
      const d = digestOf(cycleId, payloads);
      return d ? { kind: d.kind, payload: d, priority: 2 } : null;
    });
    if (id !== null) this.wake();
  }

  /** Fold what a crash left held (called at start, before the first cycle). */
  foldLeftovers(): void {
    for (const c of this.journal.outbox.heldCycles()) this.foldCycle(c);
  }

  private wake(): void {
    for (const l of this.listeners) l();
  }

  /** Transports subscribe to be woken when something is queued (they also poll). */
  onQueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
