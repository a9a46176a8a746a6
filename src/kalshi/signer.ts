// Request signing over `timestampMs + METHOD + path` (path incl. /trade-api/v2, no query):
// RSA-PSS / SHA-256 for RSA keys, plain Ed25519 (RFC 8032: no digest, no padding choice) for Ed25519 keys.
import { constants, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/**
 * Key text where a path belongs (a pasted PEM, or its base64 body on one line): a path is echoed in messages,
 * so such a value never is.
 */
export function looksLikeKeyText(path: string): boolean {
  return /-----BEGIN|[\r\n]/.test(path) || (path.length >= 200 && /^(?:[A-Za-z0-9+/=]|\\n)+$/.test(path));
}

/** A key file that cannot be used. The message names the variable, the file and the reason, never key bytes. */
export class KeyLoadError extends Error {
  override readonly name = 'KeyLoadError';
  readonly file: string;
  constructor(
    file: string,
    readonly reason: string,
  ) {
    const shown = looksLikeKeyText(file) ? '(a value that looks like key text, not a file path)' : file;
    super(`KALSHI_PRIVATE_KEY_PATH: cannot load the Kalshi private key from ${shown}: ${reason}`);
    this.file = shown;
  }
}

// Reasons come from error codes only: crypto/fs messages are short today, but a code can never echo the PEM.
function reasonOf(err: unknown, fallback: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? `${fallback} (${code})` : fallback;
}

/** Load an RSA (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8) or Ed25519 (PKCS#8 `BEGIN PRIVATE KEY`) private key from a PEM file. */
export function loadPrivateKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new KeyLoadError(path, reasonOf(err, 'file cannot be read'));
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) {
    const encrypted = pem.includes('BEGIN ENCRYPTED PRIVATE KEY');
    throw new KeyLoadError(
      path,
      encrypted ? 'the key is passphrase-protected; export it without a passphrase' : 'not a PEM private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new KeyLoadError(path, reasonOf(err, 'the PEM could not be parsed'));
  }
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519') {
    throw new KeyLoadError(path, `expected an RSA or Ed25519 key (what Kalshi issues), got ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/**
 * Warn (through `warn`) when the key file is readable or writable by group or others (mode & 0o077), as ssh does.
 * Returns the warning, or null when the mode is private, cannot be read, or means nothing (Windows).
 */
export function warnIfKeyFileShared(path: string, warn: (msg: string) => void, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32') return null;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return null;
  }
  if ((mode & 0o077) === 0) return null;
  const msg = `KALSHI_PRIVATE_KEY_PATH ${path} is accessible by other users (mode ${mode.toString(8).padStart(4, '0')}): run chmod 600 ${path}`;
  warn(msg);
  return msg;
}

/** The exact bytes Kalshi verifies: ms timestamp + upper-case method + path without query. */
export function signingMessage(timestampMs: number, method: string, path: string): string {
  const q = path.indexOf('?');
  return `${timestampMs}${method.toUpperCase()}${q === -1 ? path : path.slice(0, q)}`;
}

/** base64 signature: RSA-PSS (SHA-256, MGF1-SHA-256, salt = digest length) for RSA keys; plain Ed25519 for Ed25519 keys. */
export function signRequest(key: KeyObject, timestampMs: number, method: string, path: string): string {
  const msg = Buffer.from(signingMessage(timestampMs, method, path), 'utf8');
  if (key.asymmetricKeyType === 'ed25519') return sign(null, msg, key).toString('base64');
  return sign('sha256', msg, {
    key,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  }).toString('base64');
}

export const HEADER_KEY = 'KALSHI-ACCESS-KEY';
export const HEADER_TIMESTAMP = 'KALSHI-ACCESS-TIMESTAMP';
export const HEADER_SIGNATURE = 'KALSHI-ACCESS-SIGNATURE';

/** The three auth headers for one request. Call right before sending: the timestamp must be fresh. */
export function authHeaders(keyId: string, key: KeyObject, timestampMs: number, method: string, path: string): Record<string, string> {
  const ts = Math.floor(timestampMs);
  return {
    [HEADER_KEY]: keyId,
    [HEADER_TIMESTAMP]: String(ts),
    [HEADER_SIGNATURE]: signRequest(key, ts, method, path),
  };
}
