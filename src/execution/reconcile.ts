// At startup, every intent without a final state is settled against the exchange before the first cycle.
import type { Clock } from '../clock.js';
import type { Journal } from '../journal/index.js';
import type { OrderRow } from '../journal/orders.js';
import type { Executor } from './executor.js';
import type { OrderApi } from './order-api.js';

export interface ReconcileResult {
  checked: number;
  /** Found on the exchange and brought to a final state (filled, partly filled or canceled). */
  settled: number;
  /** Canceled by us during reconciliation because it still rested. */
  canceled: number;
  /** Never reached the exchange: closed in the journal, nothing counted against the cap. */
  notSent: number;
  /** Could not be settled now (exchange unreachable): left unfinished, its worst case still counted. */
  unresolved: number;
}

/** How long after its send an order can still appear on the exchange: its GTC expiry plus a margin for lag. */
export const SEND_SETTLE_MARGIN_MS = 60_000;

/**
 * Settle every unfinished intent with the exchange. Runs inside the executor's queue, so it never
 * touches an order that is in flight.
 */
export async function reconcile(deps: {
  journal: Journal;
  api: OrderApi;
  executor: Executor;
  clock: Clock;
  fillTimeoutMs: number;
}): Promise<ReconcileResult> {
  const { executor } = deps;
  return (await executor.exclusive(() => reconcileNow(deps))) ?? { checked: 0, settled: 0, canceled: 0, notSent: 0, unresolved: 0 };
}

async function reconcileNow(deps: { journal: Journal; api: OrderApi; executor: Executor; clock: Clock; fillTimeoutMs: number }): Promise<ReconcileResult> {
  const { journal, api, executor, clock } = deps;
  const result: ReconcileResult = { checked: 0, settled: 0, canceled: 0, notSent: 0, unresolved: 0 };
  for (const row of journal.orders.unfinished()) {
    // A maker order resting now is watched by the executor: it is canceled and booked at the end of its rest.
    if (executor.isWatching(row.id)) continue;
    result.checked++;
    try {
      // By id where known (falling back to the order list: a GET by id may not reach other shards), else by client id.
      const ref = (orderId: string) => ({ orderId, clientOrderId: row.client_order_id, ticker: row.ticker, exchangeIndex: row.exchange_index });
      const found = row.exchange_order_id
        ? await executor.read(ref(row.exchange_order_id))
        : await api.findOrderByClientOrderId(row.client_order_id, row.ticker);
      if (!found && row.exchange_order_id) {
        // It was on the exchange once: an order that cannot be read now is not written off.
        result.unresolved++;
        continue;
      }
      if (!found && row.state === 'sent' && clock.now() < row.updated_at + deps.fillTimeoutMs + SEND_SETTLE_MARGIN_MS) {
        // Sent moments ago: the order list may lag the create, and the order may still surface (and fill)
        // until its exchange-side expiry has passed. It stays counted; a later cycle looks again.
        result.unresolved++;
        continue;
      }
      if (!found && (await unexplainedFills(deps, row))) {
        // The list lags or misses it, but the market shows fills of an order we cannot place: it stays counted.
        result.unresolved++;
        continue;
      }
      if (!found) {
        // The client_order_id is the idempotency key, nothing here sends it again, its expiry has passed, and
        // no fill on its market is unaccounted for: absent from the exchange means it never arrived.
        journal.orders.update(row.id, { state: 'canceled', filledE2: 0, fillCostE4: 0, feesE4: 0, error: 'never reached the exchange' }, clock.now());
        result.notSent++;
        continue;
      }
      const wasResting = !found.isTerminal;
      const final = await executor.pollCancelSettle(found, ref(found.orderId), 0);
      const r = await executor.book(row.id, final);
      if (r.kind === 'unknown') result.unresolved++;
      else if (wasResting) result.canceled++;
      else result.settled++;
    } catch {
      result.unresolved++;
    }
  }
  return result;
}

/**
 * Evidence that the order may exist after all: fills on the row's market since it was written whose order the journal
 * does not know, or an exchange position there larger than the journal's own fills explain.
 */
async function unexplainedFills(deps: { journal: Journal; api: OrderApi }, row: OrderRow): Promise<boolean> {
  if (deps.api.getPositions) {
    const pos = (await deps.api.getPositions({ ticker: row.ticker })).filter((p) => p.ticker === row.ticker);
    const held = pos.reduce((a, p) => a + Math.abs(p.positionE2), 0);
    if (held > deps.journal.orders.filledOn(row.ticker)) return true;
  }
  const sinceMs = row.created_at - 60_000;
  const fills = await deps.api.getFills({ ticker: row.ticker, minTs: Math.floor(sinceMs / 1000) });
  const known = deps.journal.orders.exchangeOrderIds(row.ticker);
  // The list is input too: only its fills on this market, since the row was written, count as evidence.
  return fills.some((f) => f.ticker === row.ticker && f.createdMs >= sinceMs && f.countE2 > 0 && !known.has(f.orderId));
}
