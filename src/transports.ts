// What main.ts calls: start the chat transport the config asks for (Telegram with a token, the
// terminal without) plus the daily summary, and get one stop() back.
import type { ConsoleOptions } from './console/console.js';
import { startConsole } from './console/console.js';
import { startDailySummary } from './notify/delivery-summary.js';
import { type TelegramOptions, startTelegram } from './bot/telegram.js';
import type { Transport, TransportApp } from './chat/transport.js';


export interface TransportsOptions {
  telegram?: TelegramOptions;
  console?: ConsoleOptions;
  /** Schedule the daily summary (default true). */
  dailySummary?: boolean;
}

export function startTransports(app: TransportApp, opts: TransportsOptions = {}): Transport & { kind: 'telegram' | 'console' } {
  const cancelSummary =
    opts.dailySummary === false
      ? () => undefined
      : startDailySummary({
          journal: app.journal,
          alerter: app.alerter,
          clock: app.clock,
          log: app.log,
          mode: app.mode,
          timeZone: app.config.TIMEZONE,
          at: app.config.DAILY_SUMMARY_AT,
        });
  const t = app.config.TELEGRAM_BOT_TOKEN ? startTelegram(app, opts.telegram) : startConsole(app, opts.console);
  return {
    kind: app.config.TELEGRAM_BOT_TOKEN ? 'telegram' : 'console',
    async stop() {
      cancelSummary();
      await t.stop();
    },
  };
}
