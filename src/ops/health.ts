// A health signal a supervisor can read: the age of the last cycle that completed without an error, served as
// GET /healthz on a loopback port and/or written to a file that a container HEALTHCHECK reads. Off unless
// HEALTH_PORT or HEALTH_FILE is set. Fresh: 200 {"ok":true,...}; stale or no cycle yet: 503 {"ok":false,...}.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export interface HealthState {
  ok: boolean;
  /** ms since the last good cycle; null when none has completed yet. */
  lastCycleAgeMs: number | null;
  /** ISO time of the last good cycle, or null. */
  lastCycleAt: string | null;
  maxAgeMs: number;
}

export interface HealthOptions {
  /** Serve GET /healthz here (0: any free port, for tests). Omitted: no HTTP server. */
  port?: number;
  /** Default 127.0.0.1: the signal is for a supervisor on this host, not for the network. */
  host?: string;
  /** Also write the state to this file (atomically) after every cycle; removed on close. */
  file?: string;
  lastCycleAt: () => number | null;
  maxAgeMs: number;
  clock: Clock;
  /** Rewrites the file as soon as a cycle ends (without it the file is refreshed on a timer only). */
  onCycle?: (listener: () => void) => () => void;
  /** Refresh period of the file (default 5 s). */
  fileEveryMs?: number;
}

export interface HealthHandle {
  /** http://host:port/healthz when serving. */
  url?: string;
  file?: string;
  close(): Promise<void>;
}

export function healthState(lastCycleAt: number | null, maxAgeMs: number, now: number): HealthState {
  if (lastCycleAt === null) return { ok: false, lastCycleAgeMs: null, lastCycleAt: null, maxAgeMs };
  const age = Math.max(0, now - lastCycleAt);
  return { ok: age <= maxAgeMs, lastCycleAgeMs: age, lastCycleAt: new Date(lastCycleAt).toISOString(), maxAgeMs };
}

/** Unset HEALTH_MAX_AGE_SECONDS: three cycle periods (one skipped or slow cycle is no alarm), at least 3 minutes. */
export function healthMaxAgeMs(config: Pick<Config, 'CYCLE_SECONDS' | 'HEALTH_MAX_AGE_SECONDS'>): number {
  return (config.HEALTH_MAX_AGE_SECONDS ?? Math.max(180, 3 * config.CYCLE_SECONDS)) * 1000;
}

export async function startHealth(opts: HealthOptions): Promise<HealthHandle> {
  const state = () => healthState(opts.lastCycleAt(), opts.maxAgeMs, opts.clock.now());
  const handle: HealthHandle = { close: async () => undefined };
  const closers: (() => Promise<void> | void)[] = [];

  if (opts.file !== undefined) {
    const file = opts.file;
    let written: number | null | undefined;
    const write = (force = false) => {
      const at = opts.lastCycleAt();
      if (!force && at === written) return;
      writeHealthFile(file, { lastCycleAt: at, maxAgeMs: opts.maxAgeMs, pid: process.pid, writtenAt: opts.clock.now() });
      written = at;
    };
    // Written at once: a file left by an earlier run must not speak for this one.
    write(true);
    const timer = setInterval(() => {
      try {
        write();
      } catch {
        // A full disk must not stop the bot; the reader sees the file age out.
      }
    }, opts.fileEveryMs ?? 5_000);
    timer.unref();
    const unsubscribe = opts.onCycle?.(() => {
      try {
        write();
      } catch {
        // as above
      }
    });
    closers.push(() => {
      clearInterval(timer);
      unsubscribe?.();
      rmSync(file, { force: true });
    });
    handle.file = file;
  }

  if (opts.port !== undefined) {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/healthz' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const s = state();
      res.writeHead(s.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(s));
    });
    // A probe is one tiny request: a slow or idle client is not kept waiting on.
    server.requestTimeout = 5_000;
    server.headersTimeout = 5_000;
    server.keepAliveTimeout = 1_000;
    await listen(server, opts.port, opts.host ?? '127.0.0.1');
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    handle.url = `http://${host}:${addr.port}/healthz`;
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
  }

  let closing: Promise<void> | null = null;
  handle.close = () => {
    closing ??= (async () => {
      for (const c of closers) await c();
    })();
    return closing;
  };
  return handle;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const HealthFile = z.object({
  lastCycleAt: z.number().int().nullable(),
  maxAgeMs: z.number().int().positive(),
  pid: z.number().int(),
  writtenAt: z.number().int(),
});
export type HealthFile = z.infer<typeof HealthFile>;

function writeHealthFile(file: string, content: HealthFile): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content)}\n`);
  // rename is atomic: a reader never sees half a file.
  renameSync(tmp, file);
}

/** The state a health file describes, judged by the reader's own clock (a dead writer's file ages out). */
export function readHealthFile(file: string, now: number, maxAgeMs?: number): HealthState & { reason?: string } {
  let parsed: HealthFile;
  try {
    parsed = HealthFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ...healthState(null, maxAgeMs ?? 0, now), reason: code === 'ENOENT' ? `no health file at ${file} (is the bot running?)` : `unreadable health file ${file}` };
  }
  return healthState(parsed.lastCycleAt, maxAgeMs ?? parsed.maxAgeMs, now);
}

/** The health signal cannot start (port taken, file not writable): the message names the variable. */
export class HealthError extends Error {
  override readonly name = 'HealthError';
  constructor(config: Pick<Config, 'HEALTH_PORT' | 'HEALTH_HOST' | 'HEALTH_FILE'>, cause: unknown) {
    const e = cause as { code?: string; syscall?: string; message?: string };
    const what =
      e.syscall === 'listen' || e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL'
        ? `HEALTH_PORT ${config.HEALTH_PORT} on HEALTH_HOST ${config.HEALTH_HOST} cannot be listened on`
        : `HEALTH_FILE ${config.HEALTH_FILE} cannot be written`;
    super(`${what}: ${e.code ?? e.message ?? String(cause)}`);
  }
}

/** What the app offers: App matches this (config, clock, onCycle, log). */
export interface HealthApp {
  config: Pick<Config, 'CYCLE_SECONDS' | 'HEALTH_PORT' | 'HEALTH_HOST' | 'HEALTH_FILE' | 'HEALTH_MAX_AGE_SECONDS'>;
  clock: Clock;
  onCycle(listener: (s: { error?: string | undefined }) => void): () => void;
  log?: Logger;
}

/**
 * Start the health signal the config asks for, or nothing (null) when HEALTH_PORT and HEALTH_FILE are both unset.
 * Only cycles that completed without an error count: a bot whose every scan fails is not healthy.
 */
export async function startHealthFor(app: HealthApp): Promise<HealthHandle | null> {
  const { config } = app;
  if (config.HEALTH_PORT === undefined && config.HEALTH_FILE === undefined) return null;
  let last: number | null = null;
  const listeners = new Set<() => void>();
  const unsubscribe = app.onCycle((s) => {
    if (s.error) return;
    last = app.clock.now();
    for (const l of listeners) l();
  });
  const handle = await startHealth({
    ...(config.HEALTH_PORT !== undefined ? { port: config.HEALTH_PORT } : {}),
    host: config.HEALTH_HOST,
    ...(config.HEALTH_FILE !== undefined ? { file: config.HEALTH_FILE } : {}),
    lastCycleAt: () => last,
    maxAgeMs: healthMaxAgeMs(config),
    clock: app.clock,
    onCycle: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  }).catch((err: unknown) => {
    unsubscribe();
    throw new HealthError(config, err);
  });
  app.log?.info(`health: ${[handle.url, handle.file].filter(Boolean).join(' and ')} (stale after ${healthMaxAgeMs(config) / 1000} s without a good cycle)`);
  return {
    ...handle,
    close: async () => {
      unsubscribe();
      await handle.close();
    },
  };
}

/**
 * What a supervisor's probe concludes (src/ops/healthcheck.ts prints it): HEALTH_FILE if set (no socket needed),
 * else GET /healthz on HEALTH_HOST:HEALTH_PORT.
 */
export async function probeHealth(
  config: Pick<Config, 'CYCLE_SECONDS' | 'HEALTH_PORT' | 'HEALTH_HOST' | 'HEALTH_FILE' | 'HEALTH_MAX_AGE_SECONDS'>,
  now: number,
): Promise<{ ok: boolean; line: string }> {
  const describeState = (s: HealthState) =>
    s.lastCycleAgeMs === null ? 'no cycle has completed yet' : `last good cycle ${Math.round(s.lastCycleAgeMs / 1000)} s ago (limit ${s.maxAgeMs / 1000} s)`;
  if (config.HEALTH_FILE !== undefined) {
    const s = readHealthFile(config.HEALTH_FILE, now, healthMaxAgeMs(config));
    return { ok: s.ok, line: `${s.ok ? 'healthy' : 'unhealthy'}: ${s.reason ?? describeState(s)}` };
  }
  if (config.HEALTH_PORT !== undefined) {
    const host = config.HEALTH_HOST.includes(':') ? `[${config.HEALTH_HOST}]` : config.HEALTH_HOST;
    const url = `http://${host}:${config.HEALTH_PORT}/healthz`;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const s = (await r.json()) as HealthState;
      return { ok: r.status === 200, line: `${r.status === 200 ? 'healthy' : 'unhealthy'}: ${describeState(s)}` };
    } catch (err) {
      return { ok: false, line: `unhealthy: ${url} did not answer (${(err as Error).name})` };
    }
  }
  return { ok: false, line: 'unhealthy: the health signal is off (set HEALTH_FILE or HEALTH_PORT)' };
}
