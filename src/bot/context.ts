// Glue between grammY and the transport-agnostic command layer: run a command, send its reply.
import { type Context, InlineKeyboard } from 'grammy';
import type { Logger } from '../log.js';
import { type CommandDeps, findCommand, runCommand } from '../chat/commands.js';
import { type Button, type Reply, clip } from '../chat/reply.js';

export interface FeatureDeps {
  commands: CommandDeps;
  log: Logger;
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
 * The one path that runs a command from a Telegram message (grammY's command() handlers and the
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

/** A grammY handler for one command name: parse args, run (stale mutating commands refused), reply. */
export function handle(d: FeatureDeps, name: string) {
  return (ctx: Context): Promise<void> => runGuarded(d, ctx, name, typeof ctx.match === 'string' ? ctx.match : '');
}
