import { isUnresolved, propError, PropContext } from './errors';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const EMAIL_LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;

function fail(ctx: PropContext, prop: string, value: unknown, reason: string): never {
  throw propError(ctx, prop, value, reason);
}

/** A DNS name of two or more labels, lower case, 253 characters at most. */
export function isDomainName(value: string): boolean {
  if (value.length > 253 || value.endsWith('.')) return false;
  const labels = value.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && /[a-z]/.test(labels[labels.length - 1]);
}

/** Checks a domain name (lower case, two labels or more). */
export function checkDomain(ctx: PropContext, prop: string, value: string): void {
  if (isUnresolved(value)) return;
  if (!isDomainName(value)) {
    fail(ctx, prop, value, 'expected a lower-case domain name such as "example.com"');
  }
}

/** Checks that a hostname is a fully qualified name in the zone: the apex or a name under it. */
export function checkHostnameInZone(ctx: PropContext, prop: string, hostname: string, zoneName: string): void {
  if (isUnresolved(hostname) || isUnresolved(zoneName)) return;
  if (!isDomainName(hostname)) {
    fail(ctx, prop, hostname, 'expected a fully qualified, lower-case hostname such as "code.example.com"');
  }
  if (hostname !== zoneName && !hostname.endsWith(`.${zoneName}`)) {
    fail(ctx, prop, hostname, `must be inside the zone "${zoneName}"`);
  }
}

/** Checks an email address (a local part, "@", and a domain). */
export function checkEmail(ctx: PropContext, prop: string, value: string): void {
  if (isUnresolved(value)) return;
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  if (at < 1 || !EMAIL_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || !isDomainName(domain)) {
    fail(ctx, prop, value, 'expected an email address such as "dev@example.com"');
  }
}

/** Checks that a string matches a pattern, with a description of what is expected. */
export function checkPattern(ctx: PropContext, prop: string, value: string, pattern: RegExp, expected: string): void {
  if (isUnresolved(value)) return;
  if (!pattern.test(value)) {
    fail(ctx, prop, value, expected);
  }
}

/** Checks that a number is an integer between min and max, inclusive. */
export function checkIntegerRange(ctx: PropContext, prop: string, value: number, min: number, max: number): void {
  if (isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(ctx, prop, value, `expected a whole number from ${min} to ${max}`);
  }
}

/** Checks an https URL, or an http or https one when `plainHttp` is true (a signed or checksummed download). */
export function checkHttpsUrl(ctx: PropContext, prop: string, value: string, plainHttp = false): void {
  if (isUnresolved(value)) return;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const schemes = plainHttp ? ['https:', 'http:'] : ['https:'];
  if (!url || !schemes.includes(url.protocol) || /\s/.test(value)) {
    fail(ctx, prop, value, plainHttp ? 'expected an http:// or https:// URL, e.g. "https://mirror.example.com/path"' : 'expected an https:// URL, e.g. "https://github.com/example/repo.git"');
  }
}

const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;

/** Checks a Cloudflare account or zone id: 32 lower-case hexadecimal characters. */
export function checkCloudflareId(ctx: PropContext, prop: 'cloudflareAccountId' | 'cloudflareZoneId', value: string): void {
  const what = prop === 'cloudflareAccountId' ? 'an account id (the dashboard shows it in the URL and on the account\'s overview)' : 'a zone id (the zone\'s overview shows it), not the domain name';
  checkPattern(ctx, prop, value, CLOUDFLARE_ID, `expected the 32 hexadecimal characters of ${what}, e.g. "0123456789abcdef0123456789abcdef"`);
}

/** DigitalOcean's tag names: letters, digits, colons, dashes and underscores, 255 at most. */
export const DIGITALOCEAN_TAG = /^[a-zA-Z0-9:_-]{1,255}$/;

/** A Cloudflare Zero Trust team name: lower-case letters, digits and inner hyphens. */
const TEAM_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Checks a Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`. */
export function checkTeamName(ctx: PropContext, prop: string, value: string): void {
  checkPattern(ctx, prop, value, TEAM_NAME, 'expected the Zero Trust team name, e.g. "myteam" for myteam.cloudflareaccess.com');
}

/** Checks DigitalOcean tags (of a droplet, of a volume). */
export function checkTags(ctx: PropContext, prop: string, tags: readonly string[] | undefined): void {
  (tags ?? []).forEach((t, i) => checkPattern(ctx, `${prop}[${i}]`, t, DIGITALOCEAN_TAG, 'expected letters, digits, ":", "_" and "-", e.g. "team-platform"'));
}

/** Checks that a list holds no value twice. */
export function checkUnique(ctx: PropContext, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) fail(ctx, prop, v, 'is listed more than once');
    seen.add(v);
  }
}

/** Raises the error for a value that failed a check done elsewhere. */
export function rejectProp(ctx: PropContext, prop: string, value: unknown, reason: string): never {
  fail(ctx, prop, value, reason);
}
