// createBot(deps): the grammY bot. The allow-list filter runs first: updates from anyone else, in
// any chat, change nothing and get no answer (only a rate-limited log line). Then one Composer per
// feature inside an error boundary; bot.catch is the last line of defence.
import { sequentialize } from '@grammyjs/runner';
import { Bot, type Context } from 'grammy';
import { describe, type Logger, rateLimited } from '../log.js';
import type { CommandDeps } from '../chat/commands.js';
import type { FeatureDeps } from './context.js';
import { approvalsFeature } from './features/approvals.js';
import { fallbackFeature } from './features/fallback.js';
import { helpFeature } from './features/help.js';
import { settingsFeature } from './features/settings.js';
import { statusFeature } from './features/status.js';
import { tradingFeature } from './features/trading.js';

export interface BotDeps {
  token: string;
  /** Bot API root (tests point it at a fake server). */
  apiRoot: string;
  allowedUserIds: readonly number[];
  commands: CommandDeps;
  log: Logger;
  /** Mutating commands older than this are refused (sent while the bot was down). Default 10 min. */
  staleCommandMs?: number;
  /** Per-request timeout for Bot API calls, seconds. */
  timeoutSeconds?: number;
  now?: () => number;
}

export function createBot(deps: BotDeps): Bot<Context> {
  const bot = new Bot<Context>(deps.token, {
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

  // Updates run concurrently (@grammyjs/runner); one chat's messages stay in order, and so do its button taps, but a
  // tap whose order waits for its fill holds neither other chats nor that chat's commands (/status answers meanwhile).
  bot.use(sequentialize((ctx) => (ctx.chat === undefined ? undefined : `${ctx.chat.id}:${ctx.callbackQuery ? 'tap' : 'message'}`)));

  // 2. Features, each its own Composer, behind an error boundary.
  const f: FeatureDeps = {
    commands: deps.commands,
    log: deps.log,
    staleCommandMs: deps.staleCommandMs ?? 10 * 60_000,
    now: deps.now ?? Date.now,
  };
  bot.errorBoundary(
    async (err) => {
      deps.log.error(`bot handler failed on update ${err.ctx.update.update_id}: ${describe(err.error)}`);
      await err.ctx.reply('Something went wrong; it may or may not have been applied. Check /status before trying again.').catch(() => undefined);
    },
    helpFeature(f),
    statusFeature(f),
    tradingFeature(f),
    settingsFeature(f),
    approvalsFeature(f),
    fallbackFeature(f),
  );

  bot.catch((err) => deps.log.error(`bot error on update ${err.ctx.update.update_id}: ${describe(err.error)}`));
  return bot;
}

/** Error text for logs: message only, never request options (the token is in the URL). */
