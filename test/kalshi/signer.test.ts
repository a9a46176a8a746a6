import { constants, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authHeaders, KeyLoadError, loadPrivateKey, signingMessage, signRequest } from '../../src/kalshi/signer.js';

const dir = mkdtempSync(join(tmpdir(), 'kalshi-signer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function verifyPss(message: string, signatureB64: string): boolean {
  return verify('sha256', Buffer.from(message), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, Buffer.from(signatureB64, 'base64'));
}

describe('loadPrivateKey + signRequest', () => {
  it.each([
    ['PKCS#1', pkcs1, 'BEGIN RSA PRIVATE KEY'],
    ['PKCS#8', pkcs8, 'BEGIN PRIVATE KEY'],
  ])('%s PEM signs verifiably under PSS, salt = digest', (_name, pem, marker) => {
    expect(pem).toContain(marker);
    const file = join(dir, `key-${marker.length}.pem`);
    writeFileSync(file, pem);
    const key = loadPrivateKey(file);
    const ts = 1_781_159_348_379;
    const path = '/trade-api/v2/portfolio/balance';
    const sig = signRequest(key, ts, 'get', path);
    expect(verifyPss(`${ts}GET${path}`, sig)).toBe(true);
    // Salt length matters: Kalshi checks with salt = 32; a max-salt verify must fail.
    expect(
      verify('sha256', Buffer.from(`${ts}GET${path}`), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 100 }, Buffer.from(sig, 'base64')),
    ).toBe(false);
  });

  it('signs the path without its query', () => {
    expect(signingMessage(1000, 'get', '/trade-api/v2/markets?limit=5&cursor=x')).toBe('1000GET/trade-api/v2/markets');
    const sig = signRequest(privateKey, 1000, 'GET', '/trade-api/v2/markets?limit=5');
    expect(verifyPss('1000GET/trade-api/v2/markets', sig)).toBe(true);
  });

  it('authHeaders gives key id, ms timestamp and signature', () => {
    const h = authHeaders('key-id-1', privateKey, 1_781_159_348_379.7, 'DELETE', '/trade-api/v2/portfolio/events/orders/abc');
    expect(h['KALSHI-ACCESS-KEY']).toBe('key-id-1');
    expect(h['KALSHI-ACCESS-TIMESTAMP']).toBe('1781159348379');
    expect(verifyPss('1781159348379DELETE/trade-api/v2/portfolio/events/orders/abc', h['KALSHI-ACCESS-SIGNATURE'] ?? '')).toBe(true);
  });
});

describe('KeyLoadError', () => {
  function loadError(file: string): KeyLoadError {
    try {
      loadPrivateKey(file);
    } catch (err) {
      expect(err).toBeInstanceOf(KeyLoadError);
      return err as KeyLoadError;
    }
    throw new Error('expected a KeyLoadError');
  }

  it('names a missing file', () => {
    const file = join(dir, 'nope.pem');
    const e = loadError(file);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/cannot be read.*ENOENT/);
  });

  it('a corrupt PEM names the file and never echoes the key text', () => {
    const body = pkcs1.split('\n').slice(1, -2).join('\n');
    const corrupt = pkcs1.replace(body, body.slice(0, 200) + 'garbage!!' + body.slice(400));
    const file = join(dir, 'corrupt.pem');
    writeFileSync(file, corrupt);
    const e = loadError(file);
    expect(e.message).toContain(file);
    const text = `${e.message}\n${String(e)}\n${JSON.stringify(e)}\n${e.stack ?? ''}`;
    for (const line of body.split('\n').filter((l) => l.length > 20)) expect(text).not.toContain(line);
    expect(e.cause).toBeUndefined();
  });

  it('a non-key file and a public key are refused clearly', () => {
    const notKey = join(dir, 'notes.txt');
    writeFileSync(notKey, 'hello');
    expect(loadError(notKey).message).toMatch(/not a PEM private key/);
    const pub = join(dir, 'pub.pem');
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }));
    expect(loadError(pub).message).toContain(pub);
  });

  it('an EC key is refused', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const file = join(dir, 'ec.pem');
    writeFileSync(file, ec);
    expect(loadError(file).message).toMatch(/expected an RSA or Ed25519 key/);
  });

  it('an Ed25519 key (PKCS#8, as Kalshi issues them) loads and signs plain Ed25519 over the same text', () => {
    const pair = generateKeyPairSync('ed25519');
    const file = join(dir, 'ed.pem');
    writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const key = loadPrivateKey(file);
    expect(key.asymmetricKeyType).toBe('ed25519');
    const ts = 1_764_547_200_000;
    const sig = signRequest(key, ts, 'get', '/trade-api/v2/portfolio/balance?exchange_index=2');
    // The query is not signed; Ed25519 takes no digest or padding.
    expect(verify(null, Buffer.from(`${ts}GET/trade-api/v2/portfolio/balance`), pair.publicKey, Buffer.from(sig, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(`${ts}GET/trade-api/v2/portfolio/balances`), pair.publicKey, Buffer.from(sig, 'base64'))).toBe(false);
    // Deterministic: the same text gives the same signature (RSA-PSS would not).
    expect(signRequest(key, ts, 'GET', '/trade-api/v2/portfolio/balance')).toBe(sig);
  });
});
