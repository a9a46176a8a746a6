import { afterEach, describe, expect, it } from 'vitest';
import type { SimExchange } from '../../src/sim/index.js';
import { fixture, setup, signHeaders, TestClient } from '../support/sim.js';

let sim: SimExchange | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

const BAL = '/trade-api/v2/portfolio/balance';

describe('sim auth', () => {
  it('a valid signature passes and the balance has the recorded shape', async () => {
    const s = await setup();
    sim = s.sim;
    const r = await s.client.get('/portfolio/balance');
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(fixture('auth__balance_ok') as object).sort());
    expect(r.body.balance).toBe(100_000);
    expect(r.body.balance_dollars).toBe('1000.0000');
  });

  it('answers every bad-auth case with the exact recorded body', async () => {
    const s = await setup();
    sim = s.sim;
    const url = s.sim.baseUrl + '/portfolio/balance';
    const now = Date.now();
    const call = async (h: Record<string, string>) => {
      const r = await fetch(url, { headers: h });
      return { status: r.status, body: await r.json() };
    };
    // wrong signature: a valid-format signature over the wrong message
    const wrong = signHeaders(s.signer, 'GET', '/trade-api/v2/portfolio/positions', now);
    expect(await call(wrong)).toEqual({ status: 401, body: fixture('auth__bad_signature') });
    // unknown key id
    const unknown = signHeaders(s.signer, 'GET', BAL, now, '00000000-0000-0000-0000-000000000000');
    expect(await call(unknown)).toEqual({ status: 401, body: fixture('auth__unknown_key_id') });
    // missing signature header
    const { 'KALSHI-ACCESS-SIGNATURE': _drop, ...missing } = signHeaders(s.signer, 'GET', BAL, now);
    expect(await call(missing)).toEqual({ status: 401, body: fixture('auth__missing_signature_header') });
    // no headers at all on a private route
    expect(await call({})).toEqual({ status: 401, body: fixture('auth__missing_signature_header') });
    // skew: ±5 s pass, −30 s and ±5 min fail with the recorded body
    for (const [skew, name] of [
      [-30_000, 'auth__skew_minus30s'],
      [-300_000, 'auth__skew_minus5min'],
      [300_000, 'auth__skew_plus5min'],
    ] as const) {
      expect(await call(signHeaders(s.signer, 'GET', BAL, now + skew))).toEqual({ status: 401, body: fixture(name) });
    }
    for (const skew of [-5_000, 5_000]) {
      expect((await call(signHeaders(s.signer, 'GET', BAL, Date.now() + skew))).status).toBe(200);
    }
  });

  it('the query string is not signed', async () => {
    const s = await setup();
    sim = s.sim;
    expect((await s.client.get('/portfolio/fills?limit=10')).status).toBe(200);
  });

  it('market data works unsigned, but a present auth header must verify', async () => {
    const s = await setup();
    sim = s.sim;
    s.sim.addMarket({ ticker: 'KXA-26JUN11-X', yesBidCents: 47, yesAskCents: 52 });
    expect((await s.anon.get('/markets/KXA-26JUN11-X')).status).toBe(200);
    const st = (await s.anon.get('/exchange/status')).body;
    expect(st).toMatchObject(fixture('exchange__status') as object); // plus the per-shard statuses added in Aug 2026
    expect(st.exchange_index_statuses.map((x: any) => x.exchange_index)).toEqual([0, 1, 2, 3]);
    const bad = await fetch(s.sim.baseUrl + '/markets', { headers: { 'KALSHI-ACCESS-KEY': s.signer.keyId } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual(fixture('auth__missing_signature_header'));
    expect((await s.anon.get('/account/limits')).status).toBe(401);
  });

  it('uses the injected clock for the skew window', async () => {
    let now = Date.parse('2026-06-11T06:00:00Z');
    const s = await setup({ clock: () => now });
    sim = s.sim;
    const stale = new TestClient(s.sim, s.signer, () => Date.parse('2026-06-11T06:00:00Z'));
    expect((await stale.get('/portfolio/balance')).status).toBe(200);
    now += 11_000;
    expect((await stale.get('/portfolio/balance')).body).toEqual(fixture('auth__skew_minus30s'));
    expect((await s.client.get('/account/limits')).body).toEqual(fixture('account__limits'));
  });
});
