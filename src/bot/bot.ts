// createBot(deps): the grammY bot. The allow-list filter runs first: updates from anyone else, in
// any chat, change nothing and get no answer (only a rate-limited log line). Then a child logger for
// the update, per-chat sequencing, and one Composer per feature inside an error boundary; bot.catch is
// the last line of defence.
import type { CommandGroup } from '@grammyjs/commands';
import { sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import { type Logger, rateLimited } from '../log.js';
import type { CommandDeps } from '../chat/commands.js';
import type { BotContext, FeatureDeps } from './context.js';
import { approvalsFeature } from './features/approvals.js';
import { commandsFeature } from './features/commands.js';
import { confirmationsFeature } from './features/confirmations.js';
import { fallbackFeature } from './features/fallback.js';

export interface BotDeps {
  token: string;
  /** Bot API root (tests point it at a fake server). */
  apiRoot: string;
  allowedUserIds: readonly number[];
  /** The alert chat, when it is a group: the command menu is shown there to the allowed users. */
  alertChatId?: number | undefined;
  commands: CommandDeps;
  log: Logger;
  /** Mutating commands older than this are refused (sent while the bot was down). Default 10 min. */
  staleCommandMs?: number;
  /** Per-request timeout for Bot API calls, seconds. */
  timeoutSeconds?: number;
  now?: () => number;
}

export interface BotParts {
  bot: Bot<BotContext>;
  /** The command group: it routes the commands and makes the menu (see setMenu). */
  commandGroup: CommandGroup<BotContext>;
  features: FeatureDeps;
}

export function createBot(deps: BotDeps): BotParts {
  const bot = new Bot<BotContext>(deps.token, {
    client: { apiRoot: deps.apiRoot, timeoutSeconds: deps.timeoutSeconds ?? 60 },
  });
  const allowed = new Set(deps.allowedUserIds);
  const strangerLog = rateLimited((m) => deps.log.warn(m), 60_000);

  // 1. Allow-list: nothing else runs for a stranger, and nothing is sent back.
  bot.use(async (ctx, next) => {
    const userId = ctx.from?.id;
    if (userId !== undefined && allowed.has(userId)) return next();
    const what = (ctx.message?.text?.split(/\s/)[0]?.slice(0, 32) ?? Object.keys(ctx.update).find((k) => k !== 'update_id') ?? 'update')
      // A stranger's text goes to the operator's terminal: no control characters (escape sequences) in it.
      .replace(/[^\x20-\x7e]/g, '?');
    strangerLog(`stranger:${userId ?? 'none'}`, `ignored ${what} from non-allowed user ${userId ?? '(none)'} in chat ${ctx.chat?.id ?? '(none)'}`);
  });

  // 2. A child logger per update: every line it logs carries the update, chat and user.
  bot.use((ctx, next) => {
    ctx.log = deps.log.child({ update: ctx.update.update_id, chat: ctx.chat?.id, user: ctx.from?.id });
    return next();
  });

  // 3. Updates run concurrently (@grammyjs/runner); one chat's messages stay in order, and so do its button taps, but a
  // tap whose order waits for its fill holds neither other chats nor that chat's commands (/status answers meanwhile).
  bot.use(sequentialize((ctx) => (ctx.chat === undefined ? undefined : `${ctx.chat.id}:${ctx.callbackQuery ? 'tap' : 'message'}`)));

  // 4. Features, each its own Composer, behind an error boundary.
  const f: FeatureDeps = {
    commands: deps.commands,
    allowedUserIds: deps.allowedUserIds,
    alertChatId: deps.alertChatId,
    staleCommandMs: deps.staleCommandMs ?? 10 * 60_000,
    now: deps.now ?? Date.now,
  };
  const commandGroup = commandsFeature(f);
  bot.errorBoundary(
    async (err) => {
      err.ctx.log.error({ err: err.error }, 'bot handler failed');
      await err.ctx.reply('Something went wrong; it may or may not have been applied. Check /status before trying again.').catch(() => undefined);
    },
    commandGroup,
    approvalsFeature(f),
    confirmationsFeature(f),
    fallbackFeature(f),
  );

  bot.catch((err) => deps.log.error({ err: err.error, update: err.ctx.update.update_id }, 'bot error'));
  return { bot, commandGroup, features: f };
}
