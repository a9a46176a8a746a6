// The exchange's own signature check (never shared with the client), over timestamp + METHOD + path
// (path with /trade-api/v2, without the query string): RSA-PSS, SHA-256, salt 32 for an RSA key;
// plain Ed25519 (RFC 8032: no digest, padding or salt) for an Ed25519 key (API keys may be either
// since Kalshi added key_type ed25519).
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ERR } from './errors.js';

/** On the wire ±5 s passed and −30 s failed; the sim accepts ±10 s of its own clock. */
export const MAX_SKEW_MS = 10_000;

export type AuthResult =
  | { ok: true; keyId: string | null } // null: an unsigned request (allowed on market data only)
  | { ok: false; status: 401; body: unknown };

export class KeyRing {
  private readonly keys = new Map<string, KeyObject>();

  register(keyId: string, publicKeyPem: string): void {
    // createPublicKey accepts SPKI/PKCS#1 public PEM, and derives the public half of a private PEM.
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss' && key.asymmetricKeyType !== 'ed25519') {
      throw new Error(`sim: API keys are RSA or Ed25519, not ${key.asymmetricKeyType ?? 'unknown'}`);
    }
    this.keys.set(keyId, key);
  }

  get(keyId: string): KeyObject | undefined {
    return this.keys.get(keyId);
  }
}

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

export function hasAnyAuthHeader(h: IncomingHttpHeaders): boolean {
  return Object.keys(h).some((k) => k.startsWith('kalshi-access-'));
}

/** Verify a request. `requireAuth` false = market data: unsigned passes, but any auth header must verify. */
export function authenticate(
  keys: KeyRing,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  nowMs: number,
  requireAuth: boolean,
): AuthResult {
  if (!requireAuth && !hasAnyAuthHeader(headers)) return { ok: true, keyId: null };
  const keyId = header(headers, 'kalshi-access-key');
  const ts = header(headers, 'kalshi-access-timestamp');
  const sig = header(headers, 'kalshi-access-signature');
  if (!keyId || !ts || !sig) return { ok: false, status: 401, body: ERR.missingSignature };
  const key = keys.get(keyId);
  if (!key) return { ok: false, status: 401, body: ERR.unknownKey };
  const tsMs = /^\d{1,16}$/.test(ts) ? Number(ts) : Number.NaN;
  if (!Number.isFinite(tsMs) || Math.abs(nowMs - tsMs) > MAX_SKEW_MS) {
    return { ok: false, status: 401, body: ERR.timestampExpired };
  }
  let good = false;
  try {
    const msg = Buffer.from(ts + method + path);
    const signature = Buffer.from(sig, 'base64');
    good =
      key.asymmetricKeyType === 'ed25519'
        ? verify(null, msg, key, signature)
        : verify('sha256', msg, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, status: 401, body: ERR.badSignature };
  return { ok: true, keyId };
}
