// `npm run doctor`: checks a configuration end to end without sending an order. Each check is one line
// (✓ passed, ✗ failed, ! works but needs a look, - does not apply here) with the fix when it fails; any ✗
// makes the exit code non-zero. The app is not built (createApp would start things): the key is loaded and
// the exchange client made here, the journal only looked at, Telegram asked getMe/getChat.
import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { type Config, DEFAULT_BASE_URLS } from '../config.js';
import { inspectJournal } from '../journal/inspect.js';
import { KalshiClient, type KalshiClientOptions } from '../kalshi/client.js';
import { KalshiApiError, KalshiNetworkError } from '../kalshi/errors.js';
import { ExchangeStatus } from '../kalshi/schemas.js';
import { KeyLoadError, loadPrivateKey, warnIfKeyFileShared } from '../kalshi/signer.js';
import { formatUsd } from '../money.js';
import { healthMaxAgeMs } from './health.js';

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip';

export interface CheckResult {
  /** Short name, e.g. "key file", "exchange", "telegram". */
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a failure or a warning. */
  fix?: string;
}

export interface DoctorDeps {
  clock: Clock;
  /** For Telegram and the exchange's Date header (default: the global fetch). */
  fetch?: typeof fetch;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
  /** Build the exchange client (default: the real KalshiClient with few, short retries). */
  makeClient?: (opts: KalshiClientOptions) => KalshiClient;
  /** Where relative paths are resolved, for the messages (default process.cwd()). */
  cwd?: string;
}

/** Offsets beyond these are flagged: Kalshi accepted ±5 s on the wire and refused −30 s (docs say nothing). */
const CLOCK_WARN_MS = 2_000;
const CLOCK_FAIL_MS = 10_000;

export async function runDoctor(config: Config, deps: DoctorDeps): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const add = (r: CheckResult) => out.push(r);
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const cwd = deps.cwd ?? process.cwd();
  const env = config.KALSHI_ENV;

  add(modeCheck(config));

  // ---- the key ----
  let key: KeyObject | null = null;
  if (env === 'sim') {
    add({ name: 'key file', status: 'skip', detail: 'sim mode: the bot makes its own key for the built-in simulated exchange' });
    if (config.KALSHI_KEY_ID || config.KALSHI_PRIVATE_KEY_PATH) {
      add({
        name: 'credentials',
        status: 'warn',
        detail: 'KALSHI_KEY_ID / KALSHI_PRIVATE_KEY_PATH are set but KALSHI_ENV=sim: they are not used',
        fix: 'set KALSHI_ENV=demo (or prod) to use them',
      });
    }
  } else {
    const path = config.KALSHI_PRIVATE_KEY_PATH!;
    const shown = resolve(cwd, path);
    try {
      key = loadPrivateKey(path);
      const bits = key.asymmetricKeyDetails?.modulusLength;
      add({ name: 'key file', status: 'ok', detail: `${shown}: ${key.asymmetricKeyType === 'rsa' ? `RSA${bits ? ` ${bits}-bit` : ''}` : 'Ed25519'} private key` });
    } catch (err) {
      if (!(err instanceof KeyLoadError)) throw err;
      add({ name: 'key file', status: 'fail', detail: `KALSHI_PRIVATE_KEY_PATH ${err.file}: ${err.reason}`, fix: keyFix(err.reason, shown) });
    }
    if (key) {
      const shared = warnIfKeyFileShared(path, () => undefined, deps.platform ?? process.platform);
      add(
        shared
          ? { name: 'key privacy', status: 'fail', detail: `${shown} can be read by other users of this machine`, fix: `chmod 600 ${shown}` }
          : { name: 'key privacy', status: 'ok', detail: 'only its owner can read the key file' },
      );
    }
  }

  // ---- the exchange: reachable, its clock, then signed reads ----
  if (env === 'sim') {
    add({ name: 'exchange', status: 'skip', detail: 'sim mode: the simulated exchange runs inside the bot (no account, nothing to reach)' });
  } else {
    const baseUrl = config.KALSHI_BASE_URL ?? DEFAULT_BASE_URLS[env];
    const reach = await reachExchange(baseUrl, doFetch, deps.clock, timeoutMs);
    add(reach.check);
    if (reach.clock) add(reach.clock);
    if (!key) {
      add({ name: 'account', status: 'skip', detail: 'skipped: no usable key (fix the key file first)' });
    } else if (reach.check.status === 'fail') {
      add({ name: 'account', status: 'skip', detail: 'skipped: the exchange cannot be reached' });
    } else {
      const make = deps.makeClient ?? ((o: KalshiClientOptions) => new KalshiClient(o));
      const client = make({
        baseUrl,
        keyId: config.KALSHI_KEY_ID!,
        privateKey: key,
        tier: config.KALSHI_TIER,
        clock: () => deps.clock.now(),
        timeoutMs,
        retries: 1,
        baseDelayMs: 200,
        maxDelayMs: 500,
      });
      try {
        for (const r of await accountChecks(client, config)) add(r);
      } finally {
        client.close();
      }
    }
  }

  // ---- Telegram ----
  for (const r of await telegramChecks(config, doFetch, timeoutMs)) add(r);

  // ---- the journal ----
  add(journalCheck(config.DB_PATH, cwd));

  // ---- the health signal ----
  add(healthCheck(config));
  return out;
}

function modeCheck(config: Config): CheckResult {
  const cap = formatUsd(config.DAILY_LOSS_CAP);
  switch (config.KALSHI_ENV) {
    case 'sim':
      return { name: 'mode', status: 'ok', detail: `SIM: the built-in simulated exchange, no account and no money (LIVE_TRADING=${config.LIVE_TRADING} has no effect)` };
    case 'demo':
      return {
        name: 'mode',
        status: 'ok',
        detail: `DEMO: real orders on Kalshi's demo exchange, play money (LIVE_TRADING only matters with KALSHI_ENV=prod)`,
      };
    case 'prod':
      return config.LIVE_TRADING
        ? {
            name: 'mode',
            status: 'warn',
            detail: `LIVE: LIVE_TRADING=true, orders are sent to Kalshi with real money (daily loss cap ${cap})`,
            fix: 'this is what you want only after a dry run; LIVE_TRADING=false makes it a dry run again',
          }
        : {
            name: 'mode',
            status: 'ok',
            detail: 'DRY-RUN: production data, orders are journaled as paper and never sent (set LIVE_TRADING=true to trade)',
          };
  }
}

function keyFix(reason: string, path: string): string {
  if (reason.includes('ENOENT')) return `no file at ${path}: check KALSHI_PRIVATE_KEY_PATH (relative paths start from the working directory)`;
  if (reason.includes('EACCES') || reason.includes('EPERM')) return `let the user running the bot read it: chown that user ${path} && chmod 600 ${path}`;
  if (reason.includes('EISDIR')) return 'KALSHI_PRIVATE_KEY_PATH names a directory: give the key file itself';
  if (reason.includes('passphrase')) return 'export the key without a passphrase: openssl pkey -in key.pem -out key-plain.pem';
  return "save the private key Kalshi showed when the API key was made (it starts with -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----) in that file";
}

/** GET /exchange/status without a signature: is the host there, is it trading, and what time does it say it is. */
async function reachExchange(
  baseUrl: string,
  doFetch: typeof fetch,
  clock: Clock,
  timeoutMs: number,
): Promise<{ check: CheckResult; clock: CheckResult | null }> {
  const url = `${baseUrl.replace(/\/+$/, '')}/exchange/status`;
  const t0 = clock.now();
  let res: Response;
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    return {
      check: { name: 'exchange', status: 'fail', detail: `cannot reach ${baseUrl}: ${networkReason(err)}`, fix: 'check KALSHI_BASE_URL (or unset it), DNS and the network / firewall' },
      clock: { name: 'clock', status: 'skip', detail: 'skipped: the exchange cannot be reached' },
    };
  }
  const t1 = clock.now();
  const text = await res.text().catch(() => '');
  if (res.status !== 200) {
    return {
      check: {
        name: 'exchange',
        status: 'fail',
        detail: `${url} answered HTTP ${res.status}`,
        fix: res.status === 404 ? 'KALSHI_BASE_URL must end in /trade-api/v2' : 'try again later; if it persists, check KALSHI_BASE_URL',
      },
      clock: clockCheck(res.headers.get('date'), t0, t1),
    };
  }
  let parsed: z.output<typeof ExchangeStatus> | null = null;
  try {
    const r = ExchangeStatus.safeParse(JSON.parse(text));
    parsed = r.success ? r.data : null;
  } catch {
    parsed = null;
  }
  const ms = Math.max(0, t1 - t0);
  const check: CheckResult = !parsed
    ? { name: 'exchange', status: 'fail', detail: `${url} did not answer like Kalshi's API`, fix: 'KALSHI_BASE_URL must point at the REST base, ending in /trade-api/v2' }
    : parsed.tradingActive
      ? { name: 'exchange', status: 'ok', detail: `${baseUrl} reachable (${ms} ms), trading active` }
      : {
          name: 'exchange',
          status: 'warn',
          detail: `${baseUrl} reachable (${ms} ms), but trading is paused${parsed.exchangeActive ? '' : ' and the exchange is inactive'}`,
          fix: 'usually the weekly maintenance (Thursday 03:00-05:00 ET): the bot waits it out',
        };
  return { check, clock: clockCheck(res.headers.get('date'), t0, t1) };
}

/** Offset of this machine's clock from the exchange's HTTP Date (whole seconds, so about ±0.5 s + half the round trip). */
export function clockCheck(dateHeader: string | null, t0: number, t1: number): CheckResult {
  const serverS = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  if (Number.isNaN(serverS)) return { name: 'clock', status: 'warn', detail: 'the exchange sent no Date header: the clock offset is unknown', fix: 'keep the clock synced (NTP)' };
  // The Date header is truncated to the second: its true instant is on average half a second later.
  const offsetMs = serverS + 500 - (t0 + t1) / 2;
  const uncertaintyMs = 500 + (t1 - t0) / 2;
  const seen = Math.abs(offsetMs) - uncertaintyMs;
  const within = `±${(uncertaintyMs / 1000).toFixed(1)} s`;
  const text =
    seen <= 0
      ? `in step with the exchange (within ${within}, the Date header's precision)`
      : `this machine is ${(Math.abs(offsetMs) / 1000).toFixed(1)} s ${offsetMs > 0 ? 'behind' : 'ahead of'} the exchange (${within})`;
  const fix = 'sync the clock: timedatectl set-ntp true (or install chrony); signed requests carry a timestamp the exchange checks';
  if (seen > CLOCK_FAIL_MS) return { name: 'clock', status: 'fail', detail: text, fix };
  if (seen > CLOCK_WARN_MS) return { name: 'clock', status: 'warn', detail: text, fix };
  return { name: 'clock', status: 'ok', detail: text };
}

/** Signed reads: the key is accepted (tier and buckets), and the balance on each shard. */
async function accountChecks(client: KalshiClient, config: Config): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  try {
    const l = await client.getAccountLimits();
    const buckets = `reads ${l.read.refillPerSec} tokens/s (bucket ${l.read.capacity}), writes ${l.write.refillPerSec}/s (bucket ${l.write.capacity})`;
    out.push({ name: 'account', status: 'ok', detail: `KALSHI_KEY_ID ${config.KALSHI_KEY_ID} accepted; tier ${l.tier}: ${buckets}` });
    if (l.tier !== config.KALSHI_TIER) {
      out.push({
        name: 'tier',
        status: 'warn',
        detail: `KALSHI_TIER is ${config.KALSHI_TIER} but the account is ${l.tier} (the bot paces by the account's real limits anyway)`,
        fix: `set KALSHI_TIER=${l.tier}`,
      });
    }
  } catch (err) {
    out.push(authFailure(err, config));
    out.push({ name: 'balance', status: 'skip', detail: 'skipped: signed requests fail' });
    return out;
  }
  try {
    const b = await client.getBalance();
    const total = b.balanceExactE4 ?? b.balanceE4;
    const shards = b.shards?.length
      ? `: ${b.shards
          .slice()
          .sort((x, y) => x.exchangeIndex - y.exchangeIndex)
          .map((s) => `shard ${s.exchangeIndex} ${formatUsd(s.balanceE4)}`)
          .join(', ')}`
      : ' (no per-shard breakdown sent)';
    out.push(
      total > 0
        ? { name: 'balance', status: 'ok', detail: `${formatUsd(total)}${shards}` }
        : { name: 'balance', status: 'warn', detail: `${formatUsd(total)}${shards}`, fix: 'deposit on Kalshi (it lands on shard 0; the bot moves what other shards need)' },
    );
  } catch (err) {
    out.push({ name: 'balance', status: 'fail', detail: `GET /portfolio/balance failed: ${(err as Error).message}`, fix: 'try again; if it persists, the key may lack portfolio access' });
  }
  return out;
}

function authFailure(err: unknown, config: Config): CheckResult {
  if (err instanceof KalshiApiError) {
    if (err.status === 401 && err.details === 'NOT_FOUND') {
      return {
        name: 'account',
        status: 'fail',
        detail: `the exchange does not know KALSHI_KEY_ID ${config.KALSHI_KEY_ID} (401 ${err.code}: NOT_FOUND)`,
        fix: `copy the key id from Kalshi's API keys page; keys belong to one environment (a demo key works only with KALSHI_ENV=demo, a production key only with prod)`,
      };
    }
    if (err.status === 401 && err.details === 'INCORRECT_API_KEY_SIGNATURE') {
      return {
        name: 'account',
        status: 'fail',
        detail: `the key file does not belong to KALSHI_KEY_ID ${config.KALSHI_KEY_ID} (401: INCORRECT_API_KEY_SIGNATURE)`,
        fix: 'point KALSHI_PRIVATE_KEY_PATH at the private key made together with this key id (or use that key\'s id)',
      };
    }
    if (err.code === 'header_timestamp_expired') {
      return {
        name: 'account',
        status: 'fail',
        detail: "the exchange refused the requests' timestamp (401 header_timestamp_expired): this machine's clock is off",
        fix: 'sync the clock: timedatectl set-ntp true (or install chrony)',
      };
    }
    return { name: 'account', status: 'fail', detail: `signed request refused: ${err.message}`, fix: err.status === 403 ? 'the key may lack the needed scope: make a key with trading access' : 'check the key id and key file' };
  }
  if (err instanceof KalshiNetworkError) return { name: 'account', status: 'fail', detail: `signed request failed: ${err.message}`, fix: 'check the network' };
  return { name: 'account', status: 'fail', detail: `signed request failed: ${(err as Error).message}` };
}

// ---- Telegram ----

const TgOk = z.object({ ok: z.literal(true), result: z.unknown() });
const TgErr = z.object({ ok: z.literal(false), error_code: z.number().int(), description: z.string() });
const TgMe = z.object({ id: z.number(), is_bot: z.boolean(), username: z.string().optional(), first_name: z.string() });
const TgChat = z.object({ id: z.number(), type: z.string(), username: z.string().optional(), title: z.string().optional(), first_name: z.string().optional() });

type TgAnswer = { ok: true; result: unknown } | { ok: false; code: number; description: string } | { ok: false; code: null; description: string };

/** One Bot API call. The token is in the URL, so no error text from fetch (which could hold it) is ever passed on. */
async function tgCall(root: string, token: string, method: string, params: Record<string, unknown>, doFetch: typeof fetch, timeoutMs: number): Promise<TgAnswer> {
  let res: Response;
  try {
    res = await doFetch(`${root.replace(/\/+$/, '')}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: false, code: null, description: networkReason(err) };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return { ok: false, code: res.status, description: `HTTP ${res.status}, not a Bot API answer` };
  }
  const ok = TgOk.safeParse(body);
  if (ok.success) return { ok: true, result: ok.data.result };
  const e = TgErr.safeParse(body);
  if (e.success) return { ok: false, code: e.data.error_code, description: e.data.description };
  return { ok: false, code: res.status, description: `HTTP ${res.status}, not a Bot API answer` };
}

async function telegramChecks(config: Config, doFetch: typeof fetch, timeoutMs: number): Promise<CheckResult[]> {
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) {
    const unattended = config.KALSHI_ENV !== 'sim';
    return [
      {
        name: 'telegram',
        status: unattended ? 'warn' : 'skip',
        detail: 'no TELEGRAM_BOT_TOKEN: alerts print to the terminal and commands are typed there',
        ...(unattended ? { fix: 'set TELEGRAM_BOT_TOKEN and TELEGRAM_ALLOWED_USER_IDS to hear of halts and approvals on your phone' } : {}),
      },
    ];
  }
  const root = config.TELEGRAM_API_ROOT;
  const me = await tgCall(root, token, 'getMe', {}, doFetch, timeoutMs);
  if (!me.ok) {
    const refused = me.code === 401 || me.code === 404;
    return [
      {
        name: 'telegram',
        status: 'fail',
        detail: refused
          ? `Telegram refused TELEGRAM_BOT_TOKEN (${me.code} ${me.description})`
          : me.code === null
            ? `cannot reach TELEGRAM_API_ROOT ${root}: ${me.description}`
            : `getMe failed (${me.code} ${me.description})`,
        fix: refused
          ? 'copy the token again from @BotFather (/mybots -> your bot -> API Token); a revoked token stops working at once'
          : 'check the network, and TELEGRAM_API_ROOT if you set it',
      },
      { name: 'chats', status: 'skip', detail: 'skipped: the token does not work' },
    ];
  }
  const bot = TgMe.safeParse(me.result);
  const username = bot.success ? bot.data.username : undefined;
  const out: CheckResult[] = [
    { name: 'telegram', status: 'ok', detail: `TELEGRAM_BOT_TOKEN works: ${username ? `@${username}` : 'bot'}${bot.success ? ` (id ${bot.data.id})` : ''}` },
  ];
  const users = config.TELEGRAM_ALLOWED_USER_IDS;
  out.push(
    users.length > 0
      ? { name: 'allow-list', status: 'ok', detail: `${users.length} user${users.length === 1 ? '' : 's'} may command the bot: ${users.join(', ')}` }
      : { name: 'allow-list', status: 'fail', detail: 'TELEGRAM_ALLOWED_USER_IDS is empty: nobody could command the bot', fix: 'set it to your numeric user id (ask @userinfobot)' },
  );
  // Alerts go to TELEGRAM_CHAT_ID, or else to each allowed user's private chat: each must exist for this bot.
  const chats: { id: number; role: string; alerts: boolean }[] =
    config.TELEGRAM_CHAT_ID !== undefined ? [{ id: config.TELEGRAM_CHAT_ID, role: 'alert chat (TELEGRAM_CHAT_ID)', alerts: true }] : [];
  for (const id of users) {
    if (id === config.TELEGRAM_CHAT_ID) continue;
    const alerts = config.TELEGRAM_CHAT_ID === undefined;
    chats.push({ id, role: alerts ? 'alert chat (allowed user)' : 'allowed user', alerts });
  }
  const open = username ? `open t.me/${username}` : 'open the bot';
  for (const c of chats) {
    const r = await tgCall(root, token, 'getChat', { chat_id: c.id }, doFetch, timeoutMs);
    if (r.ok) {
      const chat = TgChat.safeParse(r.result);
      const name = chat.success ? (chat.data.username ? `@${chat.data.username}` : (chat.data.title ?? chat.data.first_name ?? chat.data.type)) : 'chat';
      out.push({ name: 'chat', status: 'ok', detail: `${c.role} ${c.id} (${name}) is reachable` });
      continue;
    }
    const group = c.id < 0;
    out.push({
      name: 'chat',
      // Alerts must get through; an allowed user beside a separate alert chat can still command from that chat.
      status: c.alerts ? 'fail' : 'warn',
      detail: `${c.role} ${c.id}: ${r.code === null ? `Telegram cannot be reached (${r.description})` : `${r.code} ${r.description}`}`,
      fix:
        r.code === 403
          ? 'the bot was blocked or removed there: unblock it (or add it back to the group)'
          : group
            ? 'add the bot to that group, or fix TELEGRAM_CHAT_ID'
            : `a bot can only write to people who started it: from that account, ${open} and press Start (and check the id: ask @userinfobot)`,
    });
  }
  return out;
}

// ---- the journal and the health signal ----

function journalCheck(dbPath: string, cwd: string): CheckResult {
  const shown = dbPath === ':memory:' ? dbPath : resolve(cwd, dbPath);
  const j = inspectJournal(dbPath);
  if (j.kind === 'missing') {
    return j.creatableIn
      ? { name: 'journal', status: 'ok', detail: `${shown} does not exist yet: it will be created (schema v${j.latest}) at start` }
      : { name: 'journal', status: 'fail', detail: `${shown} does not exist and cannot be created here`, fix: `create its directory and let the bot's user write there (DB_PATH=${dbPath})` };
  }
  if (j.kind === 'broken') return { name: 'journal', status: 'fail', detail: `${shown} is not a usable SQLite journal (${j.reason})`, fix: 'point DB_PATH at the bot\'s journal, or move this file away' };
  if (!j.writable) return { name: 'journal', status: 'fail', detail: `${shown} cannot be written (read-only file or directory)`, fix: `let the bot's user write the file and its directory (the -wal file is made beside it)` };
  if (j.version > j.latest) {
    return { name: 'journal', status: 'fail', detail: `${shown}: schema v${j.version} is newer than this code knows (v${j.latest})`, fix: 'run the newer version of the bot, or point DB_PATH elsewhere' };
  }
  const busy = j.busy ? '; a running bot is writing it right now' : '';
  if (j.version < j.latest) {
    return { name: 'journal', status: 'warn', detail: `${shown}: schema v${j.version}, the bot migrates it to v${j.latest} at start${busy}`, fix: `back the file up first (cp ${shown} ${shown}.bak while the bot is stopped)` };
  }
  return { name: 'journal', status: 'ok', detail: `${shown}: writable, schema v${j.version} (current)${busy}` };
}

function healthCheck(config: Config): CheckResult {
  const where = [
    config.HEALTH_PORT !== undefined ? `GET http://${config.HEALTH_HOST}:${config.HEALTH_PORT}/healthz` : null,
    config.HEALTH_FILE !== undefined ? `file ${config.HEALTH_FILE}` : null,
  ].filter(Boolean);
  if (where.length === 0) return { name: 'health', status: 'skip', detail: 'health signal off (set HEALTH_FILE or HEALTH_PORT for a supervisor)' };
  return { name: 'health', status: 'ok', detail: `${where.join(' and ')}; stale after ${healthMaxAgeMs(config) / 1000} s without a good cycle` };
}

/** A network error as its code only (ECONNREFUSED, ENOTFOUND, a timeout): never a URL, which may hold a token. */
function networkReason(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError') return 'timed out';
  const code = e.cause?.code ?? e.code;
  if (code) return code;
  // fetch's own refusals ("bad port", "invalid URL") have a message and no code; a token never stays in it.
  return e.cause?.message ? e.cause.message.replace(/bot\d+:[\w-]+/g, 'bot<token>').slice(0, 120) : (e.name ?? 'network error');
}

// ---- printing ----

const MARK: Record<CheckStatus, string> = { ok: '✓', fail: '✗', warn: '!', skip: '-' };

export function formatChecks(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.fix && (r.status === 'fail' || r.status === 'warn')) lines.push(`  ${' '.repeat(width)}  fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push(
    failed > 0
      ? `${failed} check${failed === 1 ? '' : 's'} failed${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}: fix the ✗ lines and run npm run doctor again`
      : `all checks passed${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}; no order was sent`,
  );
  return `${lines.join('\n')}\n`;
}

export const doctorExitCode = (results: CheckResult[]): number => (results.some((r) => r.status === 'fail') ? 1 : 0);
