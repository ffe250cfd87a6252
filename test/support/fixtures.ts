import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, Lazy, TerraformStack, Testing, Token } from 'cdktf';
import { parse } from 'yaml';
import { CodeServerTeamProps, TeamMember, ZeroTrustCodeServerProps } from '../../lib';

/** The Cloudflare account id used by the fixtures. */
export const ACCOUNT_ID = '0123456789abcdef0123456789abcdef';
/** The Cloudflare zone id used by the fixtures. */
export const ZONE_ID = 'fedcba9876543210fedcba9876543210';
/** An identity provider id (a UUID) used by the fixtures. */
export const IDP_ID = '0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b';
/** A second identity provider id. */
export const IDP_ID_2 = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
/** An Access group id (a UUID) used by the fixtures. */
export const GROUP_ID = '7d9c4b1e-2f3a-4c5d-9e8f-0a1b2c3d4e5f';
/** The prefix of every Terraform reference to the tunnel token data source. */
export const TUNNEL_TOKEN_REFERENCE = '${data.cloudflare_zero_trust_tunnel_cloudflared_token.';

/** A valid set of ZeroTrustCodeServer props, with the given overrides (an `access` group is merged over the valid one). */
export function validProps(overrides: Partial<ZeroTrustCodeServerProps> = {}): ZeroTrustCodeServerProps {
  return {
    cloudflareAccountId: ACCOUNT_ID,
    cloudflareZoneId: ZONE_ID,
    zoneName: 'example.com',
    hostname: 'code.example.com',
    teamName: 'myteam',
    ...overrides,
    access: { allow: { emails: ['dev@example.com'] }, ...overrides.access },
  };
}

/** A stack in a fresh test app (or the one given), with the three providers configured. */
export function newStack(id = 'test', app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, id);
  new CloudflareProvider(stack, 'cloudflare');
  new DigitaloceanProvider(stack, 'digitalocean');
  new TlsProvider(stack, 'tls');
  return stack;
}

/** The synthesized stack as a JSON object. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** The bodies of every resource of a Terraform type in a synthesized stack. */
export function resourcesOfType(synth: any, type: string): any[] {
  return Object.values(synth.resource?.[type] ?? {});
}

/** The body of the only resource of a Terraform type; fails unless there is exactly one. */
export function onlyResource(synth: any, type: string): any {
  const found = resourcesOfType(synth, type);
  if (found.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${found.length}`);
  }
  return found[0];
}

/** The bodies of every data source of a Terraform type in a synthesized stack. */
export function dataSourcesOfType(synth: any, type: string): any[] {
  return Object.values(synth.data?.[type] ?? {});
}

/** How many resources a synthesized stack holds, all types together. */
export function resourceCount(synth: any): number {
  return Object.values(synth.resource ?? {}).reduce((n: number, byName: any) => n + Object.keys(byName).length, 0);
}

/** The Terraform address (`type.name`) of the only resource of a type, as a reference would use it. */
export function addressOf(synth: any, type: string): string {
  const names = Object.keys(synth.resource?.[type] ?? {});
  if (names.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${names.length}`);
  }
  return `${type}.${names[0]}`;
}

/** Every path in a JSON value whose string holds the needle, as dotted paths. */
export function pathsContaining(value: unknown, needle: string, path: string[] = []): string[] {
  if (typeof value === 'string') {
    return value.includes(needle) ? [path.join('.')] : [];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => pathsContaining(item, needle, [...path, String(i)]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => pathsContaining(item, needle, [...path, key]));
  }
  return [];
}

/** The droplet's user data as cloud-init reads it: Terraform's `$${` and `%%{` escapes undone. */
export function renderedUserData(droplet: any): string {
  return (droplet.user_data as string).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
}

/** The droplet's cloud-config document as an object. */
export function cloudConfigOf(droplet: any): any {
  return parse(renderedUserData(droplet));
}

/** The content of a file that the cloud-config writes; fails when it writes no such file. */
export function writtenFile(cloudConfig: any, path: string): string {
  const file = (cloudConfig.write_files ?? []).find((f: any) => f.path === path);
  if (!file) {
    throw new Error(`the cloud-config writes no ${path}`);
  }
  return file.content;
}

/** Runs a function that must throw, and returns what it threw. */
export function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the function to throw, but it returned');
}

/** A string token that only resolves at synthesis, as Token.asString makes of an unresolved value. */
export function unresolvedString(value: string): string {
  return Token.asString(Lazy.anyValue({ produce: () => value }));
}

/** A number token that only resolves at synthesis, as Token.asNumber makes of an unresolved value. */
export function unresolvedNumber(value: number): number {
  return Token.asNumber(Lazy.anyValue({ produce: () => value }));
}

/** Every resource of a synthesized stack, by its Terraform address (`type.name`), with its body. */
export function resourcesByAddress(synth: any): Record<string, any> {
  return Object.fromEntries(
    Object.entries<Record<string, any>>(synth.resource ?? {}).flatMap(([type, bodies]) =>
      Object.entries(bodies).map(([name, body]) => [`${type}.${name}`, body]),
    ),
  );
}

/** The resource types a stopped editor keeps (running: false): its home, tunnel, DNS record and Access. */
export const STOPPED_EDITOR_TYPES = [
  'cloudflare_dns_record',
  'cloudflare_zero_trust_access_application',
  'cloudflare_zero_trust_access_policy',
  'cloudflare_zero_trust_tunnel_cloudflared',
  'cloudflare_zero_trust_tunnel_cloudflared_config',
  'digitalocean_volume',
];

/** The members of the team fixtures. */
export const TEAM_MEMBERS: TeamMember[] = [
  { name: 'alice', email: 'alice@example.com' },
  { name: 'bob', email: 'bob@example.com' },
  { name: 'carol', email: 'carol@example.com' },
];

/** A valid set of CodeServerTeam props (the test's own roster: test/setup.ts), with the given overrides. */
export function teamProps(overrides: Partial<CodeServerTeamProps> = {}): CodeServerTeamProps {
  return {
    cloudflareAccountId: ACCOUNT_ID,
    cloudflareZoneId: ZONE_ID,
    zoneName: 'example.com',
    teamName: 'myteam',
    members: TEAM_MEMBERS,
    rosterFile: process.env.ZTCS_ROSTER_FILE,
    ...overrides,
  };
}

/** Runs a function with environment variables set (undefined: unset), and puts them back after. */
export function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  set(vars);
  try {
    return fn();
  } finally {
    set(saved);
  }
}

/** The environment of a synthesis at a desk: outside CI, and no team taken as new unless it says so. */
export const AT_A_DESK = { ZTCS_ROSTER: undefined, CI: undefined };
