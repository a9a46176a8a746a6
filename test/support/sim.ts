// Test-side signing and HTTP, written independently of src/kalshi (the sim must check the client, not mirror it).
import { constants, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { startSimExchange, type SimExchange, type SimOptions } from '../../src/sim/index.js';

// The one fixture reader (./fixtures.ts), under the names these tests use.
import { readFixture as fixture } from './fixtures.js';
export { FIXTURES_DIR as FIXTURES, readFixture as fixture } from './fixtures.js';

/**
 * A recorded error body as the wire sends it now: the fixtures are from 2026-06-11, and Kalshi
 * removed `service` from error bodies on 2026-08-06.
 */
export function wireError(name: string): unknown {
  const body = fixture(name) as { error?: Record<string, unknown> };
  if (body.error && typeof body.error === 'object') {
    const { service: _gone, ...rest } = body.error;
    return { ...body, error: rest };
  }
  return body;
}

/** A recorded record's field names plus the ones added since (exchange_index on orders, fills, positions: Aug 2026), sorted. */
export const keysNow = (rec: object, ...added: string[]): string[] => [...new Set([...Object.keys(rec), ...added])].sort();

export interface Signer {
  keyId: string;
  privateKey: KeyObject;
  publicPem: string;
}

let cached: { privateKey: KeyObject; publicPem: string } | null = null;
/** One 2048-bit RSA key per test file run (generation takes ~100 ms). */
export function makeSigner(): Signer {
  cached ??= (() => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  })();
  return { keyId: randomUUID(), ...cached };
}

export function signHeaders(s: Signer, method: string, path: string, tsMs: number, keyId = s.keyId): Record<string, string> {
  const bare = path.split('?')[0] ?? path;
  const sig = sign('sha256', Buffer.from(`${tsMs}${method}${bare}`), {
    key: s.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  });
  return {
    'KALSHI-ACCESS-KEY': keyId,
    'KALSHI-ACCESS-TIMESTAMP': String(tsMs),
    'KALSHI-ACCESS-SIGNATURE': sig.toString('base64'),
  };
}

export interface Res {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions on JSON
  headers: Headers;
}

export class TestClient {
  constructor(
    readonly sim: SimExchange,
    readonly signer: Signer | null,
    readonly clock: () => number = Date.now,
  ) {}

  /** path relative to /trade-api/v2, e.g. "/markets?limit=5" */
  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const url = this.sim.baseUrl + path;
    const fullPath = new URL(url).pathname;
    const h: Record<string, string> = { ...headers };
    if (this.signer) Object.assign(h, signHeaders(this.signer, method, fullPath, this.clock()));
    if (body !== undefined) h['content-type'] = 'application/json';
    const r = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
  }

  get = (path: string): Promise<Res> => this.req('GET', path);
  post = (path: string, body: unknown): Promise<Res> => this.req('POST', path, body);
  del = (path: string): Promise<Res> => this.req('DELETE', path);
}

/** A sim with a registered key and a signed client. */
export async function setup(opts: SimOptions = {}): Promise<{ sim: SimExchange; client: TestClient; signer: Signer; anon: TestClient }> {
  const sim = await startSimExchange({ markets: 0, rateLimit: false, ...opts });
  const signer = makeSigner();
  sim.registerKey(signer.keyId, signer.publicPem);
  return { sim, signer, client: new TestClient(sim, signer, opts.clock), anon: new TestClient(sim, null) };
}

export const order = (ticker: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  client_order_id: randomUUID(),
  count: '1.00',
  price: '0.5200',
  self_trade_prevention_type: 'taker_at_cross',
  side: 'bid',
  ticker,
  time_in_force: 'immediate_or_cancel',
  ...over,
});
