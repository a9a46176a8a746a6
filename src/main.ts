// The long-running bot: reconcile, then scan every CYCLE_SECONDS; Telegram (or the terminal) in the same process.
import { type App, type AppOptions, createApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { JournalError } from './journal/db.js';
import { KeyLoadError } from './kalshi/signer.js';
import { type Logger, createLogger } from './log.js';
import { HealthError, type HealthHandle, startHealthFor } from './ops/health.js';
import { scanProgressPrinter } from './progress.js';
import { startTransports } from './transports.js';
import { boundHeapGrowth } from './memory.js';

boundHeapGrowth();

async function main(): Promise<void> {
  // Signals are handled from the first moment: a stop that arrives while the app is still being built waits for it,
  // then stops it in order (a supervisor's SIGTERM during start-up must not kill the process mid-write).
  let parts: { app: App; health: HealthHandle | null } | null = null;
  let log: Logger | null = null;
  let ready: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const msg = `${signal}: stopping (finishing the order in flight, then closing the journal)...`;
    if (log) log.info(msg);
    else process.stderr.write(`${msg}\n`);
    await ready.catch(() => undefined);
    if (parts) {
      // The whole sequence (scan loop, order in flight, chat transport and outbox flush, journal) is App.stop's, bounded in time.
      await parts.health?.close();
      await parts.app.stop();
      parts.app.log.info('stopped cleanly');
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  loadDotEnv();
  const config = loadConfig();
  const logger = await createLogger({ level: config.LOG_LEVEL });
  log = logger;
  const building = (async () => {
    const log = logger;
    const app = await createApp({ config, log, onProgress: scanProgressPrinter(), ...killSwitch(process.env.KALSHI_BOT_TEST_KILL_AT) });
    log.info(
      { mode: app.mode, cycleSeconds: config.CYCLE_SECONDS, journal: config.DB_PATH, ...(app.sim ? { sim: app.sim.baseUrl, simMarkets: config.SIM_MARKETS } : {}) },
      `mode ${app.mode}${app.sim ? ` (simulated exchange with ${config.SIM_MARKETS.toLocaleString('en-US')} markets at ${app.sim.baseUrl})` : ''}; ` +
        `cycle every ${config.CYCLE_SECONDS} s; journal ${config.DB_PATH}`,
    );
    // The last good cycle's age for a supervisor (HEALTH_PORT / HEALTH_FILE; off by default).
    const health = await startHealthFor(app);
    const transports = startTransports(app);
    log.info(
      transports.kind === 'telegram'
        ? 'Telegram is on: alerts go to the chat, commands come from the allowed users.'
        : 'No TELEGRAM_BOT_TOKEN: alerts print here; type /help, /status, /pause, /setcap 40 ... and press Enter.',
    );
    parts = { app, health };
    return app;
  })();
  ready = building;
  const app = await building;
  if (stopping) return;
  await app.start();
}

/**
 * Test seam for the crash tests (never set in production): the process SIGKILLs itself at one step of an order's
 * life, exactly where a power cut or an OOM kill could hit it. One of: intent, send, poll, cancel, transfer.
 */
function killSwitch(at: string | undefined): Pick<AppOptions, 'executor' | 'fundingHooks'> {
  if (!at) return {};
  const die = () => {
    process.kill(process.pid, 'SIGKILL');
  };
  const steps: Record<string, Pick<AppOptions, 'executor' | 'fundingHooks'>> = {
    intent: { executor: { hooks: { afterIntent: die } } },
    send: { executor: { hooks: { afterSend: die } } },
    poll: { executor: { hooks: { whilePolling: die } } },
    cancel: { executor: { hooks: { beforeCancel: die } } },
    transfer: { fundingHooks: { afterTransferSent: die } },
  };
  const chosen = steps[at];
  if (!chosen) throw new Error(`KALSHI_BOT_TEST_KILL_AT must be one of ${Object.keys(steps).join(', ')}`);
  return chosen;
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof KeyLoadError || err instanceof JournalError || err instanceof HealthError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
