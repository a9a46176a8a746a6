// /approve <id>, /reject <id>, and every inline button (approve/reject, cap and stop-all confirmations).
// The callback data carries a fingerprint (approval id + action, or the cap it was issued against),
// and Control's decisions are single-use, so a stale or repeated tap cannot act twice.
import { type Context, Composer } from 'grammy';
import { runCallback } from '../commands.js';
import { type FeatureDeps, byOf, handle } from '../context.js';

export function approvalsFeature(d: FeatureDeps): Composer<Context> {
  const c = new Composer();
  c.command('approve', handle(d, 'approve', true));
  c.command('reject', handle(d, 'reject', true));
  c.on('callback_query:data', async (ctx) => {
    const message = ctx.callbackQuery.message;
    const text = message && 'text' in message ? (message.text ?? '') : '';
    const r = await runCallback(d.commands, ctx.callbackQuery.data, byOf(ctx), text);
    await ctx.answerCallbackQuery({ text: r.answer.slice(0, 200) });
    if (r.edit && message) {
      await ctx.editMessageText(r.edit.text).catch((err: Error) => d.log.warn(`could not edit the button's message: ${err.message}`));
    }
  });
  return c;
}
