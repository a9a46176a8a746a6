// The Approve / Reject buttons on an approval request. The callback data carries the approval's id, and
// Control's decisions are single-use, so a stale or repeated tap cannot act twice. (/approve and /reject
// typed as commands come through the command group like every other command.)
import { Composer } from 'grammy';
import { TAP_DATA, approvalTapToast, tapApproval, tapApproveAll, tapApproveAllConfirm } from '../../chat/commands.js';
import { type BotContext, type FeatureDeps, answerTap, byOf } from '../context.js';

export function approvalsFeature(d: FeatureDeps): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.callbackQuery(TAP_DATA.approval, (ctx) => {
    const [, action, id] = ctx.match;
    const answer = action === 'a' ? 'approve' : 'reject';
    return answerTap(ctx, approvalTapToast(d.commands, answer, Number(id)), () => tapApproval(d.commands, answer, id!, byOf(ctx)));
  });
  // Approve all / Reject all (from /approvals) ask for a confirming tap, which answers each one in turn.
  c.callbackQuery(TAP_DATA.approveAll, (ctx) =>
    answerTap(ctx, 'Confirm below', () => tapApproveAll(d.commands, ctx.match[1] === 'a' ? 'approve' : 'reject', Number(ctx.match[2]))),
  );
  c.callbackQuery(TAP_DATA.approveAllConfirm, (ctx) =>
    answerTap(ctx, ctx.match[1] === 'a' ? 'Approving all… each is re-checked' : 'Rejecting all…', () =>
      tapApproveAllConfirm(d.commands, ctx.match[1] === 'a' ? 'approve' : 'reject', Number(ctx.match[2]), byOf(ctx)),
    ),
  );
  return c;
}
