/** A public key of the Access team, as its certs endpoint lists them (JWK, RSA). */
export interface AccessKey {
  readonly kid: string;
  readonly kty: string;
  readonly alg?: string;
  readonly n: string;
  readonly e: string;
}

/** What a token must be for: the editor's Access application and the team that signs. */
export interface TokenExpectation {
  /** The AUD tag of the editor's Access application. */
  readonly audience: string;
  /** The team's address, `https://<team>.cloudflareaccess.com`, the tokens' `iss`. */
  readonly issuer: string;
  /** Now, in seconds since the epoch. */
  readonly now: number;
}

/** Why a token was refused, or whose it is. */
export type TokenCheck = { readonly ok: true; readonly email?: string } | { readonly ok: false; readonly reason: string };

/** Seconds of clock difference allowed between Access and the Worker. */
const CLOCK_SKEW_SECONDS = 60;

/** Decodes base64url (RFC 7515) to bytes; undefined when it is not base64url. */
export function base64UrlDecode(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  const bytes = base64UrlDecode(part);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The Access token of a request: the `Cf-Access-Jwt-Assertion` header, else the `CF_Authorization` cookie. */
export function accessToken(headers: { get(name: string): string | null }): string | undefined {
  const header = headers.get('Cf-Access-Jwt-Assertion');
  if (header) return header.trim();
  for (const cookie of (headers.get('Cookie') ?? '').split(';')) {
    const [name, ...value] = cookie.trim().split('=');
    if (name === 'CF_Authorization' && value.length > 0) return value.join('=');
  }
  return undefined;
}

/** The `kid` of a token's header, to pick the key; undefined when the token is not a JWT. */
export function tokenKeyId(token: string): string | undefined {
  const header = decodeJson(token.split('.')[0] ?? '');
  return typeof header?.kid === 'string' ? header.kid : undefined;
}

/**
 * Checks an Access token: three parts, RS256, signed by one of `keys` (by its `kid`), for the
 * editor's application (`aud`), from the team (`iss`), not expired (`exp`) and already valid (`nbf`).
 */
export async function checkAccessToken(
  token: string,
  keys: readonly AccessKey[],
  expect: TokenExpectation,
  subtle: typeof crypto.subtle = crypto.subtle,
): Promise<TokenCheck> {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
  const [headerPart, payloadPart, signaturePart] = parts;
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  const signature = base64UrlDecode(signaturePart);
  if (!header || !payload || !signature) return { ok: false, reason: 'not a JWT' };
  if (header.alg !== 'RS256') return { ok: false, reason: `algorithm ${String(header.alg)} is not RS256` };
  const jwk = keys.find((key) => key.kid === header.kid);
  if (!jwk || jwk.kty !== 'RSA') return { ok: false, reason: `no key ${String(header.kid)} of the team` };
  const key = await subtle.importKey(
    'jwk',
    { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true },
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  if (!(await subtle.verify('RSASSA-PKCS1-v1_5', key, signature, signed))) return { ok: false, reason: 'bad signature' };
  return checkClaims(payload, expect);
}

/** Checks a verified token's claims: audience, issuer, expiry, not-before. */
export function checkClaims(payload: Record<string, unknown>, expect: TokenExpectation): TokenCheck {
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(expect.audience)) return { ok: false, reason: 'for another application' };
  if (payload.iss !== expect.issuer) return { ok: false, reason: `issued by ${String(payload.iss)}` };
  if (typeof payload.exp !== 'number' || payload.exp + CLOCK_SKEW_SECONDS <= expect.now) return { ok: false, reason: 'expired' };
  if (typeof payload.nbf === 'number' && payload.nbf - CLOCK_SKEW_SECONDS > expect.now) return { ok: false, reason: 'not valid yet' };
  return { ok: true, ...(typeof payload.email === 'string' ? { email: payload.email } : {}) };
}
