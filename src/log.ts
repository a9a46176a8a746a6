// A small leveled logger to stderr. Messages are plain text; never pass secrets or raw request options.
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLogger(level: Level, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Logger {
  const at = ORDER[level];
  const emit = (lvl: Level, msg: string) => {
    if (ORDER[lvl] >= at) write(`${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${msg}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

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

/** An error as one line for a log or a reply: its name and message (never its request options or headers). */
export function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
