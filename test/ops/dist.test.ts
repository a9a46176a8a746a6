// Production runs the built dist/ with plain node: `npm run build` emits it, and laid out as the Docker image
// lays it out (package.json, dist/, migrations/, production dependencies only) it starts, scans the simulated
// exchange, and stops cleanly on SIGTERM; its doctor and healthcheck run there too. Built once for the file.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { type HealthHandle, startHealth } from '../../src/ops/health.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

let app: string; // the production layout: <app>/{package.json, dist, migrations, node_modules}
const procs: ChildProcess[] = [];

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'kalshi-dist-'));
  // The npm script itself, into this layout's dist/ (not the work tree's: nothing shared is overwritten).
  await run('npm', ['run', 'build', '--', '--outDir', join(app, 'dist')], { cwd: ROOT, timeout: 240_000 }).catch((e: { stdout?: string; stderr?: string }) => {
    throw new Error(`npm run build failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`.slice(0, 4_000));
  });
  cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  cpSync(join(ROOT, 'migrations'), join(app, 'migrations'), { recursive: true });
  // Production dependencies only (what `npm ci --omit=dev` keeps): a dist import of a dev dependency fails here.
  const ls = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, timeout: 60_000 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const top = new Set<string>();
  for (const p of ls.stdout.split('\n')) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(p.trim());
    if (m && !p.slice(0, -m[1]!.length - '/node_modules/'.length).includes('/node_modules/')) top.add(m[1]!);
  }
  expect(top.has('better-sqlite3')).toBe(true);
  for (const name of top) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name));
  }
}, 300_000);

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(app, { recursive: true, force: true });
});

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

describe('the built dist/', () => {
  it('holds every source file, and imports nothing but node built-ins, its own files and production dependencies', () => {
    const files = jsFiles(join(app, 'dist')).map((f) => relative(join(app, 'dist'), f));
    expect(files).toEqual(expect.arrayContaining(['main.js', 'cli.js', 'ops/doctor.js', 'ops/healthcheck.js', 'journal/db.js']));
    const builtins = new Set(builtinModules);
    const bad: string[] = [];
    for (const f of jsFiles(join(app, 'dist'))) {
      const text = readFileSync(f, 'utf8');
      // Static imports only: an optional dynamic import (pino-pretty in a terminal) is caught where it is made.
      for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1] ?? m[2]!;
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!(name in pkg.dependencies) || name === 'tsx') bad.push(`${relative(app, f)}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('starts with plain node, scans the simulated exchange and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'kalshi-dist-run-'));
    const db = join(work, 'data', 'bot.db');
    // Own cwd (no stray .env), only PATH inherited, no Telegram token: the console transport reads the stdin pipe.
    const child = spawn(process.execPath, [join(app, 'dist/main.js')], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', KALSHI_ENV: 'sim', DB_PATH: db, SIM_MARKETS: '500', CYCLE_SECONDS: '5' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    procs.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((ok) => child.on('close', (code) => ok(code)));
    const seen = (re: RegExp, ms: number) =>
      new Promise<void>((ok, fail) => {
        const until = Date.now() + ms;
        const check = () => {
          if (re.test(out)) ok();
          else if (Date.now() > until || child.exitCode !== null) fail(new Error(`no ${re} (exit ${child.exitCode}); output so far:\n${out}`));
          else setTimeout(check, 50);
        };
        check();
      });
    try {
      await seen(/500 markets/, 30_000);
      await seen(/cycle 1(:| done)/, 30_000);
      child.kill('SIGTERM');
      expect(await exited, out).toBe(0);
      const j = new Database(db, { readonly: true });
      expect((j.prepare('SELECT COUNT(*) AS n FROM cycles WHERE finished_at IS NOT NULL AND markets = 500').get() as { n: number }).n).toBeGreaterThanOrEqual(1);
      j.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('runs its doctor and its healthcheck with plain node', { timeout: 60_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'kalshi-dist-ops-'));
    const env = { PATH: process.env.PATH ?? '', DB_PATH: join(work, 'bot.db'), HEALTH_FILE: join(work, 'health.json') };
    const node = (script: string, args: string[] = []) =>
      run(process.execPath, [join(app, script), ...args], { cwd: work, env, timeout: 30_000 }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '' }),
      );
    let health: HealthHandle | null = null;
    try {
      const doctor = await node('dist/cli.js', ['doctor']);
      expect(doctor.code, doctor.out).toBe(0);
      expect(doctor.out).toMatch(/^✓ mode +SIM: /m);
      expect(doctor.out).toMatch(/^✓ health +file .*health\.json; stale after 180 s/m);

      expect(await node('dist/ops/healthcheck.js')).toEqual({ code: 1, out: expect.stringMatching(/^unhealthy: no health file at /) });
      let last: number | null = null;
      health = await startHealth({ file: env.HEALTH_FILE, lastCycleAt: () => last, maxAgeMs: 180_000, clock: systemClock, fileEveryMs: 20 });
      expect(await node('dist/ops/healthcheck.js')).toEqual({ code: 1, out: 'unhealthy: no cycle has completed yet\n' });
      last = Date.now();
      await new Promise((r) => setTimeout(r, 100));
      expect(await node('dist/ops/healthcheck.js')).toEqual({ code: 0, out: expect.stringMatching(/^healthy: last good cycle \d+ s ago \(limit 180 s\)\n$/) });
    } finally {
      await health?.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
