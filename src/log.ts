// The logger: pino. JSON lines in production; pino-pretty (a dev dependency) when stderr is a terminal.
// Errors go in as `{ err }` and pass through one serializer that keeps what helps (type, message, stack,
// a few typed fields) and never a request's options or headers (got's errors carry the KALSHI-ACCESS-*
// headers, grammY's the token in the URL). Key and token fields are redacted wherever they appear.
import { pino } from 'pino';

export type Logger = pino.Logger;
export type Level = 'debug' | 'info' | 'warn' | 'error';

/** Fields of our own errors (and got's `code`) that are plain data and safe to log. */
const SAFE_FIELDS = ['code', 'status', 'statusCode', 'method', 'path', 'details', 'clientOrderId', 'ticker', 'attempts', 'issues'] as const;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
  [field: string]: unknown;
}

export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err) };
  const out: SerializedError = { type: err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  const fields = err as unknown as Record<string, unknown>;
  for (const k of SAFE_FIELDS) {
    const v = fields[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

/** Paths pino censors in every line: keys, tokens, signatures, whole header objects. */
export const REDACT_PATHS = [
  'privateKey',
  '*.privateKey',
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'TELEGRAM_BOT_TOKEN',
  '*.TELEGRAM_BOT_TOKEN',
  'headers',
  '*.headers',
  '*.*.headers',
  'authorization',
  '*.authorization',
  '["KALSHI-ACCESS-SIGNATURE"]',
  '*["KALSHI-ACCESS-SIGNATURE"]',
];

export interface LoggerOptions {
  level: Level;
  /** Where lines go (tests pass a stream); default stderr, synchronously, so nothing is lost at exit. */
  destination?: pino.DestinationStream;
  /** Pretty-print: default when stderr is a terminal and pino-pretty is installed. */
  pretty?: boolean;
}

function baseOptions(level: Level): pino.LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: (e: unknown) => serializeError(e) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

/** A logger for the long-running bot and the CLI. */
export async function createLogger(opts: LoggerOptions): Promise<Logger> {
  if (opts.destination) return pino(baseOptions(opts.level), opts.destination);
  if (opts.pretty ?? process.stderr.isTTY) {
    // A dev dependency: absent in a production install, where the JSON lines are what a supervisor wants anyway.
    const pretty = await import('pino-pretty').catch(() => null);
    if (pretty) {
      return pino(
        baseOptions(opts.level),
        pretty.default({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname' }),
      );
    }
  }
  return pino(baseOptions(opts.level), pino.destination({ fd: 2, sync: true }));
}

/** For tests and one-off tools that want no output. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Logs at most one line per key per window, so a flood (a stranger spamming the bot) cannot flood the log. */
export function rateLimited(log: (msg: string) => void, windowMs: number, now: () => number = Date.now) {
  const last = new Map<string, number>();
  return (key: string, msg: string) => {
    const t = now();
    const prev = last.get(key);
    if (prev !== undefined && t - prev < windowMs) return;
    last.set(key, t);
    log(msg);
  };
}
