// The scan loop: chained one-shot node-schedule jobs (next start = max(last start + period, now)),
// so a cycle never overlaps the previous one; a start that comes late is counted as skipped.
// Wall-clock jobs (daily summary, approval expiry) use node-schedule's cron form with a time zone.
import schedule from 'node-schedule';
import type { Clock } from './clock.js';

/** The least time between the starts of an early cycle and the one before it. */
export const MIN_EARLY_GAP_MS = 10_000;

export class ScanLoop {
  private job: schedule.Job | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private nextAt: number | null = null;
  /** Starts that were due while the previous cycle still ran. */
  skipped = 0;
  private lastStartAt: number | null = null;
  private soonAfterRun = false;

  constructor(
    private readonly periodMs: number,
    private readonly runOnce: () => Promise<void>,
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  get nextCycleAt(): number | null {
    return this.nextAt;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  start(): void {
    this.stopped = false;
    this.scheduleAt(this.clock.now());
  }

  private scheduleAt(at: number): void {
    if (this.stopped) return;
    this.nextAt = at;
    // node-schedule silently drops a Date job that is already in the past: keep it a little ahead of now.
    const when = new Date(Math.max(at, Date.now() + 20));
    this.job = schedule.scheduleJob(when, () => void this.tick(at));
    if (!this.job) throw new Error(`scan loop: could not schedule a cycle at ${when.toISOString()}`);
  }

  private async tick(plannedAt: number): Promise<void> {
    if (this.stopped) return;
    const startedAt = this.clock.now();
    this.lastStartAt = startedAt;
    this.nextAt = null;
    this.running = this.runOnce().catch(this.onError);
    await this.running;
    this.running = null;
    const due = plannedAt + this.periodMs;
    const now = this.clock.now();
    // Every period boundary passed during the run is a cycle that did not happen.
    if (now > due) this.skipped += Math.floor((now - due) / this.periodMs) + 1;
    const next = Math.max(startedAt + this.periodMs, now);
    if (this.soonAfterRun) {
      this.soonAfterRun = false;
      this.scheduleAt(Math.min(next, this.earliest()));
    } else this.scheduleAt(now > due ? now : next);
  }

  /**
   * Run the next cycle early (the stream lost frames: its resync is due): now when idle, else right after the one
   * running, but never sooner than MIN_EARLY_GAP_MS after the last start (a flapping stream must not chain scans).
   */
  soon(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.soonAfterRun = true;
      return;
    }
    const at = this.earliest();
    if (this.nextAt !== null && this.nextAt <= at) return;
    this.job?.cancel();
    this.scheduleAt(at);
  }

  private earliest(): number {
    const now = this.clock.now();
    return this.lastStartAt === null ? now : Math.max(now, this.lastStartAt + MIN_EARLY_GAP_MS);
  }

  /** No new cycles; resolves when the one running (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.job?.cancel();
    this.job = null;
    this.nextAt = null;
    await this.running;
  }
}

/** A daily wall-clock job ("HH:MM" in a time zone). Returns a cancel function. */
export function daily(at: string, timeZone: string, fn: () => void): () => void {
  const [hour, minute] = at.split(':').map(Number);
  const job = schedule.scheduleJob({ hour: hour!, minute: minute!, tz: timeZone }, fn);
  return () => job?.cancel();
}

/** Run fn every `ms` on a timer that does not keep the process alive. Returns a cancel function. */
export function every(ms: number, fn: () => void): () => void {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
}
