// A real pino logger whose lines the test can read: each line's message (plus its error's message), and the raw JSON.
import { type Level, type Logger, createLogger } from '../../src/log.js';

export interface CapturedLog {
  log: Logger;
  /** "msg" or "msg: err.message", one per line at or above the level. */
  lines: string[];
  /** The parsed JSON lines, as pino wrote them. */
  records: Record<string, unknown>[];
  /** Everything written, verbatim (to check that no secret reaches it). */
  raw: () => string;
}

export async function captureLog(level: Level = 'warn'): Promise<CapturedLog> {
  const lines: string[] = [];
  const records: Record<string, unknown>[] = [];
  const chunks: string[] = [];
  const destination = {
    write(s: string) {
      chunks.push(s);
      const r = JSON.parse(s) as Record<string, unknown> & { msg?: string; err?: { message?: string } };
      records.push(r);
      lines.push(r.err?.message ? `${r.msg ?? ''}: ${r.err.message}` : String(r.msg ?? ''));
    },
  };
  return { log: await createLogger({ level, destination }), lines, records, raw: () => chunks.join('') };
}
