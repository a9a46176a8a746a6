// Pure formatters: control results and alerts -> Telegram HTML (every interpolated string escaped; the terminal
// shows it with the tags removed). Shared by Telegram and the terminal. Conventions for a phone: the human title
// first and the ticker after it, prices in cents, money in dollars, the number that matters in bold, dates with
// their zone.
import type { StatusView } from '../control/control.js';
import type { ApprovalRow } from '../journal/approvals.js';
import type { OrderRow } from '../journal/orders.js';
import type { Settings } from '../journal/settings.js';
import type { Order } from '../kalshi/schemas.js';
import { formatUsd } from '../money.js';
import type { Alert, Mode, OrderAlert } from '../notify/alerts.js';
import { type EdgeView, edgeSummary, pctText, ppText } from '../rules/edge.js';
import { b, code, esc } from './html.js';
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

/** A local time with its zone: "14:05 ET", or with the date "2026-12-01 14:05 ET" (never an ambiguous day/month). */
export function localTime(ms: number, timeZone: string, withDate = false): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    timeZoneName: 'shortGeneric',
  }).formatToParts(new Date(ms));
  const p = (t: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === t)?.value ?? '';
  const time = `${p('hour')}:${p('minute')} ${p('timeZoneName')}`;
  return withDate ? `${p('year')}-${p('month')}-${p('day')} ${time}` : time;
}

/** A market as a person reads it: its title, then the ticker. */
export function marketName(title: string, ticker: string): string {
  return title ? `${esc(title)} · ${code(ticker)}` : code(ticker);
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
  const lines = [`${modeTag(s.mode)} ${b(STATE_WORD[s.state])}${s.halted && s.paused ? ', also paused' : ''}`];
  if (s.runningCycle) lines.push(`Cycle #${s.runningCycle.id} running (started ${ago(now - s.runningCycle.startedAt)} ago)`);
  const c = s.lastCycle;
  if (c) {
    lines.push(
      `Last cycle #${c.id}: ${localTime(c.startedAt, timeZone)} (${ago(now - c.startedAt)} ago), took ${(c.durationMs / 1000).toFixed(1)} s`,
      `  ${c.markets} markets → ${c.candidates} in band → ${c.validated} validated → ${c.orders} orders${c.error ? `\n  error: ${esc(c.error)}` : ''}`,
    );
  } else lines.push('Last cycle: none yet');
  lines.push(`Today (${s.day}) at risk: ${b(formatUsd(s.atRiskE4))} of ${formatUsd(s.capE4)} cap${s.capSource === 'journal' ? ' (set in chat)' : ''}`);
  lines.push(`Open positions: ${s.openPositions ?? 'unknown (exchange not answering)'}`);
  lines.push(`Balance: ${s.balanceE4 === null ? 'unknown (exchange not answering)' : formatUsd(s.balanceE4)}`);
  // Each shard keeps its own balance: an order can only use what is free on its market's shard.
  if (s.shardBalances && s.shardBalances.length > 0) {
    lines.push(`By shard: ${s.shardBalances.map((x) => `${x.exchangeIndex}${SHARD_NAMES[x.exchangeIndex] ? ` ${SHARD_NAMES[x.exchangeIndex]}` : ''} ${formatUsd(x.balanceE4)}`).join(' · ')}`);
  }
  if (s.pendingApprovals > 0) lines.push(`Approvals waiting: ${b(s.pendingApprovals)} (/approvals)`);
  const next = s.runningCycle
    ? `after cycle #${s.runningCycle.id}`
    : s.nextCycleAt === null
      ? 'not scheduled'
      : `${localTime(s.nextCycleAt, timeZone)} (in ${ago(s.nextCycleAt - now)})`;
  if (s.stream && !s.runningCycle && s.nextCycleAt !== null) {
    // Stream mode: the loop's ticks run a full scan only when one is due; prices come from the stream in between.
    const h = s.stream;
    const at = h.scanDueBecause !== null || h.nextScanAt === null ? s.nextCycleAt : Math.max(h.nextScanAt, s.nextCycleAt);
    const why = h.scanDueBecause !== null ? `due now: ${h.scanDueBecause}` : 'prices come from the stream until then';
    lines.push(`Next full scan: ${at === s.nextCycleAt ? '' : 'about '}${localTime(at, timeZone)} (in ${ago(at - now)}; ${why})`);
  } else lines.push(`Next cycle: ${next}`);
  if (s.skippedCycles > 0) lines.push(`Cycles skipped because the previous one ran long: ${s.skippedCycles}`);
  if (s.stream) lines.push(formatStreamHealth(s.stream));
  return lines.join('\n');
}

/** /status's stream line: connected since, messages per second, last message age, gaps recovered, markets fresh. */
export function formatStreamHealth(h: NonNullable<StatusView['stream']>): string {
  const since = h.connectedForMs !== null ? `connected for ${ago(h.connectedForMs)}` : b('disconnected');
  const last = h.lastMessageAgeMs === null ? 'no message yet' : `last message ${ago(h.lastMessageAgeMs)} ago`;
  return `Stream: ${since}, ${h.messagesPerSecond} msg/s, ${last}, ${h.gapsRecovered}/${h.gaps} gaps recovered, ${h.marketsFresh} of ${h.markets} markets fresh, ${h.reconnects} reconnects`;
}

export function formatOrders(o: { resting: Order[]; unfinished: OrderRow[] }): string {
  const lines: string[] = [];
  lines.push(o.resting.length ? `Resting on the exchange (${o.resting.length}):` : 'No orders resting on the exchange.');
  for (const r of o.resting) {
    const price = r.outcomeSide === 'yes' ? r.yesPriceE4 : r.noPriceE4;
    lines.push(`  ${code(r.ticker)} ${r.outcomeSide.toUpperCase()} ${contracts(r.remainingCountE2)} left of ${contracts(r.initialCountE2)} @ ${cents(price)}`);
  }
  if (o.unfinished.length) {
    lines.push(`Unfinished in the journal (${o.unfinished.length}):`);
    for (const r of o.unfinished) lines.push(`  #${r.id} ${marketName(r.title, r.ticker)} ${r.side.toUpperCase()} ${contracts(r.count_e2)} @ ${cents(r.price_e4)}: ${esc(r.state)}`);
  }
  return lines.join('\n');
}

/** One line per order, so a long list can be split between lines (never inside one). */
export function formatTrades(rows: OrderRow[], timeZone: string): string {
  if (rows.length === 0) return 'No trades yet.';
  const lines = rows.map(
    (r) =>
      `#${r.id} ${localTime(r.created_at, timeZone, true)} [${r.mode}] ${marketName(r.title, r.ticker)} ${r.side.toUpperCase()} ` +
      `${contracts(r.filled_e2)}/${contracts(r.count_e2)} @ ${cents(r.price_e4)}: ${esc(r.state)}, cost ${b(formatUsd(r.fill_cost_e4))}, fee ${formatUsd(r.fees_e4)}`,
  );
  return [`Last ${rows.length} orders:`, ...lines].join('\n');
}

/** An order's price, honestly: its after-fee break-even and the calibrated edge (lower 95% bound - break-even). */
function orderEdgeLine(o: OrderAlert): string {
  const be = `Break-even ${b(pctText(o.breakEvenE4 ?? 0))} after fees`;
  return o.edgeE4 == null ? `${be}; edge not calibrated yet` : `${be}; calibrated edge ${b(ppText(o.edgeE4))} (lower 95% bound)`;
}

const LAYER = { 2: 'layer 2 (band)', 3: 'layer 3 (validation)', 4: 'layer 4 (risk)', 5: 'execution' } as const;

export function formatWhy(v: {
  ticker: string;
  decision: { layer: 2 | 3 | 4 | 5; outcome: string; reason: string; side?: 'yes' | 'no' | null; priceE4?: number | null; cycleId: number } | undefined;
  lastCycle: { id: number } | undefined;
  /** The price at the decision, honestly: break-even after fees and the calibrated edge (when side and price are known). */
  edge?: EdgeView | null;
}): string {
  if (!v.lastCycle) return `No cycle has run yet, so there is nothing to explain for ${code(v.ticker)}.`;
  const d = v.decision;
  if (!d) return `${code(v.ticker)} was not in the last cycle (#${v.lastCycle.id}): unknown ticker, not open, or skipped as a bad record.`;
  const side = d.side ? ` ${d.side.toUpperCase()}` : '';
  const price = d.priceE4 != null ? ` @ ${cents(d.priceE4)}` : '';
  const edge = v.edge ? `\nPrice: ${esc(edgeSummary(v.edge))}` : '';
  return `${code(v.ticker)} in cycle #${d.cycleId}: ${b(d.outcome)} at ${LAYER[d.layer] ?? `layer ${d.layer}`}${side}${price}\nReason: ${esc(d.reason)}${edge}`;
}

/** Every line is named as /set (or the command that changes it) accepts it. */
export function formatSettings(s: Settings): string {
  return [
    'Settings (change with /set &lt;name&gt; &lt;value&gt;):',
    `cap: ${b(formatUsd(s.dailyCapE4))} per day (/setcap)`,
    `paused: ${s.paused ? 'yes' : 'no'} (/pause, /resume)`,
    `band: ${cents(s.bandMinE4)} to ${cents(s.bandMaxE4)}`,
    `horizon: ${s.horizonDays} days`,
    `minvolume: ${s.minVolume24h} contracts in 24 h`,
    `poslimit: ${s.positionLimit} contracts per market`,
    `maxcost: ${formatUsd(s.maxCostPerTradeE4)} per trade`,
    `exclude: ${s.excludedCategories.length ? esc(s.excludedCategories.join(', ')) : 'none'}`,
    `notify: ${formatNotifyInline(s.notify)} (/notify)`,
  ].join('\n');
}

export function formatNotifyInline(n: Settings['notify']): string {
  return Object.entries(n)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

export function formatNotify(n: Settings['notify'], changed?: boolean): string {
  const head = changed === undefined ? 'Notifications' : changed ? 'Notifications changed' : 'Notifications unchanged';
  return [
    `${head} (on = with sound, silent = no sound, off = not sent):`,
    ...Object.entries(n).map(([k, v]) => `${k}: ${b(v)}`),
    'Change with /notify &lt;kind&gt; &lt;on|silent|off&gt;, e.g. /notify fills silent. Halts can be silent, never off.',
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
    marketName(a.title, a.ticker),
    `Buy ${b(`${a.side.toUpperCase()} ${contracts(a.countE2)} @ ${cents(a.priceE4)}`)}, worst case ${b(formatUsd(a.worstCaseE4))}`,
    `Rule: ${esc(a.rule || 'approval required')}`,
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
  return `→ ${b(OUTCOME_WORD[state] ?? state.toUpperCase())}: ${esc(text)}`;
}

// ---------- alerts ----------

/** A signed amount of money: "+$1.32" / "−$4.68". */
export function signedUsd(e4: number): string {
  return e4 < 0 ? `−${formatUsd(-e4)}` : `+${formatUsd(e4)}`;
}

/** Lines of a digest message (kept under Telegram's limit: the rest is counted, and /trades lists them all). */
const DIGEST_MAX_LINES = 25;

/** The text (and buttons) of an alert message. Every alert starts with its mode tag. */
export function formatAlert(alert: Alert, timeZone: string): Reply {
  const tag = modeTag(alert.mode);
  switch (alert.kind) {
    case 'order': {
      const filled = `${contracts(alert.filledE2)}/${contracts(alert.countE2)}`;
      const verb = alert.mode === 'DRY-RUN' ? 'PAPER fill (not sent)' : alert.filledE2 === alert.countE2 ? 'Order filled' : 'Order partly filled';
      return {
        text: [
          `${tag} ${verb}`,
          marketName(alert.title, alert.ticker),
          `Bought ${b(`${alert.side.toUpperCase()} ${filled}`)} contracts @ ${cents(alert.priceE4)} (${esc(alert.state)})`,
          `Cost ${b(formatUsd(alert.costE4))}, fee ${formatUsd(alert.feesE4)}`,
          ...(alert.breakEvenE4 !== undefined ? [orderEdgeLine(alert)] : []),
          `At risk today: ${formatUsd(alert.atRiskE4)} of ${formatUsd(alert.capE4)} cap`,
        ].join('\n'),
      };
    }
    case 'digest': {
      const spent = alert.orders.reduce((a, o) => a + o.costE4, 0);
      const fees = alert.orders.reduce((a, o) => a + o.feesE4, 0);
      const paper = alert.mode === 'DRY-RUN' ? ' (paper, not sent)' : '';
      const lines = alert.orders
        .slice(0, DIGEST_MAX_LINES)
        .map(
          (o) =>
            `• ${marketName(o.title, o.ticker)}: ${o.side.toUpperCase()} ${contracts(o.filledE2)}/${contracts(o.countE2)} @ ${cents(o.priceE4)} ${formatUsd(o.costE4)}` +
            (o.breakEvenE4 !== undefined ? ` · break-even ${pctText(o.breakEvenE4)}, edge ${o.edgeE4 == null ? 'n/a' : ppText(o.edgeE4)}` : ''),
        );
      const more = alert.orders.length - DIGEST_MAX_LINES;
      return {
        text: [
          `${tag} Cycle #${alert.cycleId}: ${b(alert.orders.length)} orders filled${paper}, spent ${b(formatUsd(spent))}, fees ${formatUsd(fees)}`,
          ...lines,
          ...(more > 0 ? [`… and ${more} more (/trades ${Math.min(50, alert.orders.length)})`] : []),
          `At risk today: ${b(formatUsd(alert.atRiskE4))} of ${formatUsd(alert.capE4)} cap`,
        ].join('\n'),
      };
    }
    case 'settlement': {
      const pnl = alert.revenueE4 - alert.costE4;
      const verdict = pnl > 0 ? '🟢 WON' : pnl < 0 ? '🔴 LOST' : 'EVEN';
      const held = alert.side ? `${contracts(alert.contractsE2)} ${alert.side.toUpperCase()}` : `${contracts(alert.contractsE2)} contracts`;
      return {
        text: [
          `${tag} Settled: ${b(verdict)} ${b(signedUsd(pnl))}`,
          marketName(alert.title, alert.ticker),
          `Result ${esc(alert.result.toUpperCase())}; held ${held}; paid ${formatUsd(alert.costE4)}, got ${formatUsd(alert.revenueE4)}`,
          `Realized P&amp;L on ${alert.day}: ${b(signedUsd(alert.dayRealizedE4))}`,
        ].join('\n'),
      };
    }
    case 'halt':
      return {
        text: `${tag} 🛑 ${b(`Trading HALTED for ${alert.day}`)}: ${esc(alert.reason)}\nAt risk ${b(formatUsd(alert.atRiskE4))} of ${formatUsd(alert.capE4)} cap. Scans go on; raise the cap with /setcap to resume today.`,
      };
    case 'approval':
      return { text: approvalText(alert.mode, alert, timeZone), buttons: approvalButtons(alert.id) };
    case 'approval-outcome':
      return { text: `${tag} Approval #${alert.id} ${approvalOutcomeLine(alert.state, alert.text)}` };
    case 'error':
      return { text: `${tag} ⚠️ ${esc(alert.message)}` };
    case 'reconcile': {
      const head =
        alert.checked === 0
          ? `${tag} ${b('Started')}: no unfinished orders to reconcile.`
          : `${tag} ${b('Started')}. Reconciliation: ${alert.checked} unfinished orders checked, ${alert.settled} settled, ` +
            `${alert.canceled} canceled, ${alert.notSent} never sent, ${alert.unresolved} unresolved` +
            (alert.unresolved > 0 ? '\n⚠️ Some orders could not be resolved: check /orders.' : '');
      const lines = [head];
      if (alert.capE4 !== undefined && alert.atRiskE4 !== undefined) {
        const state = alert.halted ? `${b('HALTED')} for today${alert.paused ? ', also paused' : ''}` : alert.paused ? b('PAUSED') : 'trading';
        lines.push(`Today: at risk ${b(formatUsd(alert.atRiskE4))} of ${formatUsd(alert.capE4)} cap; ${state}.`);
        if (alert.configCapE4 !== undefined && alert.configCapE4 !== alert.capE4) {
          lines.push(`The cap in force is ${formatUsd(alert.capE4)}, set in chat and kept in the journal; DAILY_LOSS_CAP says ${formatUsd(alert.configCapE4)} (/setcap to change).`);
        }
      }
      if (alert.earlierSimOrders) {
        lines.push(
          `The simulated exchange starts fresh each run: its positions and balance begin again, while the journal keeps ${alert.earlierSimOrders} orders from earlier runs (/trades). Point DB_PATH at a new file for a clean slate.`,
        );
      }
      lines.push('Scanning begins now; /status for details.');
      return { text: lines.join('\n') };
    }
    case 'summary':
      return {
        text: [
          `${tag} Daily summary ${alert.day} (heartbeat: the bot is alive)`,
          `${alert.cycles} cycles, ${alert.orders} orders, ${contracts(alert.filledE2)} contracts filled`,
          `Spent ${b(formatUsd(alert.spentE4))}, fees ${formatUsd(alert.feesE4)}`,
          `At risk ${formatUsd(alert.atRiskE4)} of ${formatUsd(alert.capE4)} cap`,
          `State: ${alert.halted ? `HALTED${alert.paused ? ', also paused' : ''}` : alert.paused ? 'PAUSED' : 'running'}`,
        ].join('\n'),
      };
    case 'info':
      return { text: `${tag} ${esc(alert.message)}` };
    case 'stopped':
      return { text: `${tag} ${b('Stopped')}; ${alert.delivered} alerts delivered this run${alert.queued > 0 ? `, ${alert.queued} still queued (they go out at the next start)` : ''}.` };
  }
}

/** The "late" marker put in front of an alert delivered long after it was queued. */
export function lateMarker(lateMs: number): string {
  return `⏱ delayed ${ago(lateMs)}`;
}

/** Kalshi's shard map as observed (the market's own exchange_index is what routes; this only labels /status). */
export const SHARD_NAMES: Record<number, string> = { 0: 'default', 1: 'combos', 2: 'crypto', 3: 'sports' };
