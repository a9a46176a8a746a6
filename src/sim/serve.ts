// The simulated exchange as its own process, so a benchmark's client and the exchange do not share a
// CPU core. Reads its options from the environment (SIM_MARKETS, SIM_LATENCY_MS, SIM_TIER = basic |
// advanced | premier | prime, SIM_KEY_ID + SIM_PUBLIC_KEY_PEM), prints one JSON line {"baseUrl"} when
// ready, and answers "stats" on stdin with one JSON line of its request counts. Ends on SIGTERM or stdin
// close. Listing records are rendered once at start and served from the render cache while unchanged, so
// the exchange's own CPU is not what a benchmark measures.
import { createInterface } from 'node:readline';
import { startSimExchange } from './index.js';

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v === undefined ? fallback : Number(v);
};

function tierOf(v: string | undefined): 'basic' | 'advanced' | 'premier' | 'prime' {
  if (v === undefined || v === '') return 'basic';
  if (v === 'basic' || v === 'advanced' || v === 'premier' || v === 'prime') return v;
  throw new Error(`SIM_TIER must be basic, advanced, premier or prime (got ${v})`);
}

const sim = await startSimExchange({
  markets: num('SIM_MARKETS', 20_000),
  latencyMs: num('SIM_LATENCY_MS', 0),
  rateLimit: tierOf(process.env.SIM_TIER),
  renderCache: 'warm',
});
const keyId = process.env.SIM_KEY_ID;
const pem = process.env.SIM_PUBLIC_KEY_PEM;
if (keyId && pem) sim.registerKey(keyId, pem);
process.stdout.write(`${JSON.stringify({ baseUrl: sim.baseUrl })}\n`);

const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
const lines = createInterface({ input: process.stdin });
lines.on('line', (l) => {
  if (l.trim() === 'stats') process.stdout.write(`${JSON.stringify(sim.stats())}\n`);
});
lines.on('close', () => void stop());
