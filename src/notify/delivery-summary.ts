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
  const cycles = journal.cycles.countSince(now - 86_400_000);
  const o = journal.orders.dayTotals(day);
  const settings = journal.settings.get();
  return {
    kind: 'summary',
    mode,
    day,
    cycles,
    orders: o.orders,
    filledE2: o.filledE2,
    spentE4: o.spentE4,
    feesE4: o.feesE4,
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
