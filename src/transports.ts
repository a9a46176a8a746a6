// What main.ts calls: start the chat transport the config asks for (Telegram with a token, the terminal
// without) and hand it to the app, whose stop() stops it in its place in the shutdown order.
import type { App } from './app.js';
import { type TelegramOptions, startTelegram } from './bot/telegram.js';
import type { Transport } from './chat/transport.js';
import { type ConsoleOptions, startConsole } from './console/console.js';

export interface TransportsOptions {
  telegram?: TelegramOptions;
  console?: ConsoleOptions;
}

export function startTransports(app: App, opts: TransportsOptions = {}): Transport & { kind: 'telegram' | 'console' } {
  const telegram = app.config.TELEGRAM_BOT_TOKEN !== undefined;
  const t = telegram ? startTelegram(app, opts.telegram) : startConsole(app, opts.console);
  app.useTransport(t);
  return { kind: telegram ? 'telegram' : 'console', stop: () => t.stop() };
}
