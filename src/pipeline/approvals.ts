// A human's answer to a flagged trade. Approving re-fetches the market and re-runs layers 2-4 at the
// current price before anything is sent; an approval is single-use and cannot be used once expired.
import { type Clock, tradingDay } from '../clock.js';
import type { ExecResult } from '../execution/executor.js';
import type { Market } from '../kalshi/market-schema.js';
import type { ExchangeStatus, Position } from '../kalshi/schemas.js';
import type { ApprovalRow } from '../journal/approvals.js';
import type { Journal } from '../journal/index.js';
import { E2_PER_CONTRACT, formatUsd } from '../money.js';
import type { Alerter } from '../notify/alerter.js';
import type { Mode } from '../notify/alerts.js';
import { transfersOpen } from '../execution/funding.js';
import { evaluateMarket } from '../rules/evaluate.js';
import { type DecideDeps, DecisionContext, decisionDepsOf } from './decision-context.js';
import type { DayBlocklist } from '../rules/blocklist.js';
import { approvalRoomE4 } from '../rules/approval-room.js';
import { worstCaseE4 } from '../rules/risk.js';

export interface ApprovalDeps extends Omit<DecideDeps, 'blocked'> {
  client: { getMarket(ticker: string): Promise<Market>; getExchangeStatus(): Promise<ExchangeStatus>; getPositions(): Promise<Position[]> };
  /** Categories or series the exchange refused (403) today. */
  blocked?: DayBlocklist;
}

export type ApprovalOutcome =
  | { ok: false; error: 'not-found' | 'not-pending' | 'expired'; approval?: ApprovalRow }
  | { ok: true; state: 'rejected'; approval: ApprovalRow }
  | { ok: true; state: 'refused'; reason: string; approval: ApprovalRow }
  | { ok: true; state: 'executed'; result: ExecResult; approval: ApprovalRow };

export async function decideApproval(d: ApprovalDeps, id: number, answer: 'approve' | 'reject', by: string): Promise<ApprovalOutcome> {
  const { journal, clock } = d;
  const existing = journal.approvals.get(id);
  if (!existing) return { ok: false, error: 'not-found' };
  const now = clock.now();
  if (existing.state === 'pending' && existing.expires_at <= now) {
    journal.approvals.decide(id, 'expired', 'timer', now);
    return { ok: false, error: 'expired', approval: journal.approvals.get(id)! };
  }
  // The compare-and-set is the single-use guarantee: a second tap finds it no longer pending.
  if (!journal.approvals.decide(id, answer === 'approve' ? 'approved' : 'rejected', by, now)) {
    const a = journal.approvals.get(id)!;
    return { ok: false, error: a.state === 'expired' ? 'expired' : 'not-pending', approval: a };
  }
  if (answer === 'reject') {
    journal.approvals.setOutcome(id, `rejected by ${by}`);
    return finish(d, { ok: true, state: 'rejected', approval: journal.approvals.get(id)! });
  }

  const refuse = (reason: string): ApprovalOutcome => {
    journal.approvals.setOutcome(id, reason, 'refused');
    return finish(d, { ok: true, state: 'refused', reason, approval: journal.approvals.get(id)! });
  };
  if (journal.settings.get().paused) return refuse('the bot is paused');
  if (journal.orders.haltOf(tradingDay(now, d.timeZone))) return refuse('trading is halted for the day (daily cap)');

  let market: Market;
  let status: ExchangeStatus;
  let positions: Position[];
  try {
    [market, status, positions] = await Promise.all([
      d.client.getMarket(existing.ticker),
      d.client.getExchangeStatus(),
      d.client.getPositions(),
    ]);
    await d.categories.ensure([market.eventTicker]);
    await d.categories.ensureEventFees([market.eventTicker]);
    if (!d.categories.eventFeeKnown(market.eventTicker)) throw new Error("the event's fee rule could not be read");
  } catch (err) {
    return refuse(`could not re-check the market: ${(err as Error).message}`);
  }
  const held = Math.abs(positions.find((p) => p.ticker === market.ticker)?.positionE2 ?? 0);
  const pending = journal.orders.pendingE2(market.ticker) + (d.mode === 'DRY-RUN' ? (journal.orders.paperByTicker().get(market.ticker) ?? 0) : 0);
  const ev = evaluateMarket(market, new DecisionContext(decisionDepsOf(d), clock.now(), journal.settings.get(), status, new Map([[market.ticker, held + pending]])));
  if (!ev.pass) return refuse(`no longer passes layer ${ev.layer}: ${ev.reason}`);
  if (ev.side !== existing.side) return refuse(`the market flipped sides (now ${ev.side.toUpperCase()})`);
  // Never more than the person approved: at most the approved count, within the approved worst case.
  let contracts = Math.min(ev.contracts, Math.floor(existing.count_e2 / E2_PER_CONTRACT));
  while (contracts > 0 && worstCaseE4(contracts, ev.priceE4, ev.fee) > existing.worst_case_e4) contracts--;
  if (contracts < 1) return refuse(`at ${formatUsd(ev.priceE4)} not even one contract fits the approved ${formatUsd(existing.worst_case_e4)}`);

  if (d.funding) {
    const worst = worstCaseE4(contracts, ev.priceE4, ev.fee);
    const funding = d.funding;
    await d.executor.exclusive(() => funding.fund(new Map([[market.exchangeIndex, worst]]), transfersOpen(status.shards))).catch(() => undefined);
  }
  const result = await d.executor.execute({
    ticker: market.ticker,
    title: market.title,
    side: ev.side,
    contracts,
    priceE4: ev.priceE4,
    fee: ev.fee,
    exchangeIndex: market.exchangeIndex,
    cycleId: null,
    approvalId: id,
    edge: ev.edge,
    style: ev.style,
  });
  if (result.kind === 'cap' || result.kind === 'funds' || result.kind === 'stale') return refuse(result.reason);
  const text =
    result.kind === 'rejected' || result.kind === 'unknown'
      ? `order ${result.kind}: ${result.reason}`
      : `ordered at ${formatUsd(ev.priceE4)}: ${result.kind}, ${result.filledE2 / 100} filled`;
  journal.approvals.setOutcome(id, text);
  return finish(d, { ok: true, state: 'executed', result, approval: journal.approvals.get(id)! });
}

/** Tell the chat the outcome so the approval message can be edited. */
function finish(d: ApprovalDeps, o: ApprovalOutcome): ApprovalOutcome {
  if (o.ok) {
    d.alerter.send({
      kind: 'approval-outcome',
      mode: d.mode,
      id: o.approval.id,
      state: o.state,
      text: o.approval.outcome ?? o.state,
    });
  }
  return o;
}

/** Expire due approvals and queue their message edits. */
export function expireApprovals(d: Pick<ApprovalDeps, 'journal' | 'clock' | 'alerter' | 'mode'>): number {
  const due = d.journal.approvals.expireDue(d.clock.now());
  for (const a of due) {
    d.alerter.send({ kind: 'approval-outcome', mode: d.mode, id: a.id, state: 'expired', text: 'expired without an answer' });
  }
  return due.length;
}

export interface RaiseDeps {
  journal: Journal;
  clock: Clock;
  alerter: Alerter;
  mode: Mode;
  timeZone: string;
  approvalTtlMs: number;
  /** Ask again about a market rejected earlier the same trading day (APPROVAL_REASK_REJECTED). */
  reaskRejected?: boolean;
}

export type RaiseResult = { raised: true; id: number } | { raised: false; reason: string };

/**
 * Ask a human about a flagged trade, unless asking makes no sense: one open request per market; a market the
 * person rejected today is not asked about again; and the open requests together never ask for more than the
 * room left under the cap (each counts at its worst case, as an order would).
 */
export function raiseApproval(
  d: RaiseDeps,
  m: Pick<Market, 'ticker' | 'title'>,
  ev: { side: 'yes' | 'no'; priceE4: number; contracts: number; worstCaseE4: number; approval: string | null },
): RaiseResult {
  const { journal, clock } = d;
  const now = clock.now();
  const day = tradingDay(now, d.timeZone);
  if (journal.approvals.pendingFor(m.ticker, now)) return { raised: false, reason: 'a request for this market is already open' };
  const rejectedAt = journal.approvals.lastRejectedAt(m.ticker);
  if (!d.reaskRejected && rejectedAt !== null && tradingDay(rejectedAt, d.timeZone) === day) {
    return { raised: false, reason: 'you rejected this market today' };
  }
  const room = approvalRoomE4({
    capE4: journal.settings.get().dailyCapE4,
    atRiskE4: journal.orders.atRiskE4(day),
    openApprovalsE4: journal.approvals.pendingWorstE4(now),
  });
  if (ev.worstCaseE4 > room) {
    return { raised: false, reason: `its worst case ${formatUsd(ev.worstCaseE4)} does not fit the ${formatUsd(room)} left under the cap after the open requests` };
  }
  const expiresAt = now + d.approvalTtlMs;
  const fields = {
    ticker: m.ticker,
    title: m.title,
    side: ev.side,
    countE2: ev.contracts * E2_PER_CONTRACT,
    priceE4: ev.priceE4,
    worstCaseE4: ev.worstCaseE4,
    rule: ev.approval ?? '',
  };
  const id = journal.approvals.create({ ...fields, now, expiresAt });
  d.alerter.send({ kind: 'approval', mode: d.mode, id, ...fields, expiresAt });
  return { raised: true, id };
}
