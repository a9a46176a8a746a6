// Anything else from an allowed user. The command group matches names case-insensitively, but compares a
// command's @target with the bot's username exactly: other spellings of our own name (/pause@THISBOT)
// land here and go through the same guarded runner (stale check included). Commands addressed to another
// bot are ignored; plain text gets a pointer to /help; a button no feature knows is answered as invalid.
import { Composer } from 'grammy';
import { tapUnknown } from '../../chat/commands.js';
import { parseCommandLine } from '../../chat/reply.js';
import { type BotContext, type FeatureDeps, answerTap, runGuarded } from '../context.js';

export function fallbackFeature(d: FeatureDeps): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.on('message:text', async (ctx) => {
    const cmd = parseCommandLine(ctx.message.text);
    if (!cmd) {
      // In a group, plain chatter is not for the bot.
      if (ctx.chat.type === 'private') await ctx.reply('Send /help for the commands.');
      return;
    }
    if (cmd.target !== undefined && cmd.target.toLowerCase() !== ctx.me.username.toLowerCase()) {
      ctx.log.debug({ command: cmd.name.slice(0, 32), target: cmd.target.slice(0, 40) }, 'ignored a command addressed to another bot');
      return;
    }
    await runGuarded(d, ctx, cmd.name, cmd.args);
  });
  c.on('callback_query:data', (ctx) => answerTap(ctx, 'This button is no longer valid.', tapUnknown));
  return c;
}
