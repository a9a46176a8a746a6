// The terminal transport (no Telegram token): alerts print to the output, and a line typed on the
// input ("/status", "/setcap 40") runs the same command handler as Telegram and prints the reply.
// Confirmations are typed: "/setcap 200 confirm", "/stopall confirm" (works with piped input too).
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { runCommand } from '../chat/commands.js';
import { formatAlert, lateMarker } from '../chat/format.js';
import { deliverable } from '../notify/deliverable.js';
import { parseCommandLine, renderPlain } from '../chat/reply.js';
import type { Transport, TransportApp } from '../chat/transport.js';
import type { Logger } from '../log.js';
import { savePhoto } from './photo.js';
import { type AlertSink, type DeliveryOptions, OutboxDelivery } from '../notify/delivery.js';

export interface ConsoleOptions {
  input?: Readable;
  output?: Writable;
  log?: Logger;
  delivery?: DeliveryOptions;
  flushMs?: number;
  /** Who the audit trail names for typed commands. Default "console". */
  by?: string;
  /** Where a reply's picture (the /pnl chart) is saved. Default: charts/ next to the journal. */
  chartDir?: string;
}

export interface ConsoleTransport extends Transport {
  readonly delivery: OutboxDelivery;
  /** Resolves when every line read so far has been handled. */
  idle(): Promise<void>;
}

export function startConsole(app: TransportApp, opts: ConsoleOptions = {}): ConsoleTransport {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const log = opts.log ?? app.log;
  const by = opts.by ?? 'console';
  const write = (text: string) => output.write(`${text}\n`);
  const deps = { control: app.control, mode: app.mode, clock: app.clock, timeZone: app.config.TIMEZONE, transport: 'console' as const, spent: new Set<string>() };

  const sink: AlertSink = {
    async deliver(alert, _row, late) {
      if (!deliverable(alert, app.journal, app.clock.now()).send) return;
      const r = formatAlert(alert, app.config.TIMEZONE);
      write(renderPlain(late ? { ...r, text: `${r.text}\n${late}` } : r));
    },
  };
  const delivery = new OutboxDelivery(
    { outbox: app.journal.outbox, clock: app.clock, log, sink, subscribe: (wake) => app.alerter.onQueued(wake), lateMarker },
    { pollMs: 2000, ...opts.delivery },
  );
  delivery.start();

  const rl = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  // One line at a time, in order: a slow /stopall finishes before the next line runs.
  let chain: Promise<void> = Promise.resolve();
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      const text = line.trim();
      if (!text) return;
      const cmd = parseCommandLine(text);
      if (!cmd) {
        write('Commands start with "/", e.g. /status. Send /help for the list.');
        return;
      }
      try {
        const r = await runCommand(deps, cmd.name, cmd.args, by);
        write(renderPlain(r));
        if (r.photo) write(`Chart saved: ${savePhoto(r.photo, opts.chartDir ?? join(dirname(app.config.DB_PATH), 'charts'))}`);
        if (r.document) write(`File saved: ${savePhoto({ png: r.document.bytes, filename: r.document.filename }, opts.chartDir ?? join(dirname(app.config.DB_PATH), 'exports'))}`);
      } catch (err) {
        log.error(`console command failed: ${(err as Error).message}`);
      }
    });
  });

  let stopping: Promise<void> | null = null;
  return {
    delivery,
    idle: () => chain,
    stop() {
      stopping ??= (async () => {
        rl.close();
        await chain;
        await delivery.stop(opts.flushMs ?? 1000);
        write(renderPlain(formatAlert({ kind: 'stopped', mode: app.mode, delivered: delivery.delivered, queued: app.journal.outbox.pendingCount() }, app.config.TIMEZONE)));
      })();
      return stopping;
    },
  };
}
