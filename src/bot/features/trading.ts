// Commands that change whether and how much the bot trades: /pause, /resume, /setcap, /stopall.
import { type Context, Composer } from 'grammy';
import { type FeatureDeps, handle } from '../context.js';

export function tradingFeature(d: FeatureDeps): Composer<Context> {
  const c = new Composer();
  for (const name of ['pause', 'resume', 'setcap', 'stopall']) c.command(name, handle(d, name));
  return c;
}
