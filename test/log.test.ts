// The logger: pino JSON lines; errors through one serializer that never prints a request's headers or options;
// key and token fields redacted; one line per layer per cycle, on a child logger carrying the cycle's id.
import { generateKeyPairSync } from 'node:crypto';
import got, { type RequestError } from 'got';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KalshiClient } from '../src/kalshi/client.js';
import { serializeError } from '../src/log.js';
import { type World, inBandMarket, world } from './support/app.js';
import { captureLog } from './support/log.js';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

describe('logging', () => {
  it("an error from got is logged with its stack and status, never the request's headers", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(500).end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const err = await got(url, { headers: { 'KALSHI-ACCESS-SIGNATURE': 'SIGNATURE-SECRET', authorization: 'Bearer TOKEN-SECRET' }, retry: { limit: 0 } })
      .then(() => null)
      .catch((e: RequestError) => e);
    server.close();
    expect(err).not.toBeNull();
    // got's error does carry the headers: that is what must not reach the log.
    expect(JSON.stringify(err!.options.headers)).toMatch(/SIGNATURE-SECRET/);
    const { log, raw, records } = await captureLog('info');
    log.error({ err }, 'request failed');
    expect(raw()).not.toMatch(/SIGNATURE-SECRET|TOKEN-SECRET/);
    expect(records[0]).toMatchObject({ msg: 'request failed', err: { type: 'HTTPError', code: 'ERR_NON_2XX_3XX_RESPONSE' } });
    expect(String((records[0]!.err as { stack: string }).stack)).toMatch(/HTTPError: Request failed with status code 500/);
    expect(serializeError(err)).not.toHaveProperty('options');
  });

  it('redacts key and token fields wherever they sit, and keeps an error chain', async () => {
    const { log, raw, records } = await captureLog('info');
    const { privateKey } = generateKeyPairSync('ed25519');
    log.info({ token: '123:SECRET-TOKEN', config: { TELEGRAM_BOT_TOKEN: '123:SECRET-TOKEN', privateKey: 'PEM-SECRET' }, headers: { cookie: 'c' } }, 'settings');
    log.warn({ err: new Error('outer', { cause: new Error('inner cause') }) }, 'chained');
    log.info({ privateKey }, 'a key object');
    expect(raw()).not.toMatch(/SECRET-TOKEN|PEM-SECRET|cookie/);
    expect(records[0]).toMatchObject({ token: '[redacted]', config: { TELEGRAM_BOT_TOKEN: '[redacted]', privateKey: '[redacted]' }, headers: '[redacted]' });
    expect(records[1]).toMatchObject({ err: { message: 'outer', cause: { message: 'inner cause' } } });
    expect(records[2]).toMatchObject({ privateKey: '[redacted]' });
  });

  it('a cycle logs one line per layer, each carrying the cycle id', async () => {
    w = await world();
    w.sim.addMarket(inBandMarket('KXLOG-1'));
    const { log, records } = await captureLog('info');
    const app = await w.start({}, { log });
    const s = await app.runCycle();
    const mine = records.filter((r) => r.cycle === s.cycleId);
    expect(mine.map((r) => r.msg)).toEqual([
      'hydrated 1 markets (0 malformed, skipped)',
      'layer 2: 1 candidates in band',
      'layer 3: 1 passed validation',
      `risk: trading; 1 orders, 0 sent for approval; at risk $${s.atRisk.toFixed(2)} of $50.00`,
      expect.stringMatching(/^order KXLOG-1 yes 6 @ 0\.78$/),
      'fill KXLOG-1 6/6',
      expect.stringMatching(/^cycle \d+ done in \d+ ms$/),
    ]);
    expect(mine[0]).toMatchObject({ layer: 1, markets: 1 });
  });

  it('the client never puts a signed header into what it throws', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const client = new KalshiClient({ baseUrl: 'http://127.0.0.1:9/trade-api/v2', keyId: 'KEY-ID-SECRET', privateKey, retries: 0, timeoutMs: 500 });
    const err = await client.getBalance().then(
      () => null,
      (e: unknown) => e,
    );
    client.close();
    const { log, raw } = await captureLog('info');
    log.error({ err }, 'balance failed');
    expect(raw()).toMatch(/balance failed/);
    expect(raw()).not.toMatch(/KEY-ID-SECRET|KALSHI-ACCESS/);
  });
});
