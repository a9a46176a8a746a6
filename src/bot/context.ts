// Glue between grammY and the transport-agnostic command layer: run a command or a tap, send its reply.
import { type Context, InlineKeyboard } from 'grammy';
import type { Logger } from '../log.js';
import { type CommandDeps, type TapResult, findCommand, runCommand } from '../chat/commands.js';
import { type Button, type Reply, clip, reply } from '../chat/reply.js';

/** grammY's context plus a child logger for this one update (its id, chat and user on every line). */
export type BotContext = Context & { log: Logger };

export interface FeatureDeps {
  commands: CommandDeps;
  /** Bot API allow-list and alert chat, for the command menu's scopes. */
  allowedUserIds: readonly number[];
  alertChatId?: number | undefined;
  /** Commands that change something and were sent longer ago than this (e.g. while the bot was down) are not run. */
  staleCommandMs: number;
  now: () => number;
}

export function keyboard(buttons: Button[][] | undefined): InlineKeyboard | undefined {
  if (!buttons?.length) return undefined;
  const kb = new InlineKeyboard();
  buttons.forEach((row, i) => {
    if (i > 0) kb.row();
    for (const b of row) kb.text(b.text, b.data);
  });
  return kb;
}

/** Every reply to a chat goes through here: clipped to Telegram's 4096-character limit. */
export async function send(ctx: Context, r: Reply): Promise<void> {
  const kb = keyboard(r.buttons);
  await ctx.reply(clip(r.text), kb ? { reply_markup: kb } : {});
}

/** Who did it, for the audit trail: "telegram:<user id>". */
export const byOf = (ctx: Context): string => `telegram:${ctx.from?.id ?? 'unknown'}`;

/**
 * The one path that runs a command from a Telegram message (the command group's handlers and the
 * fallback for other spellings): a mutating command sent longer ago than staleCommandMs is refused.
 */
export async function runGuarded(d: FeatureDeps, ctx: Context, name: string, args: string): Promise<void> {
  const spec = findCommand(name);
  if (!spec) {
    await ctx.reply(`Unknown command /${name.slice(0, 32)}. Send /help for the list.`);
    return;
  }
  const msg = ctx.message;
  if (spec.mutating && msg && d.now() - msg.date * 1000 > d.staleCommandMs) {
    const min = Math.round((d.now() - msg.date * 1000) / 60_000);
    await ctx.reply(`Ignored /${spec.name}: it was sent ${min} min ago, while the bot was not running. Send it again if you still want it.`, {
      reply_parameters: { message_id: msg.message_id },
    });
    return;
  }
  await send(ctx, await runCommand(d.commands, spec.name, args, byOf(ctx)));
}

/** The text of the message that carried a tapped button ('' if Telegram did not include it). */
export function tappedText(ctx: Context): string {
  const message = ctx.callbackQuery?.message;
  return message && 'text' in message ? (message.text ?? '') : '';
}

/**
 * Every button tap: answer at once with a short "working" toast (Telegram wants an answer within seconds,
 * and an approval may wait 10 s for its fill), then do the work and show its result by editing the
 * button's message, or in a new message when there is nothing to edit.
 */
export async function answerTap(ctx: BotContext, toast: string, work: () => Promise<TapResult> | TapResult): Promise<void> {
  // A failed answer only costs the spinner; it must not look like the action failed.
  await ctx.answerCallbackQuery({ text: toast }).catch((err: unknown) => ctx.log.warn({ err }, 'could not answer the button tap'));
  const r = await work();
  if (r.edit && ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(clip(r.edit.text));
      return;
    } catch (err) {
      ctx.log.warn({ err }, "could not edit the button's message");
    }
  }
  // No edit (or it failed): say the result in a message, since the toast was spent on "working".
  await send(ctx, reply(r.answer)).catch((err: unknown) => ctx.log.warn({ err }, "could not send the button's result"));
}
