// What the scan loop runs every CYCLE_SECONDS: expire due approvals, settle orders whose outcome is still
// unknown, then one cycle through the four layers; its log lines and listeners follow.
import type { Clock } from '../clock.js';
import type { Executor } from '../execution/executor.js';
import type { OrderApi } from '../execution/order-api.js';
import { type ReconcileResult, reconcile } from '../execution/reconcile.js';
import type { Journal } from '../journal/index.js';
import type { Logger } from '../log.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import { expireApprovals } from './approvals.js';
import { logCycle } from './cycle-log.js';
import type { Cycle, CycleSummary } from './cycle.js';

export interface ScanDeps {
  journal: Journal;
  api: OrderApi;
  executor: Executor;
  cycle: Cycle;
  clock: Clock;
  alerter: Alerter;
  mode: Mode;
  log: Logger;
}

export class Scan {
  private last: CycleSummary | null = null;
  private readonly listeners = new Set<(s: CycleSummary) => void>();

  constructor(private readonly d: ScanDeps) {}

  /** The last cycle's summary (null before the first). */
  get lastSummary(): CycleSummary | null {
    return this.last;
  }

  onCycle(listener: (s: CycleSummary) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settle every unfinished intent with the exchange. */
  settleUnfinished(): Promise<ReconcileResult> {
    const { journal, api, executor, clock } = this.d;
    return reconcile({ journal, api, executor, clock, fillTimeoutMs: executor.fillTimeoutMs });
  }

  async run(): Promise<CycleSummary> {
    const { journal, log } = this.d;
    expireApprovals(this.d);
    // Orders whose outcome was unknown (a lost answer, a network failure) are settled before new ones.
    if (journal.orders.unfinished().length > 0) {
      const r = await this.settleUnfinished().catch((err: unknown) => {
        log.warn({ err }, 'reconciliation of unfinished orders failed');
        return null;
      });
      if (r) log.info({ reconcile: r }, 'reconciled unfinished orders');
    }
    // Fills a crash left held for a digest go out before this cycle's.
    this.d.alerter.foldLeftovers();
    const s = await this.d.cycle.run();
    // This cycle's fills, held while it ran, become one message now.
    this.d.alerter.foldCycle(s.cycleId);
    this.last = s;
    logCycle(log.child({ cycle: s.cycleId }), s);
    for (const l of this.listeners) l(s);
    return s;
  }
}
