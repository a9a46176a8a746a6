// The `doctor` and `export` subcommands of src/cli.ts: argument parsing and output only; the work is in
// doctor.ts and export.ts.
import { writeFileSync } from 'node:fs';
import { systemClock } from '../clock.js';
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { openReadOnly } from '../journal/export-queries.js';
import { inspectJournal } from '../journal/inspect.js';
import { doctorExitCode, formatChecks, runDoctor } from './doctor.js';
import { exportRows, parseWindow, toCsv, toJson } from './export.js';

/** `doctor`: one line per check; exit 1 on any failure (a configuration that does not even parse included). */
export async function doctorCommand(_args: string[]): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stdout.write(`${err.problems.map((p) => `✗ config  ${p}`).join('\n')}\n1 check failed: fix .env (see .env.example) and run npm run doctor again\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`doctor: KALSHI_ENV=${config.KALSHI_ENV}; nothing is sent but reads\n`);
  const results = await runDoctor(config, { clock: systemClock });
  process.stdout.write(formatChecks(results));
  process.exitCode = doctorExitCode(results);
}

export const EXPORT_USAGE =
  'usage: npm run export -- --since YYYY-MM-DD [--until YYYY-MM-DD] [--csv | --json] [--out FILE]\n' +
  '  dates are days in TIMEZONE (--until included whole) or ISO times; default until now, CSV to stdout\n';

/** `export`: orders, fills, settlements and transfers of a window from the journal (opened read-only). */
export async function exportCommand(args: string[]): Promise<void> {
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  const since = opt('--since');
  const json = args.includes('--json');
  if (!since || (json && args.includes('--csv')) || (args.includes('--out') && !opt('--out'))) {
    process.stderr.write(EXPORT_USAGE);
    process.exitCode = 2;
    return;
  }
  loadDotEnv();
  const config = loadConfig();
  const tz = config.TIMEZONE;
  let window;
  try {
    window = parseWindow(since, opt('--until'), tz, Date.now());
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${EXPORT_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const j = inspectJournal(config.DB_PATH);
  if (j.kind !== 'present') {
    process.stderr.write(`no journal at DB_PATH=${config.DB_PATH}${j.kind === 'broken' ? ` (${j.reason})` : ''}\n`);
    process.exitCode = 1;
    return;
  }
  if (j.version !== j.latest) {
    process.stderr.write(`the journal's schema is v${j.version}, this code's v${j.latest}: ${j.version < j.latest ? 'start the bot once to migrate it' : 'use the newer bot'}\n`);
    process.exitCode = 1;
    return;
  }
  const db = openReadOnly(config.DB_PATH);
  let text: string;
  let count: number;
  try {
    const rows = exportRows(db, { ...window, timeZone: tz });
    count = rows.length;
    text = json ? toJson(rows, tz) : toCsv(rows, tz);
  } finally {
    db.close();
  }
  const out = opt('--out');
  if (out) {
    // Trades and amounts are private: the file is the user's alone, like the journal.
    writeFileSync(out, text, { mode: 0o600 });
    process.stderr.write(`${count} rows written to ${out}\n`);
  } else {
    process.stdout.write(text);
  }
}
