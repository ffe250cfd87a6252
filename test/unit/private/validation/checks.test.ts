import {
  checkCloudflareId,
  checkDomain,
  checkEmail,
  checkHostnameInZone,
  checkHttpsUrl,
  checkIntegerRange,
  checkPattern,
  checkUnique,
  isDomainName,
  PropContext,
  rejectProp,
} from '../../../../lib/private/validation';
import { thrownBy, unresolvedNumber, unresolvedString } from '../../../support/fixtures';

const CTX: PropContext = { construct: 'TestConstruct' };

describe('isDomainName', () => {
  test.each(['example.com', 'code.example.com', 'a-b.c-d.example.co.uk', 'x1.example.io'])('accepts %s', (name) => {
    // THEN
    expect(isDomainName(name)).toBe(true);
  });

  test.each([
    ['a single label', 'localhost'],
    ['upper case', 'Example.com'],
    ['a trailing dot', 'example.com.'],
    ['an empty label', 'code..example.com'],
    ['a label starting with a hyphen', '-code.example.com'],
    ['a label ending with a hyphen', 'code-.example.com'],
    ['an all-numeric top-level label', '10.0.0.1'],
    ['a wildcard', '*.example.com'],
    ['a URL', 'https://example.com'],
    ['a label longer than 63 characters', `${'a'.repeat(64)}.example.com`],
    ['more than 253 characters', `${'a.'.repeat(126)}com`],
  ])('rejects %s', (_why, name) => {
    // THEN
    expect(isDomainName(name)).toBe(false);
  });
});

describe('checkDomain', () => {
  test('accepts a lower-case domain name', () => {
    // THEN
    expect(() => checkDomain(CTX, 'zoneName', 'example.com')).not.toThrow();
  });

  test('rejects a name that is not a domain, naming the prop and the value', () => {
    // THEN
    expect(() => checkDomain(CTX, 'zoneName', 'Example.COM')).toThrow(/TestConstruct: invalid zoneName "Example\.COM": expected a lower-case domain name/);
  });

  test('accepts an unresolved token without checking it', () => {
    // THEN
    expect(() => checkDomain(CTX, 'zoneName', unresolvedString('zone'))).not.toThrow();
  });
});

describe('checkHostnameInZone', () => {
  test('accepts a hostname inside the zone', () => {
    // THEN
    expect(() => checkHostnameInZone(CTX, 'hostname', 'code.example.com', 'example.com')).not.toThrow();
    expect(() => checkHostnameInZone(CTX, 'hostname', 'a.b.example.com', 'example.com')).not.toThrow();
  });

  test('rejects a hostname outside the zone, naming the zone', () => {
    // THEN
    expect(() => checkHostnameInZone(CTX, 'hostname', 'code.example.org', 'example.com')).toThrow(
      'TestConstruct: invalid hostname "code.example.org": must be inside the zone "example.com"',
    );
  });

  test('rejects a hostname that only ends with the zone\'s text', () => {
    // THEN
    expect(() => checkHostnameInZone(CTX, 'hostname', 'codeexample.com', 'example.com')).toThrow(/must be inside the zone "example\.com"/);
  });

  test('rejects a hostname that is not fully qualified', () => {
    // THEN
    expect(() => checkHostnameInZone(CTX, 'hostname', 'code', 'example.com')).toThrow(/invalid hostname "code": expected a fully qualified/);
  });

  test('accepts an unresolved hostname or zone without checking it', () => {
    // THEN
    expect(() => checkHostnameInZone(CTX, 'hostname', unresolvedString('host'), 'example.com')).not.toThrow();
    expect(() => checkHostnameInZone(CTX, 'hostname', 'code.example.org', unresolvedString('zone'))).not.toThrow();
  });
});

describe('checkEmail', () => {
  test.each(['dev@example.com', 'first.last+tag@sub.example.co.uk', 'Dev@Example.com'])('accepts %s', (email) => {
    // THEN
    expect(() => checkEmail(CTX, 'email', email)).not.toThrow();
  });

  test.each([
    ['no "@"', 'dev.example.com'],
    ['an empty local part', '@example.com'],
    ['a domain of one label', 'dev@localhost'],
    ['a local part starting with a dot', '.dev@example.com'],
    ['a local part ending with a dot', 'dev.@example.com'],
    ['a space', 'd ev@example.com'],
    ['two "@"', 'dev@team@example.com'],
  ])('rejects an address with %s, naming the prop and the value', (_why, email) => {
    // WHEN
    const error = thrownBy(() => checkEmail(CTX, 'email', email));

    // THEN
    expect(error.message).toBe(`TestConstruct: invalid email ${JSON.stringify(email)}: expected an email address such as "dev@example.com"`);
  });

  test('accepts an unresolved token without checking it', () => {
    // THEN
    expect(() => checkEmail(CTX, 'email', unresolvedString('email'))).not.toThrow();
  });
});

describe('checkPattern', () => {
  test('accepts a matching value', () => {
    // THEN
    expect(() => checkPattern(CTX, 'region', 'fra1', /^[a-z]{3}\d$/, 'expected a region')).not.toThrow();
  });

  test('rejects a value that does not match, with the expectation as the reason', () => {
    // THEN
    expect(() => checkPattern(CTX, 'region', 'Frankfurt', /^[a-z]{3}\d$/, 'expected a region')).toThrow(
      'TestConstruct: invalid region "Frankfurt": expected a region',
    );
  });

  test('accepts an unresolved token without checking it', () => {
    // THEN
    expect(() => checkPattern(CTX, 'region', unresolvedString('region'), /^[a-z]{3}\d$/, 'expected a region')).not.toThrow();
  });
});

describe('checkIntegerRange', () => {
  test('accepts the bounds themselves', () => {
    // THEN
    expect(() => checkIntegerRange(CTX, 'sizeGib', 1, 1, 10)).not.toThrow();
    expect(() => checkIntegerRange(CTX, 'sizeGib', 10, 1, 10)).not.toThrow();
  });

  test.each([
    ['below the range', 0],
    ['above the range', 11],
    ['a fraction', 2.5],
    ['not a number', Number.NaN],
  ])('rejects a number %s, naming the prop and the value', (_why, value) => {
    // THEN
    expect(() => checkIntegerRange(CTX, 'sizeGib', value, 1, 10)).toThrow(
      `TestConstruct: invalid sizeGib ${JSON.stringify(value)}: expected a whole number from 1 to 10`,
    );
  });

  test('accepts an unresolved number without checking it', () => {
    // THEN
    expect(() => checkIntegerRange(CTX, 'sizeGib', unresolvedNumber(5), 1, 10)).not.toThrow();
  });
});

describe('checkHttpsUrl', () => {
  test('accepts an https URL', () => {
    // THEN
    expect(() => checkHttpsUrl(CTX, 'url', 'https://github.com/org/repo.git')).not.toThrow();
  });

  test.each([
    ['an http URL', 'http://github.com/org/repo'],
    ['an ssh URL', 'git@github.com:org/repo.git'],
    ['a URL with a space', 'https://github.com/org/my repo'],
    ['no URL at all', 'not a url'],
  ])('rejects %s, naming the prop and the value', (_why, url) => {
    // THEN
    expect(() => checkHttpsUrl(CTX, 'url', url)).toThrow(`TestConstruct: invalid url ${JSON.stringify(url)}: expected an https:// URL, e.g. "https://`);
  });

  test('accepts an http URL where plain http is allowed (a signed or checksummed download), nothing else', () => {
    // THEN
    expect(() => checkHttpsUrl(CTX, 'url', 'http://mirror.internal/x.deb', true)).not.toThrow();
    expect(() => checkHttpsUrl(CTX, 'url', 'ftp://mirror.internal/x.deb', true)).toThrow(
      'TestConstruct: invalid url "ftp://mirror.internal/x.deb": expected an http:// or https:// URL, e.g. "https://',
    );
  });
});

describe('checkCloudflareId', () => {
  test('accepts 32 lower-case hexadecimal characters', () => {
    expect(() => checkCloudflareId(CTX, 'cloudflareZoneId', '0123456789abcdef0123456789abcdef')).not.toThrow();
  });

  test.each<['cloudflareAccountId' | 'cloudflareZoneId', string, string]>([
    ['cloudflareAccountId', 'my-account', 'expected the 32 hexadecimal characters of an account id'],
    ['cloudflareZoneId', 'example.com', 'expected the 32 hexadecimal characters of a zone id (the zone\'s overview shows it), not the domain name'],
    ['cloudflareZoneId', '0123456789ABCDEF0123456789ABCDEF', 'expected the 32 hexadecimal characters of a zone id'],
  ])('rejects a %s of %s', (prop, value, reason) => {
    expect(() => checkCloudflareId(CTX, prop, value)).toThrow(`TestConstruct: invalid ${prop} "${value}": ${reason}`);
  });
});

describe('checkUnique', () => {
  test('accepts distinct values', () => {
    // THEN
    expect(() => checkUnique(CTX, 'emails', ['a@example.com', 'b@example.com'])).not.toThrow();
  });

  test('rejects a repeated value, naming it', () => {
    // THEN
    expect(() => checkUnique(CTX, 'emails', ['a@example.com', 'b@example.com', 'a@example.com'])).toThrow(
      'TestConstruct: invalid emails "a@example.com": is listed more than once',
    );
  });
});

describe('rejectProp', () => {
  test('throws the prop error with the given reason', () => {
    // WHEN
    const error = thrownBy(() => rejectProp(CTX, 'outboundRules', [], 'must not be empty'));

    // THEN
    expect(error.name).toBe('PropValidationError');
    expect(error.message).toBe('TestConstruct: invalid outboundRules []: must not be empty');
  });
});
