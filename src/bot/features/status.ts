// Read-only reports: /status, /positions, /orders, /trades, /pnl, /why.
import { type Context, Composer } from 'grammy';
import { type FeatureDeps, handle } from '../context.js';

export function statusFeature(d: FeatureDeps): Composer<Context> {
  const c = new Composer();
  for (const name of ['status', 'positions', 'orders', 'trades', 'pnl', 'why']) c.command(name, handle(d, name));
  return c;
}
