// Glue between grammY and the transport-agnostic command layer: run a command, send its reply.
import { type Context, InlineKeyboard } from 'grammy';
import type { Logger } from '../log.js';
import { type CommandDeps, runCommand } from './commands.js';
import type { Button, Reply } from './reply.js';

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

export async function send(ctx: Context, r: Reply): Promise<void> {
  const kb = keyboard(r.buttons);
  await ctx.reply(r.text, kb ? { reply_markup: kb } : {});
}

/** Who did it, for the audit trail: "telegram:<user id>". */
export const byOf = (ctx: Context): string => `telegram:${ctx.from?.id ?? 'unknown'}`;

/** A grammY handler for one command name: parse args, run, reply. `mutating` commands refuse stale messages. */
export function handle(d: FeatureDeps, name: string, mutating = false) {
  return async (ctx: Context): Promise<void> => {
    const msg = ctx.message;
    if (mutating && msg && d.now() - msg.date * 1000 > d.staleCommandMs) {
      const min = Math.round((d.now() - msg.date * 1000) / 60_000);
      await ctx.reply(`Ignored /${name}: it was sent ${min} min ago, while the bot was not running. Send it again if you still want it.`, {
        reply_parameters: { message_id: msg.message_id },
      });
      return;
    }
    const args = typeof ctx.match === 'string' ? ctx.match : '';
    const r = await runCommand(d.commands, name, args, byOf(ctx));
    await send(ctx, r);
  };
}
