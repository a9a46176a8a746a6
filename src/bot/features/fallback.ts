// Anything else from an allowed user. grammY's command() matches exact lower-case names addressed to
// this bot only; other spellings (/Pause, /PAUSE@ThisBot) land here and go through the same guarded
// runner (stale check included). Commands addressed to another bot are ignored; plain text gets a
// pointer to /help.
import { type Context, Composer } from 'grammy';
import { type FeatureDeps, runGuarded } from '../context.js';
import { parseCommandLine } from '../../chat/reply.js';

export function fallbackFeature(d: FeatureDeps): Composer<Context> {
  const c = new Composer();
  c.on('message:text', async (ctx) => {
    const cmd = parseCommandLine(ctx.message.text);
    if (!cmd) {
      // In a group, plain chatter is not for the bot.
      if (ctx.chat.type === 'private') await ctx.reply('Send /help for the commands.');
      return;
    }
    if (cmd.target !== undefined && cmd.target.toLowerCase() !== ctx.me.username.toLowerCase()) {
      d.log.debug(`ignored /${cmd.name} addressed to @${cmd.target.slice(0, 40)}`);
      return;
    }
    await runGuarded(d, ctx, cmd.name, cmd.args);
  });
  return c;
}
