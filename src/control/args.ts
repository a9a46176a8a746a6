// Chat arguments, parsed with zod at the edge. A bad argument returns the sentence that says what is accepted.
import { z } from 'zod';
import { NOTIFY_KINDS, type NotifyKind, type NotifyLevel } from '../journal/settings.js';
import { parseUserDollarsE4 } from '../money.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function run<T>(schema: z.ZodType<T>, text: string, accepted: string): Parsed<T> {
  const r = schema.safeParse(text.trim());
  return r.success ? { ok: true, value: r.data } : { ok: false, error: accepted };
}

const dollars = (min: number, max: number) =>
  z.string().transform((v, ctx) => {
    const e4 = parseUserDollarsE4(v);
    if (e4 === null || e4 < min || e4 > max) {
      ctx.addIssue({ code: 'custom', message: 'bad amount' });
      return z.NEVER;
    }
    return e4;
  });

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Upper bound for a cap typed in chat: a typo like /setcap 50000 should not pass silently. */
export const MAX_CAP_E4 = 100_000 * 10_000;

export const parseCap = (text: string) =>
  run(dollars(1, MAX_CAP_E4), text, 'Usage: /setcap <dollars>, e.g. /setcap 50 or /setcap 12.50 (more than $0, at most $100,000).');

export const parseApprovalId = (text: string) =>
  run(wholeNumber(1, Number.MAX_SAFE_INTEGER), text.replace(/^#/, ''), 'Usage: /approve <id> or /reject <id>, where <id> is the number on the approval message.');

export const parseTradesCount = (text: string) =>
  text.trim() === '' ? ({ ok: true, value: 10 } as const) : run(wholeNumber(1, 50), text, 'Usage: /trades [n], n from 1 to 50 (default 10).');

export const parseTicker = (text: string) =>
  run(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/).transform((t) => t.toUpperCase()),
    text,
    'Usage: /why <ticker>, e.g. /why KXHIGHNY-26NOV27-B45.',
  );

/** A probability band "0.70-0.87" (or "70-87" in percent) -> e4 bounds. */
const band = z.string().transform((v, ctx) => {
  const m = /^(\d*\.?\d+)\s*(?:-|\.\.|to|\s)\s*(\d*\.?\d+)$/.exec(v.trim());
  const toE4 = (s: string) => {
    const asPercent = !s.includes('.') || Number.parseInt(s, 10) > 1;
    const e4 = parseUserDollarsE4(s.startsWith('.') ? `0${s}` : s);
    if (e4 === null) return null;
    return asPercent ? e4 / 100 : e4;
  };
  const lo = m ? toE4(m[1]!) : null;
  const hi = m ? toE4(m[2]!) : null;
  if (lo === null || hi === null || !Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 9999 || lo > hi) {
    ctx.addIssue({ code: 'custom', message: 'bad band' });
    return z.NEVER;
  }
  return { bandMinE4: lo, bandMaxE4: hi };
});

/** At most this many excluded categories, each a short name: chat input is stored and echoed back. */
export const MAX_EXCLUDED_CATEGORIES = 30;
const CATEGORY_NAME = /^[\w &.'-]{1,40}$/;

const categories = z
  .string()
  .max(MAX_EXCLUDED_CATEGORIES * 42)
  .transform((v, ctx) => {
    if (v.trim() === '-' || v.trim().toLowerCase() === 'none') return [];
    const names = [
      ...new Set(
        v
          .split(',')
          .map((s) => s.trim().replace(/\s+/g, ' '))
          .filter(Boolean),
      ),
    ];
    if (names.length === 0 || names.length > MAX_EXCLUDED_CATEGORIES || !names.every((n) => CATEGORY_NAME.test(n))) {
      ctx.addIssue({ code: 'custom', message: 'bad categories' });
      return z.NEVER;
    }
    return names;
  });

/** The run-time rules a person may change from chat, each with its parser and what it accepts. */
export const SETTABLE = {
  band: { schema: band, help: 'band <min>-<max> as probabilities or percent, e.g. 0.70-0.87 or 70-87' },
  horizon: { schema: wholeNumber(1, 365).transform((horizonDays) => ({ horizonDays })), help: 'horizon <days>, 1 to 365' },
  minvolume: {
    schema: wholeNumber(0, 100_000_000).transform((minVolume24h) => ({ minVolume24h })),
    help: 'minvolume <contracts in 24h>, e.g. 5000',
  },
  poslimit: { schema: wholeNumber(1, 1_000_000).transform((positionLimit) => ({ positionLimit })), help: 'poslimit <contracts per market>, e.g. 700' },
  maxcost: { schema: dollars(100, 10_000 * 10_000).transform((maxCostPerTradeE4) => ({ maxCostPerTradeE4 })), help: 'maxcost <dollars per trade>, $0.01 to $10,000' },
  exclude: { schema: categories.transform((excludedCategories) => ({ excludedCategories })), help: `exclude <comma list of up to ${MAX_EXCLUDED_CATEGORIES} categories, each 1-40 letters, digits, spaces or _&.'->, or exclude none` },
} as const;
export type SettableName = keyof typeof SETTABLE;

export function settableHelp(): string {
  return Object.values(SETTABLE)
    .map((s) => `/set ${s.help}`)
    .join('\n');
}

export function parseSet(text: string): Parsed<{ name: SettableName; patch: Record<string, unknown> }> {
  const m = /^(\S+)\s+([\s\S]+)$/.exec(text.trim());
  const usage = `Usage: /set <name> <value>. Accepted:\n${settableHelp()}`;
  if (!m) return { ok: false, error: usage };
  const name = m[1]!.toLowerCase() as SettableName;
  // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
  const spec = Object.hasOwn(SETTABLE, name) ? SETTABLE[name] : undefined;
  if (!spec) return { ok: false, error: `Unknown setting "${m[1]!.slice(0, 40)}". ${usage}` };
  const r = (spec.schema as z.ZodType<Record<string, unknown>>).safeParse(m[2]!.trim());
  return r.success ? { ok: true, value: { name, patch: r.data } } : { ok: false, error: `Bad value for ${name}. Accepted: /set ${spec.help}` };
}

export const NOTIFY_USAGE = `Usage: /notify <kind> <on|silent|off>, kind one of ${NOTIFY_KINDS.join(', ')} (or all); halts can be on or silent, never off.`;

/** "fills silent" -> { kinds: ['fills'], level: 'silent' }. */
export function parseNotify(text: string): Parsed<{ kinds: NotifyKind[]; level: NotifyLevel }> {
  const m = /^(\w+)\s+(on|silent|off)$/i.exec(text.trim());
  if (!m) return { ok: false, error: NOTIFY_USAGE };
  const name = m[1]!.toLowerCase();
  const level = m[2]!.toLowerCase() as NotifyLevel;
  const kinds = name === 'all' ? [...NOTIFY_KINDS] : (NOTIFY_KINDS as readonly string[]).includes(name) ? [name as NotifyKind] : null;
  if (!kinds) return { ok: false, error: `Unknown kind "${name.slice(0, 32)}". ${NOTIFY_USAGE}` };
  // A halt is the one message a person must not miss: it can be quiet, never absent.
  if (level === 'off' && kinds.includes('halts')) {
    if (name !== 'all') return { ok: false, error: `Halts cannot be turned off (they can be silent). ${NOTIFY_USAGE}` };
    return { ok: true, value: { kinds: kinds.filter((k) => k !== 'halts'), level } };
  }
  return { ok: true, value: { kinds, level } };
}
