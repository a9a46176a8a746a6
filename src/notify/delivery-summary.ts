// The daily summary (doubles as a heartbeat): built from the journal, queued like any alert at
// DAILY_SUMMARY_AT local time (node-schedule cron with the configured time zone).
import { type Clock, tradingDay } from '../clock.js';
import type { Journal } from '../journal/index.js';
import type { Logger } from '../log.js';
import { daily } from '../scheduler.js';
import type { Alerter } from './alerter.js';
import type { Alert, Mode } from './alerts.js';

export function buildDailySummary(journal: Journal, mode: Mode, now: number, timeZone: string): Extract<Alert, { kind: 'summary' }> {
  const day = tradingDay(now, timeZone);
  const cycles = (journal.db.prepare('SELECT COUNT(*) AS n FROM cycles WHERE started_at > ?').get(now - 86_400_000) as { n: number }).n;
  const o = journal.db
    .prepare(
      `SELECT COUNT(*) AS orders, COALESCE(SUM(filled_e2), 0) AS filled, COALESCE(SUM(fill_cost_e4), 0) AS spent,
              COALESCE(SUM(fees_e4), 0) AS fees FROM orders WHERE day = ?`,
    )
    .get(day) as { orders: number; filled: number; spent: number; fees: number };
  const settings = journal.settings.get();
  return {
    kind: 'summary',
    mode,
    day,
    cycles,
    orders: o.orders,
    filledE2: o.filled,
    spentE4: o.spent,
    feesE4: o.fees,
    atRiskE4: journal.orders.atRiskE4(day),
    capE4: settings.dailyCapE4,
    halted: journal.orders.haltOf(day) !== undefined,
    paused: settings.paused,
  };
}

export interface SummaryDeps {
  journal: Journal;
  alerter: Alerter;
  clock: Clock;
  log: Logger;
  mode: Mode;
  timeZone: string;
  /** "HH:MM" local time. */
  at: string;
}

/** Queue the summary now (deduplicated per day, so a double fire sends one). */
export function queueDailySummary(d: SummaryDeps): void {
  const s = buildDailySummary(d.journal, d.mode, d.clock.now(), d.timeZone);
  d.alerter.send(s, { key: `summary:${s.day}`, withinMs: 20 * 3_600_000 });
}

/** Schedule the daily summary; returns a cancel function. */
export function startDailySummary(d: SummaryDeps): () => void {
  return daily(d.at, d.timeZone, () => {
    try {
      queueDailySummary(d);
    } catch (err) {
      d.log.error(`daily summary failed: ${(err as Error).message}`);
    }
  });
}
