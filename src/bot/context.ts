// Glue between grammY and the transport-agnostic command layer: run a command or a tap, send its reply.
import { type Context, GrammyError, InlineKeyboard, InputFile, Keyboard } from 'grammy';
import type { Logger } from '../log.js';
import { type CommandDeps, type TapResult, findCommand, runCommand } from '../chat/commands.js';
import { esc, toPlain } from '../chat/html.js';
import { type Button, type Reply, clip, photoCaption, reply, splitMessage } from '../chat/reply.js';

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

/**
 * Every reply to a chat goes through here: HTML parse mode, split at line breaks into messages within Telegram's
 * 4096-character limit (the buttons go on the last one). A reply with a photo sends it first, the text as its
 * caption; a text too long for a caption (1024) goes on in messages after the photo.
 */
export async function send(ctx: Context, r: Reply): Promise<void> {
  const kb = keyboard(r.buttons) ?? replyKeyboard(r.keyboard);
  let text: string | null = r.text;
  if (r.document) {
    const { caption, rest } = photoCaption(r.text);
    await ctx.replyWithDocument(new InputFile(r.document.bytes, r.document.filename), { caption, parse_mode: 'HTML' });
    text = rest;
  } else if (r.photo) {
    const { caption, rest } = photoCaption(r.text);
    await ctx.replyWithPhoto(new InputFile(r.photo.png, r.photo.filename), { caption, parse_mode: 'HTML', ...(rest === null && kb ? { reply_markup: kb } : {}) });
    text = rest;
  }
  if (text === null) return;
  const parts = splitMessage(text);
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    await ctx.reply(part, { parse_mode: 'HTML', ...(last && kb ? { reply_markup: kb } : {}) });
  }
}

/** The everyday commands under the text box: resized, and kept until replaced. */
function replyKeyboard(rows: string[][] | undefined): Keyboard | undefined {
  if (!rows?.length) return undefined;
  return Keyboard.from(rows.map((row) => row.map((t) => Keyboard.text(t)))).resized().persistent();
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
    await ctx.reply(`Unknown command /${esc(name.slice(0, 32))}. Send /help for the list.`, { parse_mode: 'HTML' });
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
  await ctx.answerCallbackQuery({ text: toPlain(toast).slice(0, 190) }).catch((err: unknown) => ctx.log.warn({ err }, 'could not answer the button tap'));
  const r = await work();
  if (r.follow) await send(ctx, r.follow).catch((err: unknown) => ctx.log.warn({ err }, 'could not send the follow-up'));
  if (r.edit && ctx.callbackQuery?.message) {
    try {
      const kb = keyboard(r.edit.buttons);
      await ctx.editMessageText(clip(r.edit.text), { parse_mode: 'HTML', ...(kb ? { reply_markup: kb } : {}) });
      return;
    } catch (err) {
      // Telegram refuses an edit that changes nothing: the message already says it.
      if (err instanceof GrammyError && /not modified/i.test(err.description)) return;
      ctx.log.warn({ err }, "could not edit the button's message");
    }
  }
  if (r.follow) return;
  // No edit (or it failed): say the result in a message, since the toast was spent on "working".
  await send(ctx, reply(r.answer)).catch((err: unknown) => ctx.log.warn({ err }, "could not send the button's result"));
}
