// Layer 4's last step for one market, the same for the cycle and the stream: the event's own fee rule read, the market
// evaluated once more at the moment of sending, then the executor's queue and cap transaction. A 403 blocks the
// category (or series) for the day and says so; refused credentials say so. One order path, never two.
import type { Executor, ExecResult } from '../execution/executor.js';
import type { Market } from '../kalshi/market-schema.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import type { DayBlocklist } from '../rules/blocklist.js';
import { type Evaluation, evaluateMarket } from '../rules/evaluate.js';
import type { CategoryCache } from './categories.js';
import type { DecisionContext } from './decision-context.js';

export interface OrderMarketDeps {
  executor: Executor;
  categories: Pick<CategoryCache, 'ensureEventFees' | 'eventFeeKnown'>;
  alerter: Alerter;
  mode: Mode;
  blocked: DayBlocklist;
}

type Passing = Extract<Evaluation, { pass: true }>;

export type OrderOutcome =
  /** Not sent: the decision's layer and reason. */
  | { sent: false; layer: 2 | 3 | 4; reason: string; halt?: boolean; short?: boolean }
  /** Sent (or booked on paper): the executor's result, the evaluation it was sent on, and the decision's reason. */
  | { sent: true; result: Exclude<ExecResult, { kind: 'cap' | 'funds' | 'stale' }>; ev: Passing; reason: string; authFailed: boolean };

/**
 * Send one market that passed the layers. `guard` is asked right before sending (the stream: is the quote still
 * fresh?) and may refuse with a reason. `day` is the trading day the decision belongs to.
 */
export async function orderMarket(
  d: OrderMarketDeps,
  m: Market,
  ctx: DecisionContext,
  o: { cycleId: number | null; day: string; guard?: () => string | null },
): Promise<OrderOutcome> {
  // An event's own fee rule wins over its series': read it (cached) for the market about to be ordered, and size again.
  await d.categories.ensureEventFees([m.eventTicker]);
  if (!d.categories.eventFeeKnown(m.eventTicker)) return { sent: false, layer: 4, reason: "could not read the event's fee rule: not ordered on a guess" };
  const ev = evaluateMarket(m, ctx, ctx);
  if (!ev.pass) return { sent: false, layer: ev.layer, reason: ev.reason };
  const refused = o.guard?.() ?? null;
  if (refused) return { sent: false, layer: 4, reason: refused };
  const r = await d.executor.execute({
    ticker: m.ticker,
    title: m.title,
    side: ev.side,
    contracts: ev.contracts,
    priceE4: ev.priceE4,
    fee: ev.fee,
    exchangeIndex: m.exchangeIndex,
    cycleId: o.cycleId,
    approvalId: null,
    edge: ev.edge,
    style: ev.style,
  });
  if (r.kind === 'cap' || r.kind === 'funds' || r.kind === 'stale') {
    return { sent: false, layer: 4, reason: r.reason, ...(r.kind === 'cap' ? { halt: r.halt } : {}), ...(r.kind === 'funds' ? { short: true } : {}) };
  }
  if (r.kind === 'rejected' && r.status === 403) blockForbidden(d, m, ev.category, r.reason, o.day);
  const authFailed = r.kind === 'rejected' && r.status === 401;
  if (authFailed) alertAuthFailure(d, r.reason.split(' ')[0] ?? 'authentication_error');
  const reason = r.kind === 'rejected' || r.kind === 'unknown' ? `order ${r.kind}: ${r.reason}` : `ordered: ${r.kind}`;
  return { sent: true, result: r, ev, reason, authFailed };
}

/** Refused credentials (or a clock the exchange calls stale) refuse every order: say so, at most every 6 hours. */
export function alertAuthFailure(d: Pick<OrderMarketDeps, 'alerter' | 'mode'>, code: string): void {
  const message =
    code === 'header_timestamp_expired'
      ? "Kalshi refused our requests as stale (header_timestamp_expired): this machine's clock is off. Sync it (NTP); trading resumes by itself."
      : `Kalshi refused our credentials (${code}): trading is stopped until this is fixed.`;
  d.alerter.send({ kind: 'error', mode: d.mode, message }, { key: 'auth-failure', withinMs: 6 * 3_600_000 });
}

/** A 403 on create (e.g. the key's location attestation lapsed for this category): skip it for the day, say so once. */
function blockForbidden(d: OrderMarketDeps, m: Market, category: string | undefined, reason: string, day: string): void {
  const { key, what } = d.blocked.block(m, category, reason, day);
  d.alerter.send(
    {
      kind: 'error',
      mode: d.mode,
      message:
        `Kalshi refused an order on ${m.ticker} with 403 (${reason}): ${what} is skipped for the rest of the day. ` +
        "If your API key's location attestation has expired (Sports, Elections and Entertainment need it), renew it on Kalshi.",
    },
    { key: `forbidden:${key}:${day}`, withinMs: 36 * 3_600_000 },
  );
}
