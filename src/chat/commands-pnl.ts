// The P&L commands of the one command table (src/chat/commands.ts spreads them into COMMANDS): /positions, /pnl,
// /balance, /profit, /daily, /performance, Freqtrade-style. Each parses its arguments first (a bad one is answered
// with what is accepted, before anything is read), asks the control core (src/control/pnl.ts), and formats.
//
// The spec type is declared here by its shape (what these commands use of CommandDeps), not imported: the table
// imports this file, and a type import back would be an import circle.
import type { PnlReports } from '../control/pnl.js';
import type { Mode } from '../notify/alerts.js';
import { modeTag } from './format.js';
import { formatBalance, formatDaily, formatPerformance, formatPnlByDay, formatPositionsView, formatProfit, pnlTitle, zoneName } from './format-pnl.js';
import { esc } from './html.js';
import { type Reply, reply } from './reply.js';

export interface PnlCommandDeps {
  control: { readonly reports: PnlReports };
  mode: Mode;
  timeZone: string;
}

/** A CommandSpec (src/chat/commands.ts) of the P&L commands. */
export interface PnlCommandSpec {
  name: string;
  args?: string;
  description: string;
  run(d: PnlCommandDeps, args: string, by: string): Promise<Reply> | Reply;
}

/** /pnl: the chart with the table as its caption; text only when nothing settled in the window. */
async function pnlReply(d: PnlCommandDeps, args: string): Promise<Reply> {
  const r = d.control.reports.pnlByDay(args);
  if (!r.ok) return reply(`${modeTag(d.mode)} ${esc(r.error)}`);
  const v = r.value;
  const text = formatPnlByDay(v, d.mode, d.timeZone);
  if (v.settled === 0) return reply(text);
  // Loaded on the first /pnl: vega and resvg's native addon cost ~230 ms and ~33 MB, and a platform without a
  // prebuilt resvg binary then loses the chart (the command answers with the error), never the trading bot.
  const { renderPnlChart } = await import('./charts/pnl-chart.js');
  const png = await renderPnlChart({
    title: pnlTitle(d.mode, v.days),
    days: v.rows,
    xTitle: `trading day (${zoneName(d.timeZone)})`,
  });
  return { text, photo: { png, filename: `pnl-${v.to}-${v.days}d.png` } };
}

export const PNL_COMMANDS: PnlCommandSpec[] = [
  {
    name: 'positions',
    description: 'Open positions: avg and current price, unrealized P&L, settles when',
    run: async (d) => reply(formatPositionsView(await d.control.reports.positions(), d.mode, d.timeZone)),
  },
  { name: 'pnl', args: '[days]', description: 'Realized P&L by day: chart and table (default 7)', run: (d, args) => pnlReply(d, args) },
  { name: 'balance', description: 'Free money per exchange shard', run: async (d) => reply(formatBalance(await d.control.reports.balance(), d.mode, d.timeZone)) },
  { name: 'profit', description: 'Since the start: trades, win rate, realized P&L, fees', run: (d) => reply(formatProfit(d.control.reports.profit(), d.mode, d.timeZone)) },
  {
    name: 'daily',
    args: '[days]',
    description: 'Realized P&L and buying per day (default 7)',
    run: (d, args) => {
      const r = d.control.reports.daily(args);
      return reply(r.ok ? formatDaily(r.value, d.mode, d.timeZone) : `${modeTag(d.mode)} ${esc(r.error)}`);
    },
  },
  { name: 'performance', description: 'Realized P&L by category', run: async (d) => reply(formatPerformance(await d.control.reports.performance(), d.mode)) },
];
