// Anything else from an allowed user: unknown commands and plain text get a pointer to /help.
import { type Context, Composer } from 'grammy';
import { runCommand } from '../commands.js';
import { type FeatureDeps, byOf, send } from '../context.js';
import { parseCommandLine } from '../reply.js';

export function fallbackFeature(d: FeatureDeps): Composer<Context> {
  const c = new Composer();
  c.on('message:text', async (ctx) => {
    const cmd = parseCommandLine(ctx.message.text);
    if (cmd) await send(ctx, await runCommand(d.commands, cmd.name, cmd.args, byOf(ctx)));
    else await ctx.reply('Send /help for the commands.');
  });
  return c;
}
