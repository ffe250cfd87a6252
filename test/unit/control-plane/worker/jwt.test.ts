import { createSign, generateKeyPairSync } from 'crypto';
import { accessToken, AccessKey, base64UrlDecode, checkAccessToken, checkClaims, tokenKeyId } from '../../../../lib/control-plane/worker/jwt';

const ISSUER = 'https://team.cloudflareaccess.com';
const NOW = 1_800_000_000;
const EXPECT = { audience: 'aud-alice', issuer: ISSUER, now: NOW };

function keyPair(kid: string) {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid } as AccessKey };
}
const TEAM = keyPair('k1');
const STRANGER = keyPair('k1');

function sign(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }, key = TEAM.privateKey): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part(header)}.${part(claims)}`;
  return `${signed}.${createSign('RSA-SHA256').update(signed).sign(key).toString('base64url')}`;
}
const CLAIMS = { aud: ['aud-alice'], iss: ISSUER, exp: NOW + 600, nbf: NOW - 10, email: 'alice@example.com' };

describe('checkAccessToken', () => {
  test('accepts a token of the editor\'s application signed by the team\'s key, and says whose it is', async () => {
    expect(await checkAccessToken(sign(CLAIMS), [TEAM.jwk], EXPECT)).toEqual({ ok: true, email: 'alice@example.com' });
  });

  test('accepts an audience given as one string', async () => {
    expect(await checkAccessToken(sign({ ...CLAIMS, aud: 'aud-alice' }), [TEAM.jwk], EXPECT)).toMatchObject({ ok: true });
  });

  test.each<[string, () => string, string]>([
    ['signed by another key of the same id', () => sign(CLAIMS, undefined, STRANGER.privateKey), 'bad signature'],
    ['with a changed payload', () => { const [h, , s] = sign(CLAIMS).split('.'); return `${h}.${Buffer.from(JSON.stringify({ ...CLAIMS, aud: ['aud-bob'] })).toString('base64url')}.${s}`; }, 'bad signature'],
    ['of another application', () => sign({ ...CLAIMS, aud: ['aud-bob'] }), 'for another application'],
    ['of another team', () => sign({ ...CLAIMS, iss: 'https://evil.cloudflareaccess.com' }), 'issued by https://evil.cloudflareaccess.com'],
    ['expired', () => sign({ ...CLAIMS, exp: NOW - 61 }), 'expired'],
    ['with no expiry', () => sign({ ...CLAIMS, exp: undefined }), 'expired'],
    ['not valid yet', () => sign({ ...CLAIMS, nbf: NOW + 120 }), 'not valid yet'],
    ['with alg none', () => sign(CLAIMS, { alg: 'none', kid: 'k1' }), 'algorithm none is not RS256'],
    ['with HS256', () => sign(CLAIMS, { alg: 'HS256', kid: 'k1' }), 'algorithm HS256 is not RS256'],
    ['of an unknown key', () => sign(CLAIMS, { alg: 'RS256', kid: 'k9' }), 'no key k9 of the team'],
    ['of two parts', () => sign(CLAIMS).split('.').slice(0, 2).join('.'), 'not a JWT'],
    ['of garbage', () => 'a.b!.c', 'not a JWT'],
  ])('refuses a token %s', async (_case, token, reason) => {
    expect(await checkAccessToken(token(), [TEAM.jwk], EXPECT)).toEqual({ ok: false, reason });
  });
});

describe('checkClaims', () => {
  test('allows a minute of clock difference either way', () => {
    expect(checkClaims({ ...CLAIMS, exp: NOW - 59, nbf: NOW + 59 }, EXPECT)).toMatchObject({ ok: true });
  });
});

describe('accessToken', () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  test.each<[string, Record<string, string>, string | undefined]>([
    ['the Cf-Access-Jwt-Assertion header', { 'Cf-Access-Jwt-Assertion': 'a.b.c' }, 'a.b.c'],
    ['the CF_Authorization cookie among others', { Cookie: 'x=1; CF_Authorization=d.e.f; y=2' }, 'd.e.f'],
    ['the header before the cookie', { 'Cf-Access-Jwt-Assertion': 'a.b.c', 'Cookie': 'CF_Authorization=d.e.f' }, 'a.b.c'],
    ['nothing', { Cookie: 'CF_AuthorizationX=1' }, undefined],
  ])('reads %s', (_case, values, token) => {
    expect(accessToken(headers(values))).toBe(token);
  });
});

describe('tokenKeyId and base64UrlDecode', () => {
  test('read the key id of a token, and nothing of something else', () => {
    expect(tokenKeyId(sign(CLAIMS))).toBe('k1');
    expect(tokenKeyId('garbage')).toBeUndefined();
    expect(base64UrlDecode('a+b')).toBeUndefined();
    expect(Buffer.from(base64UrlDecode('_-8')!).toString('hex')).toBe('ffef');
  });
});
