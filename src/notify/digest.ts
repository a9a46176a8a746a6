// A cycle's order alerts, folded into one: the fills in order, the at-risk figure of the last one.
import { Alert, OrderAlert } from './alerts.js';

export function digestOf(cycleId: number, payloads: unknown[]): Extract<Alert, { kind: 'digest' }> | null {
  const orders = payloads.flatMap((p) => {
    const r = OrderAlert.safeParse(p);
    return r.success ? [r.data] : [];
  });
  const last = orders.at(-1);
  if (!last) return null;
  return { kind: 'digest', mode: last.mode, cycleId, orders, atRiskE4: last.atRiskE4, capE4: last.capE4 };
}
