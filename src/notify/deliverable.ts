// Whether (and how loudly) an alert goes out at the moment it is delivered: the person's per-kind levels, and an
// approval request that is no longer answerable (expired or decided while it waited in the queue) is dropped.
import type { Journal } from '../journal/index.js';
import type { NotifyKind, NotifyLevel } from '../journal/settings.js';
import type { Alert } from './alerts.js';

const KIND_OF: Partial<Record<Alert['kind'], NotifyKind>> = {
  order: 'fills',
  digest: 'digests',
  approval: 'approvals',
  'approval-outcome': 'approvals',
  halt: 'halts',
  settlement: 'settlements',
  summary: 'summary',
};

export type Delivery = { send: false; why: string } | { send: true; silent: boolean };

export function deliverable(alert: Alert, journal: Journal, now: number): Delivery {
  const kind = KIND_OF[alert.kind];
  const level: NotifyLevel = kind ? journal.settings.get().notify[kind] : 'on';
  if (level === 'off') return { send: false, why: `notifications for ${kind} are off` };
  if (alert.kind === 'approval') {
    const a = journal.approvals.get(alert.id);
    // Never a live button on a request that can no longer be answered.
    if (!a || a.state !== 'pending' || a.expires_at <= now) return { send: false, why: `approval #${alert.id} is no longer open` };
  }
  if (alert.kind === 'approval-outcome') {
    const a = journal.approvals.get(alert.id);
    // The request was never shown (dropped as expired): its outcome would only puzzle.
    if (a && a.message_ref === null && a.state === 'expired') return { send: false, why: `approval #${alert.id} was never shown` };
  }
  return { send: true, silent: level === 'silent' };
}
