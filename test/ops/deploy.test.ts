// The deployment files. The systemd unit is checked by systemd itself where systemd-analyze exists. No Docker
// engine runs on these machines (only the client), so the Dockerfile and compose.yaml are held here to the
// properties that matter: two stages on one Debian slim Node image, not root, tini, exec-form CMD, /data, a
// HEALTHCHECK that runs the real probe, and a stop grace longer than the bot's own bounded stop.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const UNIT = join(ROOT, 'deploy/kalshi-bot.service');

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const systemdAnalyze = which('systemd-analyze');

describe.skipIf(!systemdAnalyze)(`the systemd unit${systemdAnalyze ? '' : ' (skipped: systemd-analyze is not installed here)'}`, () => {
  it('passes systemd-analyze verify without a warning', async () => {
    // verify also resolves ExecStart's `node`, so it fails where node is not in systemd's search path.
    const r = await run(systemdAnalyze!, ['verify', UNIT], { timeout: 30_000 }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect({ stdout: r.stdout, stderr: r.stderr }).toEqual({ stdout: '', stderr: '' });
  });

  it('is hardened: systemd rates its exposure low', async () => {
    const r = await run(systemdAnalyze!, ['security', '--offline=yes', UNIT], { timeout: 30_000 }).catch((e: { stdout?: string; stderr?: string }) => e);
    const m = /Overall exposure level for kalshi-bot\.service: (\d+(?:\.\d+)?)/.exec(`${r.stdout ?? ''}`);
    if (!m) {
      // systemd < 250 has no --offline: nothing to rate.
      expect(r.stderr ?? '').toMatch(/offline|unrecognized|unknown/i);
      return;
    }
    expect(Number(m[1])).toBeLessThanOrEqual(2.5);
  });
});

describe('the unit file', () => {
  const unit = readFileSync(UNIT, 'utf8');
  it('restarts on failure, reads an EnvironmentFile and runs plain node on dist/', () => {
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/kalshi-bot\/env$/m);
    expect(unit).toMatch(/^ExecStart=node --enable-source-maps dist\/main\.js$/m);
    expect(unit).toMatch(/^User=kalshi-bot$/m);
    expect(unit).toMatch(/^StateDirectory=kalshi-bot$/m);
    expect(unit).toMatch(/^Environment=DB_PATH=\/var\/lib\/kalshi-bot\/bot\.db$/m);
    expect(unit.split('\n').filter((l) => !l.startsWith('#') && /tsx/.test(l))).toEqual([]);
  });
});

describe('the Dockerfile and compose.yaml', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = dockerfile.split('\n').filter((l) => !l.startsWith('#'));
  const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');

  it('has two stages on the same Debian slim image of a supported Node major', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)-(bookworm|trixie)-slim$/m.exec(dockerfile);
    expect(image, 'ARG NODE_IMAGE=node:<major>-<debian>-slim').not.toBeNull();
    expect(Number(image![1])).toBeGreaterThanOrEqual(22); // Node 20's life ended 2026-04-30
    expect(lines.filter((l) => l.startsWith('FROM '))).toEqual(['FROM ${NODE_IMAGE} AS build', 'FROM ${NODE_IMAGE}']);
  });

  it('builds the native addon and dist/ in the first stage and ships only production dependencies', () => {
    const [build, runtime] = dockerfile.split(/^FROM \$\{NODE_IMAGE\}$/m) as [string, string];
    expect(build).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(build).toMatch(/RUN npm ci /);
    expect(build).toMatch(/npm run build && npm prune --omit=dev/);
    expect(runtime).not.toMatch(/npm (ci|install)|g\+\+/);
    expect(runtime).toMatch(/COPY --from=build \/app\/node_modules \.\/node_modules/);
    expect(runtime).toMatch(/COPY --from=build \/app\/package\.json/); // "type": "module"
    expect(runtime).toMatch(/COPY migrations \.\/migrations/);
  });

  it('runs as a non-root user under tini, exec-form, with /data as a volume and a HEALTHCHECK that runs the probe', () => {
    const runtime = dockerfile.split(/^FROM \$\{NODE_IMAGE\}$/m)[1]!;
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(runtime).toMatch(/DB_PATH=\/data\/bot\.db/);
    expect(runtime).toMatch(/HEALTH_FILE=\/tmp\/kalshi-bot\.health/);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "dist\/ops\/healthcheck\.js"\]$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(runtime).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/main\.js"\]$/m);
    // What the HEALTHCHECK and CMD run exists in the source (dist/ is built from it).
    expect(existsSync(join(ROOT, 'src/ops/healthcheck.ts'))).toBe(true);
    expect(existsSync(join(ROOT, 'src/main.ts'))).toBe(true);
  });

  it('keeps secrets out of the build context', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['.env', '*.pem', 'node_modules', 'dist', 'data', '*.db']));
  });

  it('compose mounts the journal volume and the key as a secret, read-only root, and waits out the stop', () => {
    expect(compose).toMatch(/^ {6}- bot-data:\/data$/m);
    expect(compose).toMatch(/^ {6}KALSHI_PRIVATE_KEY_PATH: \/run\/secrets\/kalshi_key$/m);
    expect(compose).toMatch(/^ {4}read_only: true$/m);
    expect(compose).toMatch(/^ {6}- \/tmp$/m); // tmpfs for the health file
    const grace = /^ {4}stop_grace_period: (\d+)s$/m.exec(compose);
    expect(Number(grace?.[1])).toBeGreaterThan(20); // the bot's stop is bounded at 20 s; Docker's default is 10
    expect(compose).toMatch(/^ {4}restart: unless-stopped$/m);
  });
});
