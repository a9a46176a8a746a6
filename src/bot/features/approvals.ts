// The Approve / Reject buttons on an approval request. The callback data carries the approval's id, and
// Control's decisions are single-use, so a stale or repeated tap cannot act twice. (/approve and /reject
// typed as commands come through the command group like every other command.)
import { Composer } from 'grammy';
import { TAP_DATA, tapApproval } from '../../chat/commands.js';
import { type BotContext, type FeatureDeps, answerTap, byOf } from '../context.js';

export function approvalsFeature(d: FeatureDeps): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.callbackQuery(TAP_DATA.approval, (ctx) => {
    const [, action, id] = ctx.match;
    const approve = action === 'a';
    return answerTap(ctx, approve ? 'Approving… placing the order' : 'Rejecting…', () =>
      tapApproval(d.commands, approve ? 'approve' : 'reject', id!, byOf(ctx)),
    );
  });
  return c;
}
