// The command a container HEALTHCHECK (or any supervisor) runs: `node dist/ops/healthcheck.js` exits 0 when the
// bot's last good cycle is fresh, 1 otherwise, printing one line that says why. It reads the same configuration
// as the bot. Small on purpose: it runs every 30 s and imports no exchange or chat code.
import { ConfigError, loadConfig, loadDotEnv } from '../config.js';
import { probeHealth } from './health.js';

try {
  loadDotEnv();
  const r = await probeHealth(loadConfig(), Date.now());
  process.stdout.write(`${r.line}\n`);
  process.exitCode = r.ok ? 0 : 1;
} catch (err) {
  process.stdout.write(`unhealthy: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exitCode = 1;
}
