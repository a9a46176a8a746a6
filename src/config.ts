// The environment, parsed once with zod. Every bad value is named in one error; main exits non-zero.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { KALSHI_TIERS } from './kalshi/ratelimit.js';
import { looksLikeKeyText } from './kalshi/signer.js';
import { parseUserDollarsE4 } from './money.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    // Digits only, so a whole number; no .int(): its own safe-integer check would name a huge value twice.
    .pipe(z.number().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

/** Dollars as typed in .env ("50", "5.25") -> integer e4; `positive`: $0 is refused too (a cap or a per-trade maximum of $0). */
const dollarsE4 = (opts: { positive?: boolean } = {}) =>
  z.string().transform((v, ctx) => {
    const e4 = parseUserDollarsE4(v);
    if (e4 === null || (opts.positive && e4 === 0)) {
      ctx.addIssue({ code: 'custom', message: `must be a dollar amount${opts.positive ? ' above 0' : ''} like 50 or 12.50 (at most 4 decimals)` });
      return z.NEVER;
    }
    return e4;
  });

/**
 * A band bound like 0.70 -> price e4 (7000). Strictly between 0 and 1, as the journal's settings require
 * (a price of 0 or $1 is no bet): a bound the settings refuse would make every later /set or /pause fail.
 */
const probabilityE4 = z.string().transform((v, ctx) => {
  const m = /^0?\.(\d{1,4})$|^(0|1)(?:\.0{0,4})?$/.exec(v.trim());
  const e4 = m ? parseUserDollarsE4(v.trim().startsWith('.') ? `0${v.trim()}` : v) : null;
  if (e4 === null || e4 <= 0 || e4 >= 10_000) {
    ctx.addIssue({ code: 'custom', message: 'must be a probability above 0 and below 1 with at most 4 decimals, like 0.70' });
    return z.NEVER;
  }
  return e4;
});

/**
 * A difference of probabilities like 0.005 (half a percentage point) or -0.01 -> e4 (50, -100): MIN_EDGE. At most 4
 * decimals, within ±0.5.
 */
const edgeE4 = z.string().transform((v, ctx) => {
  const t = v.trim();
  const m = /^(-)?(\d*\.\d{1,4}|\d+)$/.exec(t);
  const e4 = m ? parseUserDollarsE4(m[2]!.startsWith('.') ? `0${m[2]}` : m[2]!) : null;
  if (e4 === null || e4 > 5_000) {
    ctx.addIssue({ code: 'custom', message: 'must be a probability difference from -0.5 to 0.5 with at most 4 decimals, like 0.005 (half a percentage point)' });
    return z.NEVER;
  }
  return m?.[1] && e4 !== 0 ? -e4 : e4;
});

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

const userIds = z.string().transform((v, ctx) => {
  const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    // Digits only, and exact as a number: a 20-digit id would round to somebody else's.
    if (!/^\d+$/.test(id) || !Number.isSafeInteger(Number(id)) || Number(id) === 0) {
      ctx.addIssue({ code: 'custom', message: `"${id}" is not a numeric Telegram user id` });
      return z.NEVER;
    }
  }
  return ids.map(Number);
});

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a local time HH:MM, like 21:00' });

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone like America/New_York' },
);

export const TIERS = KALSHI_TIERS;

export const EnvSchema = z
  .object({
    KALSHI_ENV: z.enum(['sim', 'demo', 'prod'], { message: 'must be sim, demo or prod' }).default('sim'),
    KALSHI_BASE_URL: z.url({ protocol: /^https?$/, message: 'must be a URL like https://external-api.demo.kalshi.co/trade-api/v2' }).optional(),
    KALSHI_KEY_ID: z.string().min(1).optional(),
    KALSHI_PRIVATE_KEY_PATH: z
      .string()
      .min(1)
      .refine((v) => !looksLikeKeyText(v), { message: 'must be the path of the key file, not the key itself (save the key in a file)' })
      .optional(),
    KALSHI_TIER: z.enum(TIERS, { message: `must be one of ${TIERS.join(', ')}` }).default('basic'),
    LIVE_TRADING: bool.default(false),
    DB_PATH: z.string().min(1).default('./data/bot.db'),
    CYCLE_SECONDS: int(5, 3600).default(50),
    SIM_MARKETS: int(1, 1_000_000).default(20_000),
    // The simulated exchange's true bias: favourites win this much more often than their price says (0 by default).
    SIM_FAVOURITE_EDGE: edgeE4.default(0),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' }).default('info'),

    BAND_MIN: probabilityE4.default(7000),
    BAND_MAX: probabilityE4.default(8700),
    HORIZON_DAYS: int(1, 365).default(7),
    MIN_VOLUME_24H: int(0, 100_000_000).default(5000),
    POSITION_LIMIT: int(1, 1_000_000).default(700),
    EXCLUDED_CATEGORIES: list.default([]),
    MAX_COST_PER_TRADE: dollarsE4({ positive: true }).default(50_000),
    DAILY_LOSS_CAP: dollarsE4({ positive: true }).default(500_000),
    TIMEZONE: timezone.default('America/New_York'),
    APPROVAL_ABOVE_COST: dollarsE4().optional(),
    APPROVAL_CATEGORIES: list.default([]),
    APPROVAL_TTL_MINUTES: int(1, 24 * 60).default(10),
    // A market you rejected is not asked about again the same trading day unless this is true.
    APPROVAL_REASK_REJECTED: bool.default(false),
    FILL_TIMEOUT_SECONDS: int(1, 300).default(10),
    // taker: a limit order at the ask, canceled after FILL_TIMEOUT_SECONDS. maker: post-only at the best bid (one
    // tick inside the spread where that does not cross), resting up to MAKER_REST_SECONDS, then canceled.
    ORDER_STYLE: z.enum(['taker', 'maker'], { message: 'must be taker or maker' }).default('taker'),
    MAKER_REST_SECONDS: int(1, 3600).default(60),
    // Off unless set: layer 3 rejects a candidate whose calibrated win rate (lower 95% bound) minus its after-fee
    // break-even is below this (a probability difference: 0.005 = half a percentage point).
    MIN_EDGE: edgeE4.optional(),
    SHARD_FUNDING: z.enum(['auto', 'off'], { message: 'must be auto or off' }).default('auto'),
    // Stream mode: trade from the WebSocket price stream within a second; the full scan every RESYNC_MINUTES.
    STREAM: z.enum(['on', 'off'], { message: 'must be on or off' }).default('on'),
    RESYNC_MINUTES: int(1, 1440).default(10),
    STALE_QUOTE_SECONDS: int(1, 3600).default(5),
    SHARD_FUNDING_MARGIN: dollarsE4().default(50_000),

    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, { message: 'must look like 123456:ABC-DEF (from @BotFather)' }).optional(),
    TELEGRAM_ALLOWED_USER_IDS: userIds.default([]),
    TELEGRAM_CHAT_ID: z
      .string()
      .regex(/^-?\d+$/, { message: 'must be a numeric chat id' })
      .transform(Number)
      .refine(Number.isSafeInteger, { message: 'must be a numeric chat id (this one is too long to be exact)' })
      .optional(),
    TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/, message: 'must be a URL like https://api.telegram.org' }).default('https://api.telegram.org'),
    DAILY_SUMMARY_AT: clockTime.default('21:00'),

    // Health signal for a supervisor (off unless HEALTH_PORT or HEALTH_FILE is set): the last cycle's age.
    HEALTH_PORT: int(1, 65_535).optional(),
    HEALTH_HOST: z
      .union([z.ipv4(), z.ipv6(), z.hostname()], { message: 'must be an IP address or a host name, like 127.0.0.1' })
      .default('127.0.0.1'),
    HEALTH_FILE: z.string().min(1).optional(),
    /** Unset: 3 cycles, at least 180 s (see healthMaxAgeMs). */
    HEALTH_MAX_AGE_SECONDS: int(10, 86_400).optional(),
  })
  // Runs even when a field failed (`when`), so one error names every problem; a field that failed may hold
  // its raw text or nothing here, hence the type checks.
  .superRefine((env, ctx) => {
    if (typeof env.BAND_MIN === 'number' && typeof env.BAND_MAX === 'number' && env.BAND_MIN > env.BAND_MAX) {
      ctx.addIssue({ code: 'custom', path: ['BAND_MIN'], message: 'must not be above BAND_MAX' });
    }
    if (env.KALSHI_ENV === 'demo' || env.KALSHI_ENV === 'prod') {
      if (!env.KALSHI_KEY_ID) ctx.addIssue({ code: 'custom', path: ['KALSHI_KEY_ID'], message: `is required when KALSHI_ENV=${env.KALSHI_ENV}` });
      if (!env.KALSHI_PRIVATE_KEY_PATH)
        ctx.addIssue({ code: 'custom', path: ['KALSHI_PRIVATE_KEY_PATH'], message: `is required when KALSHI_ENV=${env.KALSHI_ENV}` });
    }
    if (typeof env.HEALTH_MAX_AGE_SECONDS === 'number' && typeof env.CYCLE_SECONDS === 'number' && env.HEALTH_MAX_AGE_SECONDS < env.CYCLE_SECONDS) {
      // Shorter than a cycle's period, every check between two cycles would say stale.
      ctx.addIssue({ code: 'custom', path: ['HEALTH_MAX_AGE_SECONDS'], message: `must be at least CYCLE_SECONDS (${env.CYCLE_SECONDS})` });
    }
    if (env.TELEGRAM_BOT_TOKEN && Array.isArray(env.TELEGRAM_ALLOWED_USER_IDS) && env.TELEGRAM_ALLOWED_USER_IDS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_ALLOWED_USER_IDS'],
        message: 'is required when TELEGRAM_BOT_TOKEN is set (comma list of numeric user ids allowed to command the bot)',
      });
    }
  }, { when: () => true });

export type Config = z.infer<typeof EnvSchema>;
export type KalshiEnv = Config['KALSHI_ENV'];
export type Tier = Config['KALSHI_TIER'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Only the variables we know are read; empty strings count as unset so a blank line in .env means "default". */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(EnvSchema.shape);
  const input: Record<string, string> = {};
  for (const key of known) {
    const v = env[key];
    if (v !== undefined && v.trim() !== '') input[key] = v.trim();
  }
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      // Never echo the value of a secret (or key text pasted where the key's path goes).
      const secret = name === 'TELEGRAM_BOT_TOKEN' || (name === 'KALSHI_PRIVATE_KEY_PATH' && looksLikeKeyText(input[name] ?? ''));
      const shown = secret ? '' : input[name] !== undefined ? ` (got "${input[name]}")` : '';
      return `${name} ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  return parsed.data;
}

export const DEFAULT_BASE_URLS: Record<Exclude<KalshiEnv, 'sim'>, string> = {
  demo: 'https://external-api.demo.kalshi.co/trade-api/v2',
  prod: 'https://external-api.kalshi.com/trade-api/v2',
};

/** Read ./.env (if present) into process.env with Node's own parser; variables already set in the environment win. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
