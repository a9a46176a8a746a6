// Queues alerts in the outbox (durable first); transports deliver them from there.
import type { Clock } from '../clock.js';
import type { Journal } from '../journal/index.js';
import type { Alert } from './alerts.js';

export class Alerter {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly journal: Journal,
    private readonly clock: Clock,
  ) {}

  /** Queue an alert; with a dedupe key, the same alert within the window is dropped (e.g. a repeating error). */
  send(alert: Alert, dedupe?: { key: string; withinMs: number }): void {
    const id = this.journal.outbox.enqueue(alert.kind, alert, this.clock.now(), dedupe);
    if (id !== null) for (const l of this.listeners) l();
  }

  /** Transports subscribe to be woken when something is queued (they also poll). */
  onQueued(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
