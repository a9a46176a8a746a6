// SIGKILL the real bot process (src/main.ts under tsx, demo mode against a simulated exchange that outlives it) at
// each step of an order's life, restart it on the same journal, and audit: the exchange holds exactly the orders
// the journal says, fills are recorded once, money moved once, every alert is delivered, the journal is intact.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimExchange, startSimExchange } from '../src/sim/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const MAIN = join(ROOT, 'src/main.ts');
const DAY = 86_400_000;

let dir: string;
let keyFile: string;
let keyId: string;
let publicPem: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kalshi-kill-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  keyId = randomUUID();
  publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(env: Record<string, string>): Run {
  // detached: its own process group, so a stuck run can be ended whole (tsx and the node process it starts).
  const child = spawn(TSX, [MAIN], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 25_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal });
    }),
  );
  return { child, out: () => out, exited };
}

const waitFor = async (run: Run, re: RegExp, ms = 20_000) => {
  const t0 = performance.now();
  while (!re.test(run.out())) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${re}; output:\n${run.out()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** A market the bot wants right away: in band, settling tomorrow. */
const market = (ticker: string, category: string, askSize: number) => ({
  ticker,
  category,
  yesBidCents: 76,
  yesAskCents: 78,
  yesAskSize: askSize,
  yesBidSize: 50,
  volume24h: 9000,
  expectedExpirationMs: Date.now() + DAY,
  closeMs: Date.now() + 2 * DAY,
});

const STEPS = [
  { at: 'intent', market: market('KXKILLA-26DEC02-A', 'Economics', 50) },
  { at: 'send', market: market('KXKILLB-26DEC02-B', 'Economics', 50) },
  { at: 'poll', market: market('KXKILLC-26DEC02-C', 'Economics', 50), rests: true },
  { at: 'cancel', market: market('KXKILLD-26DEC02-D', 'Economics', 50), rests: true },
  { at: 'transfer', market: market('KXBTCKILL-26DEC02-E', 'Crypto', 50) },
];

describe('SIGKILL at each step of an order, then a restart on the same journal', () => {
  for (const step of STEPS) {
    it(`killed ${step.at === 'intent' ? 'after the intent is written' : step.at === 'send' ? 'after the create is sent' : step.at === 'poll' ? 'while polling' : step.at === 'cancel' ? 'while cancelling' : 'during a shard transfer'}`, async () => {
      const sim: SimExchange = await startSimExchange({ markets: 0, rateLimit: false, transferDelayMs: 20 });
      try {
        sim.registerKey(keyId, publicPem);
        sim.addMarket(step.market);
        if ('rests' in step) {
          // The scan sees the ask as it was a moment ago; by the time the order arrives it has been taken, so
          // the order rests (quotes lag the book on any exchange).
          const page = (await (await fetch(`${sim.baseUrl}/markets?limit=1000&status=open&mve_filter=exclude`)).json()) as Record<string, unknown>;
          sim.updateMarket(step.market.ticker, { yesAskSize: 0 });
          sim.inject({ kind: 'reply', status: 200, body: { ...page, cursor: '' }, count: 1000, method: 'GET', pathIncludes: '/trade-api/v2/markets' });
        }
        const db = join(dir, `${step.at}.db`);
        const env = {
          KALSHI_ENV: 'demo',
          KALSHI_BASE_URL: sim.baseUrl,
          KALSHI_KEY_ID: keyId,
          KALSHI_PRIVATE_KEY_PATH: keyFile,
          DB_PATH: db,
          CYCLE_SECONDS: '3600',
          FILL_TIMEOUT_SECONDS: '1',
          LOG_LEVEL: 'info',
        };
        const killed = start({ ...env, KALSHI_BOT_TEST_KILL_AT: step.at });
        expect(await killed.exited).toMatchObject({ signal: null }); // tsx reports its child's death as an exit
        expect(killed.out()).not.toMatch(/stopped cleanly/);
        // It died exactly at the named step: the journal shows the order (or transfer) caught there.
        const seen = new Database(db, { readonly: true });
        try {
          const order = seen.prepare('SELECT state, exchange_order_id FROM orders ORDER BY id DESC LIMIT 1').get() as { state: string; exchange_order_id: string | null } | undefined;
          const transfer = seen.prepare('SELECT state, transfer_id FROM transfers ORDER BY id DESC LIMIT 1').get() as { state: string; transfer_id: string | null } | undefined;
          if (step.at === 'intent') expect(order).toEqual({ state: 'intent', exchange_order_id: null });
          else if (step.at === 'transfer') {
            expect(transfer).toEqual({ state: 'sent', transfer_id: null }); // accepted by the exchange, its id never journaled
            expect(sim.transfersSnapshot()).toHaveLength(1);
            expect(order).toBeUndefined();
          } else expect(order?.state).toBe('resting');
          if (step.at === 'poll' || step.at === 'cancel') expect(sim.ordersSnapshot().map((o) => o.filledE2)).toEqual([0]);
        } finally {
          seen.close();
        }

        // Restart on the same journal: reconcile, one cycle, then a clean stop.
        const again = start(env);
        await waitFor(again, /"msg":"cycle \d+ done in /);
        process.kill(-again.child.pid!, 'SIGTERM');
        expect((await again.exited).code).toBe(0);
        expect(again.out()).toMatch(/stopped cleanly/);

        const j = new Database(db, { readonly: true });
        try {
          expect(j.pragma('integrity_check', { simple: true })).toBe('ok');
          const rows = j.prepare('SELECT client_order_id, exchange_order_id, final, filled_e2, state FROM orders').all() as {
            client_order_id: string;
            exchange_order_id: string | null;
            final: number;
            filled_e2: number;
            state: string;
          }[];
          const onExchange = sim.ordersSnapshot();
          // Exactly the orders the journal says: each exchange order has one row, by client id and exchange id.
          expect(onExchange.length).toBeGreaterThan(0);
          for (const o of onExchange) {
            const mine = rows.filter((r) => r.client_order_id === o.client_order_id);
            expect(mine).toHaveLength(1);
            expect(mine[0]!.exchange_order_id).toBe(o.order_id);
            expect(mine[0]!.filled_e2).toBe(o.filledE2);
          }
          expect(rows.filter((r) => r.exchange_order_id !== null)).toHaveLength(onExchange.length);
          expect(new Set(onExchange.map((o) => o.client_order_id)).size).toBe(onExchange.length);
          expect(rows.every((r) => r.final === 1)).toBe(true);
          expect(onExchange.every((o) => o.status !== 'resting')).toBe(true);
          // Fills recorded once: the journal's fill records are the exchange's, one each.
          const fills = j.prepare('SELECT fill_id FROM fills').all() as { fill_id: string }[];
          expect(fills.length).toBe(sim.fillsSnapshot().length);
          // Money moved once: every transfer on the exchange is one journal row with its id.
          const transfers = j.prepare('SELECT transfer_id, state FROM transfers').all() as { transfer_id: string | null; state: string }[];
          expect(transfers.filter((t) => t.transfer_id !== null).map((t) => t.transfer_id).sort()).toEqual(sim.transfersSnapshot().map((t) => t.transfer_id).sort());
          if (step.at === 'transfer') expect(sim.transfersSnapshot()).toHaveLength(1);
          // Every alert queued (before or after the kill) was delivered by the restarted bot.
          const undelivered = j.prepare('SELECT COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL').get() as { n: number };
          expect(undelivered.n).toBe(0);
        } finally {
          j.close();
        }
      } finally {
        await sim.close();
      }
    }, 60_000);
  }
});
