// /approve <id>, /reject <id>, and every inline button (approve/reject, cap and stop-all confirmations).
// The callback data carries a fingerprint (approval id + action, or the cap it was issued against),
// and Control's decisions are single-use, so a stale or repeated tap cannot act twice.
import { type Context, Composer } from 'grammy';
import { describe } from '../../log.js';
import { runCallback } from '../../chat/commands.js';
import { type FeatureDeps, byOf, handle, send } from '../context.js';
import { clip, reply } from '../../chat/reply.js';

/** The toast shown at once, before the (possibly slow) work: an approval waits for the fill, /stopall cancels one by one. */
function workingToast(data: string): string {
  if (data.startsWith('ap:a:')) return 'Approving… placing the order';
  if (data.startsWith('ap:r:')) return 'Rejecting…';
  if (data.startsWith('stop:')) return 'Stopping… canceling orders';
  if (data.startsWith('cap:')) return 'Setting the cap…';
  if (data === 'x') return 'Cancelled';
  return 'Working…';
}

export function approvalsFeature(d: FeatureDeps): Composer<Context> {
  const c = new Composer();
  c.command('approve', handle(d, 'approve'));
  c.command('reject', handle(d, 'reject'));
  c.on('callback_query:data', async (ctx) => {
    const data = ctx.callbackQuery.data;
    // Answer first: Telegram wants an answer within seconds and may refuse a late one. A failed
    // answer only costs the spinner; it must not look like the action failed.
    await ctx
      .answerCallbackQuery({ text: workingToast(data) })
      .catch((err: unknown) => d.log.warn(`could not answer the button tap: ${describe(err)}`));
    const message = ctx.callbackQuery.message;
    const text = message && 'text' in message ? (message.text ?? '') : '';
    const r = await runCallback(d.commands, data, byOf(ctx), text);
    if (r.edit && message) {
      try {
        await ctx.editMessageText(clip(r.edit.text));
        return;
      } catch (err) {
        d.log.warn(`could not edit the button's message: ${describe(err)}`);
      }
    }
    // No edit (or it failed): say the result in a message, since the toast was spent on "working".
    await send(ctx, reply(r.answer)).catch((err: unknown) => d.log.warn(`could not send the button's result: ${describe(err)}`));
  });
  return c;
}
