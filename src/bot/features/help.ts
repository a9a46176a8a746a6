// /start and /help: what the bot is doing, the mode, the commands.
import { Composer } from 'grammy';
import { type FeatureDeps, handle } from '../context.js';

export function helpFeature(d: FeatureDeps): Composer<import('grammy').Context> {
  const c = new Composer();
  c.command('start', handle(d, 'start'));
  c.command('help', handle(d, 'help'));
  return c;
}
