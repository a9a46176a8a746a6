// /settings and /set <name> <value>.
import { type Context, Composer } from 'grammy';
import { type FeatureDeps, handle } from '../context.js';

export function settingsFeature(d: FeatureDeps): Composer<Context> {
  const c = new Composer();
  c.command('settings', handle(d, 'settings'));
  c.command('set', handle(d, 'set'));
  return c;
}
