// Every command, declared once: the chat's command table (src/chat/commands.ts) becomes one grammY
// CommandGroup, which routes the commands (case-insensitive; a command addressed to another bot is not
// ours) and builds the menu next to the text box, shown only in the allowed users' chats.
import { CommandGroup } from '@grammyjs/commands';
import type { Api } from 'grammy';
import type { BotCommandScope } from 'grammy/types';
import { COMMANDS, inMenu, menuDescription } from '../../chat/commands.js';
import { parseCommandLine } from '../../chat/reply.js';
import { type BotContext, type FeatureDeps, runGuarded } from '../context.js';

export function commandsFeature(d: FeatureDeps): CommandGroup<BotContext> {
  const group = new CommandGroup<BotContext>({ ignoreCase: true, targetedCommands: 'optional' });
  for (const spec of COMMANDS) {
    // The arguments are read the way the terminal reads them (every line after the name): the plugin's own match
    // stops at the first line break, and "/pnl 5\n/pause" must be refused, not run as "/pnl 5".
    group.command(spec.name, menuDescription(spec), (ctx) => runGuarded(d, ctx, spec.name, parseCommandLine(ctx.msg.text ?? '')?.args ?? ctx.match));
  }
  return group;
}

/**
 * Where the menu shows: each allowed user's private chat, and in the alert group (if any) for those users
 * only. Nobody else sees the bot's commands (they would be ignored anyway).
 */
export function menuScopes(d: Pick<FeatureDeps, 'allowedUserIds' | 'alertChatId'>): BotCommandScope[] {
  const scopes: BotCommandScope[] = d.allowedUserIds.map((id) => ({ type: 'chat', chat_id: id }));
  if (d.alertChatId !== undefined && d.alertChatId < 0) {
    for (const id of d.allowedUserIds) scopes.push({ type: 'chat_member', chat_id: d.alertChatId, user_id: id });
  }
  return scopes;
}

/** setMyCommands for every scope, from the same group that routes the commands. */
export async function setMenu(api: Api, group: CommandGroup<BotContext>, scopes: BotCommandScope[], signal?: GrammySignal): Promise<void> {
  // /start is routed but kept out of the menu: Telegram's own Start button sends it.
  const commands = group.commands.filter((c) => inMenu(c.stringName)).map((c) => ({ command: c.stringName, description: c.description }));
  for (const scope of scopes) await api.setMyCommands(commands, { scope }, signal);
}

type GrammySignal = Parameters<Api['setMyCommands']>[2];
