// The Telegram transport: long polling with grammY's bot.start(), the command menu, and delivery
// of the outbox to the alert chat(s), paced to Telegram's limits.
import { type Api, GrammyError, HttpError } from 'grammy';
import type { OutboxRow } from '../journal/outbox.js';
import { type Logger, rateLimited } from '../log.js';
import type { Alert } from '../notify/alerts.js';
import { type AlertSink, type DeliveryOptions, DeliveryFailure, OutboxDelivery } from '../notify/delivery.js';
import { deliverable } from '../notify/deliverable.js';
import { type RunnerHandle, run } from '@grammyjs/runner';
import { createBot } from './bot.js';
import { menuScopes, setMenu } from './features/commands.js';
import { keyboard } from './context.js';
import { approvalFromRow, approvalOutcomeLine, approvalText, formatAlert, lateMarker } from '../chat/format.js';
import { clip } from '../chat/reply.js';
import { type Transport, type TransportApp, sleepAbortable } from '../chat/transport.js';

export interface TelegramOptions {
  log?: Logger;
  /** getUpdates long-poll timeout, seconds. Default 30. */
  pollingTimeoutSeconds?: number;
  /** Minimum gap between messages to one chat: private chats 1 s (Telegram: ~1 msg/s), groups 3 s (20/min). */
  pacing?: { privateMs?: number; groupMs?: number };
  delivery?: DeliveryOptions;
  /** How long stop() may spend delivering what is still queued. Default 3 s. */
  flushMs?: number;
  staleCommandMs?: number;
  /** Wait between attempts to reach the Bot API at start-up. Default 5 s. */
  initRetryMs?: number;
}

export interface TelegramTransport extends Transport {
  readonly bot: ReturnType<typeof createBot>['bot'];
  readonly delivery: OutboxDelivery;
}

/** Where alerts go: TELEGRAM_CHAT_ID, else each allowed user's private chat (chat id = user id). */
export function alertChats(app: TransportApp): number[] {
  const c = app.config;
  return c.TELEGRAM_CHAT_ID !== undefined ? [c.TELEGRAM_CHAT_ID] : [...c.TELEGRAM_ALLOWED_USER_IDS];
}

function toFailure(err: unknown): DeliveryFailure {
  if (err instanceof DeliveryFailure) return err;
  if (err instanceof GrammyError) {
    const msg = `Bot API ${err.error_code}: ${err.description}`;
    if (err.error_code === 429) return new DeliveryFailure(msg, { retryAfterMs: (err.parameters.retry_after ?? 1) * 1000 });
    // 400 (bad request, chat not found) and 403 (blocked by the user) will not heal by retrying soon.
    if (err.error_code === 400 || err.error_code === 403) return new DeliveryFailure(msg, { permanent: true });
    return new DeliveryFailure(msg);
  }
  if (err instanceof HttpError) return new DeliveryFailure(`network: ${err.message}`);
  return new DeliveryFailure(err instanceof Error ? err.message : String(err));
}

/**
 * A refusal that is about one chat, not the message: the user blocked the bot (403), the bot was
 * removed from the group, the chat does not exist. Other recipients must still get the alert.
 */
function isChatRefusal(err: unknown): boolean {
  if (!(err instanceof GrammyError)) return false;
  if (err.error_code === 403) return true;
  return err.error_code === 400 && /chat not found|user not found|peer_id_invalid|bot was kicked|not a member|chat_write_forbidden|have no rights to send/i.test(err.description);
}

type MessageRef = { chatId: number; messageId: number };

/** message_ref holds one {chatId, messageId} (one alert chat) or an array of them (several). */
function parseRefs(raw: string | null | undefined): MessageRef[] {
  if (!raw) return [];
  try {
    const v = JSON.parse(raw) as MessageRef | MessageRef[];
    return (Array.isArray(v) ? v : [v]).filter((r) => typeof r?.chatId === 'number' && typeof r?.messageId === 'number');
  } catch {
    return [];
  }
}

/** grammY types its signal with a shim's AbortSignal; Node's own is what it uses at run time. */
const grammySignal = (s: AbortSignal) => s as never;

const withLate = (text: string, late: string | null): string => {
  if (!late) return text;
  const nl = text.indexOf('\n');
  return nl < 0 ? `${text} (${late})` : `${text.slice(0, nl)} (${late})${text.slice(nl)}`;
};

export class TelegramSink implements AlertSink {
  private readonly lastSent = new Map<number, number>();
  /** Chats that already got the current row (a retry after a partial success must not resend). */
  private readonly done = new Map<number, Set<number>>();
  private readonly refusalLog: (key: string, msg: string) => void;

  constructor(
    private readonly api: Api,
    private readonly chats: readonly number[],
    private readonly app: TransportApp,
    private readonly pacing: { privateMs: number; groupMs: number },
    log: Logger = app.log,
  ) {
    this.refusalLog = rateLimited((m) => log.warn(m), 10 * 60_000);
  }

  private async pace(chatId: number, signal: AbortSignal): Promise<void> {
    const gap = chatId < 0 ? this.pacing.groupMs : this.pacing.privateMs;
    const last = this.lastSent.get(chatId);
    if (last !== undefined) {
      const wait = last + gap - Date.now();
      if (wait > 0) await sleepAbortable(wait, signal);
    }
    this.lastSent.set(chatId, Date.now());
  }

  async deliver(alert: Alert, row: OutboxRow, late: string | null, signal: AbortSignal): Promise<void> {
    const how = deliverable(alert, this.app.journal, this.app.clock.now());
    if (!how.send) return; // counted as delivered: the person asked not to hear it, or it can no longer be answered
    let done = this.done.get(row.id);
    if (!done) {
      this.done.clear();
      done = new Set();
      this.done.set(row.id, done);
    }
    let refusal: DeliveryFailure | null = null;
    for (const chatId of this.chats) {
      if (done.has(chatId)) continue;
      await this.pace(chatId, signal);
      if (signal.aborted) throw new DeliveryFailure('stopping');
      try {
        await this.deliverTo(chatId, alert, late, how.silent, signal);
      } catch (err) {
        if (signal.aborted || !isChatRefusal(err)) throw toFailure(err);
        // This chat refuses the bot: skip it for this row, the others still get the alert.
        refusal = new DeliveryFailure(`chat ${chatId}: ${toFailure(err).message}`, { permanent: true });
        this.refusalLog(`refused:${chatId}`, `Telegram: chat ${chatId} refuses messages (${toFailure(err).message}); skipping it (has the user blocked the bot?)`);
        continue;
      }
      done.add(chatId);
    }
    // Nobody got it: let the delivery loop retry and eventually abandon it.
    if (refusal && done.size === 0) throw refusal;
    this.done.delete(row.id);
  }

  /** Remember which message carries an approval in this chat (one ref per chat, so every copy can be edited). */
  private rememberApprovalMessage(id: number, ref: MessageRef): void {
    const refs = parseRefs(this.app.journal.approvals.get(id)?.message_ref).filter((r) => r.chatId !== ref.chatId);
    refs.push(ref);
    this.app.journal.approvals.setMessageRef(id, refs.length === 1 ? ref : refs);
  }

  private async deliverTo(chatId: number, alert: Alert, late: string | null, silent: boolean, signal: AbortSignal): Promise<void> {
    const tz = this.app.config.TIMEZONE;
    if (alert.kind === 'approval-outcome') {
      const a = this.app.journal.approvals.get(alert.id);
      const ref = parseRefs(a?.message_ref).find((r) => r.chatId === chatId);
      if (a && ref) {
        const text = `${approvalText(alert.mode, approvalFromRow(a), tz)}\n\n${approvalOutcomeLine(alert.state, alert.text)}`;
        try {
          // No reply_markup: the Approve/Reject buttons go away with the edit.
          await this.api.editMessageText(chatId, ref.messageId, clip(text), { parse_mode: 'HTML' }, grammySignal(signal));
          return;
        } catch (err) {
          if (err instanceof GrammyError && err.error_code === 400) {
            if (/not modified/i.test(err.description)) return;
            // The message is gone (deleted, too old to edit): say it in a new message below.
          } else throw err;
        }
      }
    }
    const r = formatAlert(alert, tz);
    const kb = keyboard(r.buttons);
    const msg = await this.api.sendMessage(
      chatId,
      clip(withLate(r.text, late)),
      { parse_mode: 'HTML', ...(silent ? { disable_notification: true } : {}), ...(kb ? { reply_markup: kb } : {}) },
      grammySignal(signal),
    );
    if (alert.kind === 'approval') this.rememberApprovalMessage(alert.id, { chatId, messageId: msg.message_id });
  }
}

/** Start the Telegram bot (long polling) and the outbox delivery to the alert chat(s). */
export function startTelegram(app: TransportApp, opts: TelegramOptions = {}): TelegramTransport {
  const token = app.config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('startTelegram needs TELEGRAM_BOT_TOKEN');
  const log = opts.log ?? app.log;
  const pollingTimeout = opts.pollingTimeoutSeconds ?? 30;
  const { bot, commandGroup, features } = createBot({
    token,
    apiRoot: app.config.TELEGRAM_API_ROOT,
    allowedUserIds: app.config.TELEGRAM_ALLOWED_USER_IDS,
    alertChatId: app.config.TELEGRAM_CHAT_ID,
    commands: { control: app.control, mode: app.mode, clock: app.clock, timeZone: app.config.TIMEZONE, transport: 'telegram', spent: new Set() },
    log,
    timeoutSeconds: pollingTimeout + 30,
    ...(opts.staleCommandMs !== undefined ? { staleCommandMs: opts.staleCommandMs } : {}),
  });

  const sink = new TelegramSink(
    bot.api,
    alertChats(app),
    app,
    { privateMs: opts.pacing?.privateMs ?? 1000, groupMs: opts.pacing?.groupMs ?? 3000 },
    log,
  );
  const delivery = new OutboxDelivery(
    { outbox: app.journal.outbox, clock: app.clock, log, sink, subscribe: (wake) => app.alerter.onQueued(wake), lateMarker },
    opts.delivery,
  );
  delivery.start();

  const ac = new AbortController();
  let runner: RunnerHandle | null = null;
  const polling = (async () => {
    // Reach the Bot API first (getMe). grammY retries 5xx/network itself until aborted; a 401 (bad token) is logged and retried slowly.
    while (!ac.signal.aborted) {
      try {
        await bot.init(grammySignal(ac.signal));
        break;
      } catch (err) {
        if (ac.signal.aborted) return;
        log.error({ err }, 'Telegram: cannot start the bot');
        await sleepAbortable(opts.initRetryMs ?? 5000, ac.signal);
      }
    }
    if (ac.signal.aborted) return;
    await setMenu(bot.api, commandGroup, menuScopes(features), grammySignal(ac.signal)).catch((err: unknown) => log.warn({ err }, 'Telegram: setMyCommands failed'));
    log.info(`Telegram: polling as @${bot.botInfo.username}`);
    // Pending updates are kept: commands sent while the bot was down are handled (mutating ones older than
    // staleCommandMs are refused with a note). The runner retries failed polls itself, with backoff.
    runner = run(bot, { runner: { fetch: { timeout: pollingTimeout, allowed_updates: ['message', 'callback_query'] }, silent: true } });
    await runner.task();
  })();

  let stopping: Promise<void> | null = null;
  return {
    bot,
    delivery,
    stop() {
      stopping ??= (async () => {
        ac.abort();
        // Wait for p at most ms; the timer is cleared either way so nothing keeps the process alive.
        const bound = async (p: Promise<unknown>, ms: number) => {
          const timer = new AbortController();
          try {
            await Promise.race([p.catch(() => undefined), sleepAbortable(ms, timer.signal)]);
          } finally {
            timer.abort();
          }
        };
        await bound(runner?.isRunning() ? runner.stop() : Promise.resolve(), 2000);
        await bound(polling, 2000);
        await delivery.stop(opts.flushMs ?? 3000);
        // A clean stop says so in the chat (quietly): the person can tell a stop from a crash.
        const stopped = formatAlert({ kind: 'stopped', mode: app.mode, delivered: delivery.delivered, queued: app.journal.outbox.pendingCount() }, app.config.TIMEZONE);
        for (const chatId of alertChats(app)) {
          await bound(bot.api.sendMessage(chatId, stopped.text, { parse_mode: 'HTML', disable_notification: true }), 1000);
        }
      })();
      return stopping;
    },
  };
}
