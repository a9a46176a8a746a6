// The confirming taps of commands that ask first: a large /setcap raise, /stopall, and their Cancel; and /status's Refresh.
// Each button's data carries when it was issued (and the cap it was asked against), so an old or
// repeated tap is refused.
import { Composer } from 'grammy';
import { TAP_DATA, tapCancel, tapCapConfirm, tapSetConfirm, tapStatusRefresh, tapStopAll } from '../../chat/commands.js';
import { type BotContext, type FeatureDeps, answerTap, byOf, tappedText } from '../context.js';

export function confirmationsFeature(d: FeatureDeps): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.callbackQuery(TAP_DATA.capConfirm, (ctx) => {
    const [, newE4, oldE4, issued] = ctx.match;
    const t = { newE4: Number(newE4), oldE4: Number(oldE4), issuedMs: Number(issued) };
    return answerTap(ctx, 'Setting the cap…', () => tapCapConfirm(d.commands, t, byOf(ctx), tappedText(ctx)));
  });
  c.callbackQuery(TAP_DATA.stopAll, (ctx) =>
    answerTap(ctx, 'Stopping… canceling orders', () => tapStopAll(d.commands, ctx.callbackQuery.data, Number(ctx.match[1]), byOf(ctx), tappedText(ctx))),
  );
  c.callbackQuery(TAP_DATA.setConfirm, (ctx) =>
    answerTap(ctx, 'Applying…', () => tapSetConfirm(d.commands, Number(ctx.match[1]), ctx.match[2]!, byOf(ctx), tappedText(ctx))),
  );
  c.callbackQuery(TAP_DATA.cancel, (ctx) => answerTap(ctx, 'Cancelled', () => tapCancel(tappedText(ctx))));
  // Not a confirmation, but a button on a reply: /status's Refresh.
  c.callbackQuery(TAP_DATA.statusRefresh, (ctx) => answerTap(ctx, 'Refreshing…', () => tapStatusRefresh(d.commands)));
  return c;
}
