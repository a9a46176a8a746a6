// Pure formatters: control results and alerts -> plain text. Shared by Telegram and the terminal.
import type { StatusView } from '../control/control.js';
import type { ApprovalRow } from '../journal/approvals.js';
import type { OrderRow } from '../journal/orders.js';
import type { Settings } from '../journal/settings.js';
import type { Order, Position } from '../kalshi/schemas.js';
import { formatUsd } from '../money.js';
import type { Alert, Mode } from '../notify/alerts.js';
import type { Button, Reply } from './reply.js';

export const modeTag = (mode: Mode): string => `[${mode}]`;

/** 1250 (e2) -> "12.5" contracts. */
export function contracts(e2: number): string {
  const whole = Math.trunc(e2 / 100);
  const frac = Math.abs(e2 % 100);
  return frac === 0 ? String(whole) : `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}`;
}

/** A price e4 as cents: 7100 -> "71¢", 7150 -> "71.5¢". */
export function cents(priceE4: number): string {
  const c = priceE4 / 100;
  return `${Number.isInteger(c) ? c : c.toFixed(2).replace(/0$/, '')}¢`;
}

export function localTime(ms: number, timeZone: string, withDate = false): string {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
  });
  return f.format(new Date(ms));
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}

const STATE_WORD = { running: 'RUNNING', paused: 'PAUSED (scans go on, no orders)', halted: 'HALTED (daily cap reached)' } as const;

export function formatStatus(s: StatusView, now: number, timeZone: string): string {
  const lines = [`${modeTag(s.mode)} ${STATE_WORD[s.state]}${s.halted && s.paused ? ', also paused' : ''}`];
  const c = s.lastCycle;
  if (c) {
    lines.push(
      `Last cycle #${c.id}: ${localTime(c.startedAt, timeZone)} (${ago(now - c.startedAt)} ago), took ${(c.durationMs / 1000).toFixed(1)} s`,
      `  ${c.markets} markets -> ${c.candidates} in band -> ${c.validated} validated -> ${c.orders} orders${c.error ? `\n  error: ${c.error}` : ''}`,
    );
  } else lines.push('Last cycle: none yet');
  lines.push(`Today (${s.day}) at risk: ${formatUsd(s.atRiskE4)} of ${formatUsd(s.capE4)} cap`);
  lines.push(`Open positions: ${s.openPositions ?? 'unknown (exchange not answering)'}`);
  lines.push(`Balance: ${s.balanceE4 === null ? 'unknown (exchange not answering)' : formatUsd(s.balanceE4)}`);
  // Each shard keeps its own balance: an order can only use what is free on its market's shard.
  if (s.shardBalances && s.shardBalances.length > 0) {
    lines.push(`By shard: ${s.shardBalances.map((b) => `${b.exchangeIndex}${SHARD_NAMES[b.exchangeIndex] ? ` ${SHARD_NAMES[b.exchangeIndex]}` : ''} ${formatUsd(b.balanceE4)}`).join(' · ')}`);
  }
  if (s.pendingApprovals > 0) lines.push(`Approvals waiting: ${s.pendingApprovals}`);
  lines.push(`Next cycle: ${s.nextCycleAt === null ? 'not scheduled' : `${localTime(s.nextCycleAt, timeZone)} (in ${ago(s.nextCycleAt - now)})`}`);
  if (s.skippedCycles > 0) lines.push(`Cycles skipped because the previous one ran long: ${s.skippedCycles}`);
  return lines.join('\n');
}

export function formatPositions(ps: Position[]): string {
  if (ps.length === 0) return 'No open positions.';
  const lines = ps.map((p) => {
    const side = p.positionE2 > 0 ? 'YES' : 'NO';
    return `${p.ticker}: ${contracts(Math.abs(p.positionE2))} ${side}, exposure ${formatUsd(p.exposureE4)}, realized ${formatUsd(p.realizedPnlE4)}`;
  });
  return [`Open positions (${ps.length}):`, ...lines].join('\n');
}

export function formatOrders(o: { resting: Order[]; unfinished: OrderRow[] }): string {
  const lines: string[] = [];
  lines.push(o.resting.length ? `Resting on the exchange (${o.resting.length}):` : 'No orders resting on the exchange.');
  for (const r of o.resting) {
    const price = r.outcomeSide === 'yes' ? r.yesPriceE4 : r.noPriceE4;
    lines.push(`  ${r.ticker} ${r.outcomeSide.toUpperCase()} ${contracts(r.remainingCountE2)} left of ${contracts(r.initialCountE2)} @ ${cents(price)}`);
  }
  if (o.unfinished.length) {
    lines.push(`Unfinished in the journal (${o.unfinished.length}):`);
    for (const r of o.unfinished) lines.push(`  #${r.id} ${r.ticker} ${r.side.toUpperCase()} ${contracts(r.count_e2)} @ ${cents(r.price_e4)}: ${r.state}`);
  }
  return lines.join('\n');
}

export function formatTrades(rows: OrderRow[], timeZone: string): string {
  if (rows.length === 0) return 'No trades yet.';
  const lines = rows.map(
    (r) =>
      `#${r.id} ${localTime(r.created_at, timeZone, true)} [${r.mode}] ${r.ticker} ${r.side.toUpperCase()} ` +
      `${contracts(r.filled_e2)}/${contracts(r.count_e2)} @ ${cents(r.price_e4)}: ${r.state}, cost ${formatUsd(r.fill_cost_e4)}, fee ${formatUsd(r.fees_e4)}`,
  );
  return [`Last ${rows.length} orders:`, ...lines].join('\n');
}

export function formatPnl(v: { days: number; rows: { day: string; orders: number; filled_e2: number; spent_e4: number; fees_e4: number }[] }): string {
  if (v.rows.length === 0) return `No fills in the last ${v.days} days of trading.`;
  const lines = v.rows.map((r) => `${r.day}: ${r.orders} orders, ${contracts(r.filled_e2)} contracts, spent ${formatUsd(r.spent_e4)}, fees ${formatUsd(r.fees_e4)}`);
  const spent = v.rows.reduce((a, r) => a + r.spent_e4, 0);
  const fees = v.rows.reduce((a, r) => a + r.fees_e4, 0);
  return [
    `Spending by day (last ${v.days} trading days with fills; realized P&L comes at settlement):`,
    ...lines,
    `Total: spent ${formatUsd(spent)}, fees ${formatUsd(fees)}`,
  ].join('\n');
}

const LAYER = { 2: 'layer 2 (band)', 3: 'layer 3 (validation)', 4: 'layer 4 (risk)', 5: 'execution' } as const;

export function formatWhy(v: {
  ticker: string;
  decision: { layer: 2 | 3 | 4 | 5; outcome: string; reason: string; side?: 'yes' | 'no' | null; priceE4?: number | null; cycleId: number } | undefined;
  lastCycle: { id: number } | undefined;
}): string {
  if (!v.lastCycle) return `No cycle has run yet, so there is nothing to explain for ${v.ticker}.`;
  const d = v.decision;
  if (!d) return `${v.ticker} was not in the last cycle (#${v.lastCycle.id}): unknown ticker, not open, or skipped as a bad record.`;
  const side = d.side ? ` ${d.side.toUpperCase()}` : '';
  const price = d.priceE4 != null ? ` @ ${cents(d.priceE4)}` : '';
  return `${v.ticker} in cycle #${d.cycleId}: ${d.outcome} at ${LAYER[d.layer] ?? `layer ${d.layer}`}${side}${price}\nReason: ${d.reason}`;
}

export function formatSettings(s: Settings): string {
  return [
    'Settings (change with /set <name> <value>, cap with /setcap):',
    `cap: ${formatUsd(s.dailyCapE4)} per day`,
    `paused: ${s.paused ? 'yes' : 'no'}`,
    `band: ${cents(s.bandMinE4)} to ${cents(s.bandMaxE4)}`,
    `horizon: ${s.horizonDays} days`,
    `minvolume: ${s.minVolume24h} contracts in 24 h`,
    `poslimit: ${s.positionLimit} contracts per market`,
    `maxcost: ${formatUsd(s.maxCostPerTradeE4)} per trade`,
    `exclude: ${s.excludedCategories.length ? s.excludedCategories.join(', ') : 'none'}`,
  ].join('\n');
}

// ---------- approvals ----------

export function approvalButtons(id: number): Button[][] {
  return [
    [
      { text: '✅ Approve', data: `ap:a:${id}`, typed: `/approve ${id}` },
      { text: '❌ Reject', data: `ap:r:${id}`, typed: `/reject ${id}` },
    ],
  ];
}

/** The approval alert's fields (the type flows from the Alert schema). */
type ApprovalFields = Omit<Extract<Alert, { kind: 'approval' }>, 'kind' | 'mode'>;

export function approvalFromRow(a: ApprovalRow): ApprovalFields {
  return {
    id: a.id,
    ticker: a.ticker,
    title: a.title,
    side: a.side,
    countE2: a.count_e2,
    priceE4: a.price_e4,
    worstCaseE4: a.worst_case_e4,
    rule: a.rule,
    expiresAt: a.expires_at,
  };
}

export function approvalText(mode: Mode, a: ApprovalFields, timeZone: string): string {
  return [
    `${modeTag(mode)} Approval #${a.id} needed`,
    `${a.ticker}: ${a.title}`,
    `Buy ${a.side.toUpperCase()} ${contracts(a.countE2)} @ ${cents(a.priceE4)}, worst case ${formatUsd(a.worstCaseE4)}`,
    `Rule: ${a.rule || 'approval required'}`,
    `Expires ${localTime(a.expiresAt, timeZone)}`,
  ].join('\n');
}

const OUTCOME_WORD: Record<string, string> = {
  executed: '✅ APPROVED',
  rejected: '❌ REJECTED',
  refused: '⛔ APPROVED, BUT REFUSED',
  expired: '⌛ EXPIRED',
  approved: '✅ APPROVED',
  pending: 'still waiting',
};

export function approvalOutcomeLine(state: string, text: string): string {
  return `→ ${OUTCOME_WORD[state] ?? state.toUpperCase()}: ${text}`;
}

// ---------- alerts ----------

/** The text (and buttons) of an alert message. Every alert starts with its mode tag. */
export function formatAlert(alert: Alert, timeZone: string): Reply {
  const tag = modeTag(alert.mode);
  switch (alert.kind) {
    case 'order': {
      const filled = `${contracts(alert.filledE2)}/${contracts(alert.countE2)}`;
      const verb = alert.mode === 'DRY-RUN' ? 'PAPER fill (not sent)' : alert.filledE2 === alert.countE2 ? 'Order filled' : 'Order partly filled';
      return {
        text: [
          `${tag} ${verb}: ${alert.ticker}`,
          alert.title,
          `Bought ${alert.side.toUpperCase()} ${filled} contracts @ ${cents(alert.priceE4)} (${alert.state})`,
          `Cost ${formatUsd(alert.costE4)}, fee ${formatUsd(alert.feesE4)}`,
          `At risk today: ${formatUsd(alert.atRiskE4)} of ${formatUsd(alert.capE4)} cap`,
        ].join('\n'),
      };
    }
    case 'halt':
      return {
        text: `${tag} 🛑 Trading HALTED for ${alert.day}: ${alert.reason}\nAt risk ${formatUsd(alert.atRiskE4)} of ${formatUsd(alert.capE4)} cap. Scans go on; raise the cap with /setcap to resume today.`,
      };
    case 'approval':
      return { text: approvalText(alert.mode, alert, timeZone), buttons: approvalButtons(alert.id) };
    case 'approval-outcome':
      return { text: `${tag} Approval #${alert.id} ${approvalOutcomeLine(alert.state, alert.text)}` };
    case 'error':
      return { text: `${tag} ⚠️ ${alert.message}` };
    case 'reconcile':
      return {
        text:
          alert.checked === 0
            ? `${tag} Started: no unfinished orders to reconcile. Scanning begins now; /status for details.`
            : `${tag} Started. Reconciliation: ${alert.checked} unfinished orders checked, ${alert.settled} settled, ` +
              `${alert.canceled} canceled, ${alert.notSent} never sent, ${alert.unresolved} unresolved` +
              (alert.unresolved > 0 ? '\n⚠️ Some orders could not be resolved: check /orders.' : ''),
      };
    case 'summary':
      return {
        text: [
          `${tag} Daily summary ${alert.day} (heartbeat: the bot is alive)`,
          `${alert.cycles} cycles, ${alert.orders} orders, ${contracts(alert.filledE2)} contracts filled`,
          `Spent ${formatUsd(alert.spentE4)}, fees ${formatUsd(alert.feesE4)}`,
          `At risk ${formatUsd(alert.atRiskE4)} of ${formatUsd(alert.capE4)} cap`,
          `State: ${alert.halted ? 'HALTED' : alert.paused ? 'PAUSED' : 'running'}`,
        ].join('\n'),
      };
    case 'info':
      return { text: `${tag} ${alert.message}` };
  }
}

/** The "late" marker put in front of an alert delivered long after it was queued. */
export function lateMarker(lateMs: number): string {
  return `⏱ delayed ${ago(lateMs)}`;
}

/** Kalshi's shard map as observed (the market's own exchange_index is what routes; this only labels /status). */
const SHARD_NAMES: Record<number, string> = { 0: 'default', 1: 'combos', 2: 'crypto', 3: 'sports' };
