// Every chat command in one place, transport-agnostic: parse the arguments, call Control, format.
// The grammY features and the terminal both call `runCommand` / `runCallback`; nothing here knows grammY.
import type { Clock } from '../clock.js';
import type { Control, SetCapResult } from '../control/control.js';
import { settableHelp } from '../control/args.js';
import { PNL_COMMANDS } from './commands-pnl.js';
import { CALIBRATION_COMMANDS } from './commands-calibration.js';
import { formatPriceE4, formatUsd } from '../money.js';
import type { Mode } from '../notify/alerts.js';
import type { ApprovalOutcome } from '../pipeline/approvals.js';
import {
  approvalFromRow,
  approvalOutcomeLine,
  approvalText,
  formatOrders,
  formatSettings,
  formatStatus,
  formatTrades,
  formatNotify,
  formatWhy,
  cents,
  contracts,
  marketName,
  modeTag,
} from './format.js';
import { b, esc } from './html.js';
import { type Button, type Reply, reply } from './reply.js';

export interface CommandDeps {
  control: Control;
  mode: Mode;
  clock: Clock;
  timeZone: string;
  /** How long a confirm button (/stopall, a big /setcap) stays valid. Default 5 min. */
  confirmTtlMs?: number;
  /** Single-use confirmation tokens already spent (per process). */
  spent?: Set<string>;
  /** 'telegram' shows buttons; 'console' tells what to type. */
  transport: 'telegram' | 'console';
}

export interface CommandSpec {
  name: string;
  args?: string;
  description: string;
  /** Changes something: a transport refuses it when the message is stale (sent while the bot was down). */
  mutating?: boolean;
  /** Without `args`, text after the command is refused with a usage line; `ownArgs`: run() reads (or ignores) it itself. */
  ownArgs?: boolean;
  run(d: CommandDeps, args: string, by: string): Promise<Reply> | Reply;
}

const CONFIRM_WORD = /(?:^|\s+)(confirm|yes)$/i;
/** /stopall takes nothing but the confirming word. */
const ONLY_CONFIRM_WORD = /^(confirm|yes)$/i;
/** A typed "confirm" stands in for the confirming tap only in the terminal; in Telegram the tap is required. */
const typedConfirm = (d: CommandDeps, args: string) => d.transport === 'console' && CONFIRM_WORD.test(args);
const confirmTtl = (d: CommandDeps) => d.confirmTtlMs ?? 5 * 60_000;
const CANCEL: Button = { text: 'Cancel', data: 'x', typed: '(do nothing)' };
const REFRESH_STATUS: Button = { text: '🔄 Refresh', data: 'st:r', typed: '/status' };

/** The everyday commands, on the keyboard below the text box (sent with /start and /help). */
export const EVERYDAY_KEYBOARD: string[][] = [
  ['/status', '/positions', '/pnl'],
  ['/approvals', '/pause', '/resume'],
];

const describeError = (err: unknown) => (err instanceof Error ? err.message : String(err));

function setCapReply(d: CommandDeps, r: SetCapResult, text: string): Reply {
  if (!r.ok) return reply(esc(r.error));
  if (r.needsConfirm) {
    const amount = text.trim();
    return reply(
      `Raise the daily cap from ${formatUsd(r.oldE4)} to ${formatUsd(r.newE4)}? That is more than twice the current cap: confirm to apply.`,
      [[{ text: `Yes, set ${formatUsd(r.newE4)}`, data: `cap:${r.newE4}:${r.oldE4}:${d.clock.now()}`, typed: `/setcap ${amount} confirm` }, CANCEL]],
    );
  }
  const lines = [`Daily cap set: ${formatUsd(r.oldE4)} → ${b(formatUsd(r.newE4))} (at risk today ${formatUsd(r.atRiskE4)}).`];
  if (r.liftedHalt) lines.push("Today's halt is lifted: orders may be sent again.");
  if (r.stillHalted) lines.push(`Still HALTED: above today's ${formatUsd(r.atRiskE4)} at risk, the new cap leaves no room for one contract.`);
  return reply(lines.join('\n'));
}

export function approvalOutcomeText(o: ApprovalOutcome, id: string): string {
  if (!o.ok) {
    if (o.error === 'not-found') return `No approval #${id.replace(/^#/, '')}.`;
    if (o.error === 'expired') return `Approval #${o.approval?.id ?? id} has expired: nothing was done.`;
    return `Approval #${o.approval?.id ?? id} was already answered (${o.approval?.state ?? 'decided'}${o.approval?.outcome ? `: ${o.approval.outcome}` : ''}).`;
  }
  const a = o.approval;
  if (o.state === 'rejected') return `Approval #${a.id} rejected: no order.`;
  if (o.state === 'refused') return `Approval #${a.id} approved, but refused: ${o.reason}. No order.`;
  return `Approval #${a.id} approved: ${a.outcome ?? o.result.kind}.`;
}

/** What is waiting, one button pair each, plus Approve all / Reject all (those ask for a confirming tap). */
function approvalsList(d: CommandDeps): Reply {
  const open = d.control.pendingApprovals();
  if (open.length === 0) return reply(`${modeTag(d.mode)} No approvals waiting.`);
  const lines = open.map(
    (a) => `#${a.id} ${marketName(a.title, a.ticker)}: ${a.side.toUpperCase()} ${contracts(a.count_e2)} @ ${cents(a.price_e4)}, worst case ${b(formatUsd(a.worst_case_e4))}`,
  );
  const worst = open.reduce((s, a) => s + a.worst_case_e4, 0);
  const rows: Button[][] = open.map((a) => [
    { text: `✅ #${a.id}`, data: `ap:a:${a.id}`, typed: `/approve ${a.id}` },
    { text: `❌ #${a.id}`, data: `ap:r:${a.id}`, typed: `/reject ${a.id}` },
  ]);
  if (open.length > 1) {
    const now = d.clock.now();
    rows.push([
      { text: '✅ Approve all', data: `apall:a:${now}`, typed: open.map((a) => `/approve ${a.id}`).join('; ') },
      { text: '❌ Reject all', data: `apall:r:${now}`, typed: open.map((a) => `/reject ${a.id}`).join('; ') },
    ]);
  }
  return reply([`${modeTag(d.mode)} ${b(open.length)} approvals waiting (worst case together ${formatUsd(worst)}):`, ...lines].join('\n'), rows);
}

async function decide(d: CommandDeps, args: string, by: string, answer: 'approve' | 'reject'): Promise<Reply> {
  // No id: act on the only one, or show them all to choose from.
  if (args.trim() === '') {
    const open = d.control.pendingApprovals();
    if (open.length !== 1) return approvalsList(d);
    args = String(open[0]!.id);
  }
  const r = answer === 'approve' ? await d.control.approve(by, args) : await d.control.reject(by, args);
  if (!r.ok) return reply(esc(r.error));
  return reply(`${modeTag(d.mode)} ${esc(approvalOutcomeText(r.value, args))}`);
}

function stopAllButtons(d: CommandDeps): Button[][] {
  return [[{ text: '🛑 Yes: cancel all and pause', data: `stop:${d.clock.now()}`, typed: '/stopall confirm' }, CANCEL]];
}

async function stopAllNow(d: CommandDeps, by: string): Promise<Reply> {
  const r = await d.control.stopAll(by);
  if (r.dryRun) return reply(`${modeTag(d.mode)} Stopped: paused. Dry run: nothing was sent to the exchange, so nothing was canceled there. /resume to trade again.`);
  return reply(
    r.unverified
      ? `${modeTag(d.mode)} Stopped: paused, and a cancel of every resting order was sent, but the order list could not be read to confirm it${r.failed ? ` (${r.failed} still resting)` : ''}: check /orders. /resume to trade again.`
      : `${modeTag(d.mode)} Stopped: paused, ${r.canceled} resting orders canceled${r.failed ? `, ${r.failed} could not be canceled (check /orders)` : ''}. /resume to trade again.`,
  );
}

export const COMMANDS: CommandSpec[] = [
  // /start may carry a deep-link payload and "/help setcap" is a fair question: both answer with the help.
  { name: 'start', description: 'What this bot does', ownArgs: true, run: (d) => helpReply(d) },
  { name: 'help', description: 'Mode, what the bot is doing, commands', ownArgs: true, run: (d) => helpReply(d) },
  {
    name: 'status',
    description: 'Mode, state, last cycle, at risk vs cap',
    run: async (d) => reply(formatStatus(await d.control.status(), d.clock.now(), d.timeZone), [[REFRESH_STATUS]]),
  },
  {
    name: 'pause',
    mutating: true,
    description: 'Stop sending orders (scans go on)',
    run: (d, _a, by) => {
      const r = d.control.pause(by);
      return reply(`${modeTag(d.mode)} ${r.changed ? 'Paused' : 'Already paused'}: no orders will be sent; scans go on. /resume to trade again.`);
    },
  },
  {
    name: 'resume',
    mutating: true,
    description: 'Send orders again (does not lift a cap halt)',
    run: (d, _a, by) => {
      const r = d.control.resume(by);
      const head = `${modeTag(d.mode)} ${r.changed ? 'Resumed' : 'Not paused'}.`;
      return reply(r.halted ? `${head} But trading is still HALTED for today by the daily cap: /resume does not lift it; raise the cap with /setcap.` : `${head} Orders will be sent from the next cycle.`);
    },
  },
  {
    name: 'setcap',
    args: '<dollars>',
    description: 'Set the daily loss cap',
    mutating: true,
    run: (d, args, by) => {
      const confirmed = typedConfirm(d, args);
      const text = args.replace(CONFIRM_WORD, '');
      return setCapReply(d, d.control.setCap(by, text, { confirmed }), text);
    },
  },
  { name: 'approvals', description: 'What waits for your answer, with buttons', run: (d) => approvalsList(d) },
  { name: 'approve', args: '[id]', description: 'Approve a flagged trade (the only one, or pick)', mutating: true, run: (d, args, by) => decide(d, args, by, 'approve') },
  { name: 'reject', args: '[id]', description: 'Reject a flagged trade (the only one, or pick)', mutating: true, run: (d, args, by) => decide(d, args, by, 'reject') },
  // /positions, /pnl, /balance, /profit, /daily, /performance: src/chat/commands-pnl.ts.
  ...PNL_COMMANDS,
  // /calibration: src/chat/commands-calibration.ts.
  ...CALIBRATION_COMMANDS,
  { name: 'orders', description: 'Resting and unfinished orders', run: async (d) => reply((formatOrders(await d.control.orders()))) },
  {
    name: 'trades',
    args: '[n]',
    description: 'Last n orders (default 10)',
    run: (d, args) => {
      const r = d.control.trades(args);
      return reply(r.ok ? formatTrades(r.value, d.timeZone) : esc(r.error));
    },
  },
  {
    name: 'why',
    args: '<ticker>',
    description: 'Why a market was or was not traded',
    run: (d, args) => {
      const r = d.control.why(args);
      return reply(r.ok ? formatWhy(r.value) : esc(r.error));
    },
  },
  { name: 'settings', description: 'Current settings', run: (d) => reply(formatSettings(d.control.settings())) },
  {
    name: 'notify',
    args: '[kind on|silent|off]',
    description: 'Which alerts ring, per kind',
    mutating: true,
    run: (d, args, by) => {
      const r = d.control.notify(by, args);
      return reply(r.ok ? formatNotify(r.value.notify, args.trim() === '' ? undefined : r.value.changed) : esc(r.error));
    },
  },
  {
    name: 'set',
    args: '<name> <value>',
    description: 'Change a setting (band, horizon, ...)',
    mutating: true,
    run: (d, args, by) => {
      const confirmed = typedConfirm(d, args);
      const text = args.replace(CONFIRM_WORD, '');
      const r = d.control.set(by, text, { confirmed });
      if (!r.ok) return reply(esc(r.error));
      if (r.value.needsConfirm) {
        const data = `set:${d.clock.now()}:${text.trim()}`;
        // Callback data holds at most 64 bytes: a longer value is confirmed by typing it again with "confirm".
        const fits = Buffer.byteLength(data) <= 64;
        return reply(
          `${b(`/set ${esc(text.trim())}`)} means ${esc(r.value.needsConfirm)}. ${fits && d.transport === 'telegram' ? 'Confirm to apply.' : `Send /set ${esc(text.trim())} confirm to apply.`}`,
          fits ? [[{ text: 'Yes, apply it', data, typed: `/set ${text.trim()} confirm` }, CANCEL]] : undefined,
        );
      }
      return reply(`${r.value.changed ? 'Changed' : 'Unchanged'} ${esc(r.value.name)}.\n${formatSettings(r.value.settings)}`);
    },
  },
  {
    name: 'export',
    args: '[since] [until]',
    description: 'The journal as a CSV file (orders, fills, settlements, transfers)',
    run: (d, args) => {
      const r = d.control.exportCsv(args);
      if (!r.ok) return reply(esc(r.error));
      return {
        text: `${modeTag(d.mode)} Journal export: ${b(r.value.rows)} rows (${esc(r.value.filename)}). Money in dollars, times in ${esc(d.timeZone)}.`,
        document: { bytes: Buffer.from(r.value.csv, 'utf8'), filename: r.value.filename },
      };
    },
  },
  {
    name: 'stopall',
    description: 'Cancel every resting order and pause (asks first)',
    mutating: true,
    ownArgs: true,
    run: (d, args, by) => {
      const word = args.trim();
      if (word !== '' && !ONLY_CONFIRM_WORD.test(word)) {
        return reply(`Usage: /stopall (no arguments), then ${d.transport === 'console' ? 'type /stopall confirm' : 'tap to confirm'}. Nothing was changed.`);
      }
      if (d.transport === 'console' && word !== '') return stopAllNow(d, by);
      return reply('Cancel EVERY resting order and pause trading?', stopAllButtons(d));
    },
  },
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));

/** The spec for a command name (case-insensitive), or undefined. */
export const findCommand = (name: string): CommandSpec | undefined => BY_NAME.get(name.toLowerCase());

/** The line a command shows in a menu: its arguments, then what it does. */
export const menuDescription = (c: CommandSpec): string => (c.args ? `${c.args} ${c.description}` : c.description);

/** /start is routed but not listed: Telegram's own Start button sends it. */
export const inMenu = (name: string): boolean => name !== 'start';

const withKeyboard = (text: string): Reply => ({ text, keyboard: EVERYDAY_KEYBOARD });

function helpReply(d: CommandDeps): Reply {
  const modeLine: Record<Mode, string> = {
    SIM: 'SIM: trading against the built-in simulated exchange (no real money).',
    DEMO: "DEMO: trading on Kalshi's demo environment (play money).",
    'DRY-RUN': 'DRY-RUN: reading Kalshi production, orders are journaled as paper fills and never sent.',
    LIVE: 'LIVE: REAL orders with real money on Kalshi production.',
  };
  const cmds = COMMANDS.filter((c) => inMenu(c.name)).map((c) => esc(`/${c.name}${c.args ? ` ${c.args}` : ''}: ${c.description}`));
  const confirm =
    d.transport === 'console'
      ? 'In the terminal, confirm with a trailing word: /setcap 200 confirm, /stopall confirm.'
      : 'Big cap raises and /stopall ask for a confirming tap.';
  return withKeyboard(
    [
      `${modeTag(d.mode)} ${b('Kalshi band bot')}`,
      'Every cycle it scans the whole Kalshi universe for markets priced in the band, validates them, and buys within the daily loss cap.',
      modeLine[d.mode],
      '',
      ...cmds,
      `Settings for /set:\n${esc(settableHelp())}`,
      confirm,
    ].join('\n'),
  );
}

/** Every reply carries the mode tag, confirmations that move money most of all. */
function tagged(d: CommandDeps, r: Reply): Reply {
  const tag = modeTag(d.mode);
  return r.text.startsWith(tag) ? r : { ...r, text: `${tag} ${r.text}` };
}

/** Run one command; unknown commands answer with a pointer to /help. Errors become a reply, never a crash. */
export async function runCommand(d: CommandDeps, name: string, args: string, by: string): Promise<Reply> {
  const spec = findCommand(name);
  if (!spec) return reply(`Unknown command /${esc(name.slice(0, 32))}. Send /help for the list.`);
  if (spec.args === undefined && !spec.ownArgs && args.trim() !== '') {
    return reply(`Usage: /${spec.name} (no arguments). ${esc(spec.description)}. Nothing was changed.`);
  }
  try {
    return tagged(d, await spec.run(d, args, by));
  } catch (err) {
    return reply(`/${spec.name} failed: ${esc(describeError(err))}. Nothing else was changed; try again.`);
  }
}

export interface TapResult {
  /** Short text (HTML) for the toast, and for a message when there is no edit. */
  answer: string;
  /** New content for the message that carried the button (its buttons, if any, replace the old ones). */
  edit?: Reply;
  /** A new message to send after the toast (e.g. a confirmation prompt). */
  follow?: Reply;
}

// The data each kind of button carries: a fingerprint (approval id, the cap it was issued against, the time
// it was issued) so a stale or repeated tap cannot act twice. Telegram's features route on these patterns;
// the functions below do what a tap means, without knowing grammY.
export const TAP_DATA = {
  approval: /^ap:([ar]):(\d+)$/,
  capConfirm: /^cap:(\d+):(\d+):(\d+)$/,
  stopAll: /^stop:(\d+)$/,
  cancel: /^x$/,
  approveAll: /^apall:([ar]):(\d+)$/,
  approveAllConfirm: /^apok:([ar]):(\d+)$/,
  statusRefresh: /^st:r$/,
  setConfirm: /^set:(\d+):(.+)$/,
} as const;

/** The confirming tap of a risky /set: valid for confirmTtlMs; it applies exactly the value that was asked. */
export function tapSetConfirm(d: CommandDeps, issuedMs: number, text: string, by: string, messageText: string): Promise<TapResult> {
  return guardedTap(() => {
    if (d.clock.now() - issuedMs > confirmTtl(d)) {
      const msg = 'This confirmation has expired: send /set again.';
      return { answer: msg, edit: reply(`${esc(messageText)}\n\n→ ${msg}`) };
    }
    const r = d.control.set(by, text, { confirmed: true });
    if (!r.ok) return { answer: esc(r.error).slice(0, 190), edit: reply(`${esc(messageText)}\n\n→ ${esc(r.error)}`) };
    return { answer: r.value.changed ? 'Changed' : 'Unchanged', edit: reply(`${modeTag(d.mode)} ${r.value.changed ? 'Changed' : 'Unchanged'} ${esc(r.value.name)}.\n${formatSettings(r.value.settings)}`) };
  });
}

/**
 * The toast shown at once for an approval tap: what is about to happen, or, for a request already decided, what
 * happened to it (never "placing the order" for one that will not be placed).
 */
export function approvalTapToast(d: CommandDeps, action: 'approve' | 'reject', id: number): string {
  const a = d.control.approval(id);
  if (!a) return `No approval #${id}.`;
  if (a.state === 'pending' && a.expires_at > d.clock.now()) return action === 'approve' ? 'Approving… placing the order' : 'Rejecting…';
  const state = a.state === 'pending' ? 'expired' : a.state;
  return `Already ${state}${a.outcome ? `: ${a.outcome}` : ''}`.slice(0, 190);
}

/** "Approve all" / "Reject all": ask once more, naming how many and their worst case together. */
export function tapApproveAll(d: CommandDeps, action: 'approve' | 'reject', issuedMs: number): TapResult {
  const open = d.control.pendingApprovals().filter((a) => a.created_at <= issuedMs);
  if (open.length === 0) return { answer: 'Nothing is waiting any more.' };
  const worst = open.reduce((s, a) => s + a.worst_case_e4, 0);
  const verb = action === 'approve' ? 'Approve' : 'Reject';
  const now = d.clock.now();
  return {
    answer: `${verb} all ${open.length}?`,
    follow: reply(
      `${modeTag(d.mode)} ${verb} ${b(`all ${open.length}`)} waiting approvals${action === 'approve' ? ` (worst case together ${b(formatUsd(worst))}; each is re-checked against the cap)` : ''}?`,
      [[{ text: `Yes, ${verb.toLowerCase()} all ${open.length}`, data: `apok:${action === 'approve' ? 'a' : 'r'}:${Math.min(now, issuedMs)}`, typed: '' }, CANCEL]],
    ),
  };
}

/** The confirming tap of Approve all / Reject all: each approval goes through the one decision path. */
export function tapApproveAllConfirm(d: CommandDeps, action: 'approve' | 'reject', issuedMs: number, by: string): Promise<TapResult> {
  return guardedTap(async () => {
    if (d.clock.now() - issuedMs > confirmTtl(d)) return { answer: 'This confirmation has expired: send /approvals again.', edit: reply('→ Expired: send /approvals again.') };
    const outcomes = await d.control.decideAll(by, action, issuedMs);
    const lines = outcomes.map((o) => esc(approvalOutcomeText(o, o.ok ? String(o.approval.id) : String(o.approval?.id ?? '?'))));
    return { answer: `${outcomes.length} answered`, edit: reply([`${modeTag(d.mode)} ${b(`${outcomes.length} approvals answered`)}:`, ...lines].join('\n')) };
  });
}

/** The Refresh button on /status: the same message, brought up to date. */
export function tapStatusRefresh(d: CommandDeps): Promise<TapResult> {
  return guardedTap(async () => ({
    answer: 'Up to date',
    edit: reply(formatStatus(await d.control.status(), d.clock.now(), d.timeZone), [[REFRESH_STATUS]]),
  }));
}

/** Errors become a toast, never a crash. */
async function guardedTap(run: () => Promise<TapResult> | TapResult): Promise<TapResult> {
  try {
    return await run();
  } catch (err) {
    return { answer: esc(`Failed: ${describeError(err)}`.slice(0, 190)) };
  }
}

/** An Approve or Reject tap on an approval request. */
export function tapApproval(d: CommandDeps, action: 'approve' | 'reject', id: string, by: string): Promise<TapResult> {
  return guardedTap(async () => {
    const r = action === 'approve' ? await d.control.approve(by, id) : await d.control.reject(by, id);
    if (!r.ok) return { answer: esc(r.error) };
    const o = r.value;
    const text = esc(approvalOutcomeText(o, id));
    // A successful decision queues an 'approval-outcome' alert that edits the message in order;
    // a stale tap (expired, already answered) edits it here so the dead buttons disappear.
    if (!o.ok && o.approval) {
      const state = o.error === 'expired' ? 'expired' : o.approval.state;
      return {
        answer: text,
        edit: reply(`${approvalText(d.mode, approvalFromRow(o.approval), d.timeZone)}\n\n${approvalOutcomeLine(state, o.approval.outcome ?? approvalOutcomeText(o, id))}`),
      };
    }
    return { answer: text };
  });
}

/** The confirming tap of a large cap raise: valid for confirmTtlMs, and only while the cap is still the one it was asked against. */
export function tapCapConfirm(d: CommandDeps, t: { newE4: number; oldE4: number; issuedMs: number }, by: string, messageText: string): Promise<TapResult> {
  return guardedTap(() => {
    if (d.clock.now() - t.issuedMs > confirmTtl(d)) {
      const msg = 'This confirmation has expired: send /setcap again.';
      return { answer: msg, edit: reply(`${esc(messageText)}\n\n→ ${msg}`) };
    }
    const current = d.control.settings().dailyCapE4;
    if (current !== t.oldE4) {
      const msg = `This confirmation is stale: the cap is now ${formatUsd(current)}. Send /setcap again.`;
      return { answer: msg, edit: reply(`${esc(messageText)}\n\n→ ${msg}`) };
    }
    const r = setCapReply(d, d.control.setCap(by, formatPriceE4(t.newE4), { confirmed: true }), '');
    return { answer: r.text.split('\n')[0]!, edit: reply(`${modeTag(d.mode)} ${r.text}`) };
  });
}

/** The confirming tap of /stopall: single use, valid for confirmTtlMs. */
export function tapStopAll(d: CommandDeps, data: string, issuedMs: number, by: string, messageText: string): Promise<TapResult> {
  return guardedTap(async () => {
    const spent = d.spent ?? new Set<string>();
    if (spent.has(data) || d.clock.now() - issuedMs > confirmTtl(d)) {
      const msg = 'This confirmation is stale: send /stopall again.';
      return { answer: msg, edit: reply(`${esc(messageText)}\n\n→ ${msg}`) };
    }
    spent.add(data);
    return { answer: 'Stopped', edit: await stopAllNow(d, by) };
  });
}

/** The Cancel button of a confirmation. */
export const tapCancel = (messageText: string): TapResult => ({ answer: 'Cancelled', edit: reply(`${esc(messageText)}\n\n→ Cancelled: nothing changed.`) });

/** Any other button data (forged, or from an older version of the bot). */
export const tapUnknown = (): TapResult => ({ answer: 'This button is no longer valid.' });
