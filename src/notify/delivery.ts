// Delivers the outbox to one transport: strictly in order (the head blocks the rest), retried with
// exponential backoff (honouring a server's retry-after), marked late when it went out long after it
// was queued. Rows live in SQLite, so a restart picks up where the last run stopped.
// Transport-agnostic: Telegram and the terminal each provide an AlertSink.
import type { Clock } from '../clock.js';
import type { OutboxJournal, OutboxRow } from '../journal/outbox.js';
import { type Logger, rateLimited } from '../log.js';
import { Alert } from './alerts.js';

/** Thrown by a sink: how to retry. */
export class DeliveryFailure extends Error {
  override name = 'DeliveryFailure';
  constructor(
    message: string,
    readonly opts: { retryAfterMs?: number; permanent?: boolean } = {},
  ) {
    super(message);
  }
}

export interface AlertSink {
  /**
   * Deliver one alert (to every recipient). `late` is the marker to show, or null when on time.
   * Must be idempotent per row id within a process (a retry after partial success must not resend).
   */
  deliver(alert: Alert, row: OutboxRow, late: string | null, signal: AbortSignal): Promise<void>;
}

export interface DeliveryOptions {
  /** Delivered more than this after being queued: marked late. Default 60 s. */
  lateAfterMs?: number;
  /** First retry delay; doubles per consecutive failure up to maxBackoffMs. Defaults 1 s and 60 s. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Look at the outbox at least this often even without a wake-up. Default 5 s. */
  pollMs?: number;
  /** A permanent error (4xx other than 429) is retried this many times, then the alert is abandoned. Default 5. */
  permanentAttempts?: number;
}

export interface DeliveryDeps {
  outbox: OutboxJournal;
  clock: Clock;
  log: Logger;
  sink: AlertSink;
  /** Called with a wake-up function; returns an unsubscribe (e.g. alerter.onQueued). */
  subscribe?: (wake: () => void) => () => void;
  lateMarker: (lateMs: number) => string;
}

export class OutboxDelivery {
  private running: Promise<void> | null = null;
  private stopping = false;
  private waiter: { done: () => void; interruptible: boolean } | null = null;
  private readonly abort = new AbortController();
  private unsubscribe: (() => void) | null = null;
  private failures = 0;
  private readonly errorLog = rateLimited((m) => this.d.log.error(m), 60_000);
  private permanentFailures = new Map<number, number>();
  /** Rows delivered by this instance (for tests and the flush report). */
  delivered = 0;
  private readonly o: Required<DeliveryOptions>;

  constructor(
    private readonly d: DeliveryDeps,
    opts: DeliveryOptions = {},
  ) {
    this.o = {
      lateAfterMs: opts.lateAfterMs ?? 60_000,
      baseBackoffMs: opts.baseBackoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 60_000,
      pollMs: opts.pollMs ?? 5000,
      permanentAttempts: opts.permanentAttempts ?? 5,
    };
  }

  start(): void {
    if (this.running !== null) return;
    this.unsubscribe = this.d.subscribe?.(() => this.wake()) ?? null;
    this.running = this.loop();
  }

  /** Wake the loop: a new alert wakes an idle wait only; stop wakes any wait (backoff included). */
  private wake(reason: 'queued' | 'stop' = 'queued'): void {
    const w = this.waiter;
    if (!w || (reason === 'queued' && !w.interruptible)) return;
    this.waiter = null;
    w.done();
  }

  /** Sleep until the time passes or a wake-up (see wake). */
  private sleep(ms: number, interruptible: boolean): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(t);
        if (this.waiter?.done === done) this.waiter = null;
        resolve();
      };
      this.waiter = { done, interruptible };
    });
  }

  private backoffMs(): number {
    return Math.min(this.o.baseBackoffMs * 2 ** (Math.max(this.failures, 1) - 1), this.o.maxBackoffMs);
  }

  /** Runs until stopped. An unexpected error (e.g. the database is busy or locked) is logged, backed off, and retried: it never ends delivery. */
  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        if ((await this.step()) === 'stop') return;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.failures++;
        const delay = this.backoffMs();
        this.errorLog('loop', `alert delivery error (${err instanceof Error ? err.message : String(err)}); retrying in ${delay} ms`);
        if (this.stopping) return;
        await this.sleep(delay, false);
      }
    }
  }

  /** One pass: deliver (or fail) the head row, or wait for one. 'stop' ends the loop. */
  private async step(): Promise<'stop' | 'next'> {
    const row = this.d.outbox.head();
    if (!row) {
      if (this.stopping) return 'stop'; // flushed everything
      await this.sleep(this.o.pollMs, true);
      return 'next';
    }
    let alert: Alert;
    try {
      alert = Alert.parse(JSON.parse(row.payload));
    } catch {
      this.d.log.error(`outbox #${row.id} (${row.kind}) is not a valid alert; skipped`);
      this.d.outbox.markAbandoned(row.id, 'not a valid alert', this.d.clock.now());
      return 'next';
    }
    const lateMs = this.d.clock.now() - row.created_at;
    const late = lateMs > this.o.lateAfterMs ? this.d.lateMarker(lateMs) : null;
    try {
      await this.d.sink.deliver(alert, row, late, this.abort.signal);
      if (this.abort.signal.aborted) return 'stop'; // hard stop mid-send: the row stays queued (at-least-once)
      this.d.outbox.markDelivered(row.id, this.d.clock.now());
      this.delivered++;
      this.failures = 0;
      this.permanentFailures.delete(row.id);
    } catch (err) {
      if (this.abort.signal.aborted) return 'stop';
      const f = err instanceof DeliveryFailure ? err.opts : {};
      const message = err instanceof Error ? err.message : String(err);
      if (f.permanent) {
        const n = (this.permanentFailures.get(row.id) ?? 0) + 1;
        this.permanentFailures.set(row.id, n);
        if (n >= this.o.permanentAttempts) {
          this.d.log.error(`outbox #${row.id} (${row.kind}) abandoned after ${n} refusals: ${message}`);
          this.d.outbox.markAbandoned(row.id, message, this.d.clock.now());
          this.permanentFailures.delete(row.id);
          // The refusal was about that row: the next one starts from a fresh backoff.
          this.failures = 0;
          return 'next';
        }
      }
      this.failures++;
      const backoff = this.backoffMs();
      const delay = f.retryAfterMs !== undefined ? Math.max(f.retryAfterMs, this.o.baseBackoffMs) : backoff;
      this.d.outbox.markFailed(row.id, message, this.d.clock.now() + delay);
      this.d.log.warn(`alert #${row.id} (${row.kind}) not delivered (${message}); retry ${this.failures} in ${delay} ms`);
      if (this.stopping) return 'stop'; // don't wait out a backoff while shutting down
      await this.sleep(delay, false);
    }
    return 'next';
  }

  /** Deliver what can go out within flushMs, then stop. Undelivered rows stay in the outbox. */
  async stop(flushMs = 3000): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopping = true;
    this.wake('stop');
    if (this.running === null) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, flushMs);
    });
    await Promise.race([this.running, deadline]);
    clearTimeout(timer);
    this.abort.abort();
    this.wake('stop');
    await this.running;
    this.running = null;
  }
}
