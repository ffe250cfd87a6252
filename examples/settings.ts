import { join } from 'path';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App } from 'cdktf';
import { Construct } from 'constructs';
import { TeamMember, ZeroTrustCodeServerProps } from '../lib';

// What every example shares: its settings from the environment, its providers, and how a file of
// its own runs as an app (`npx ts-node examples/fleet.ts`).

/**
 * The settings of the examples, from the environment. Unset ones get placeholders that synthesize
 * but cannot deploy; the app lists them so nobody deploys a placeholder by accident.
 */
export interface ExampleSettings {
  readonly accountId: string;
  readonly zoneId: string;
  readonly zoneName: string;
  readonly hostname: string;
  readonly teamName: string;
  readonly allowedEmails: string[];
  /** For the `complete` stack: a GitHub organization let in through a GitHub identity provider. */
  readonly githubOrganization: string;
  readonly githubIdentityProviderId: string;
  /** For the `platform` stack: the existing VPC its droplets join. */
  readonly vpcUuid: string;
  /** For the `team` stack: its members, and which of them are stopped. */
  readonly teamMembers: TeamMember[];
  /** For the `fleet` example: the Spaces bucket (in fra1) that keeps its stacks' states. */
  readonly stateBucket: string;
  /** For the `team` stack: its roster, committed next to this file (ZTCS_ROSTER_FILE elsewhere). */
  readonly rosterFile: string;
  readonly missing: string[];
}

const PLACEHOLDERS: Record<string, string> = {
  CLOUDFLARE_ACCOUNT_ID: '00000000000000000000000000000000',
  CLOUDFLARE_ZONE_ID: '11111111111111111111111111111111',
  ZTCS_ZONE_NAME: 'example.com',
  ZTCS_HOSTNAME: 'code.example.com',
  ZTCS_TEAM_NAME: 'example-team',
  ZTCS_ALLOWED_EMAILS: 'developer@example.com',
  ZTCS_GITHUB_ORGANIZATION: 'example-org',
  ZTCS_GITHUB_IDP_ID: '22222222-2222-2222-2222-222222222222',
  ZTCS_VPC_UUID: '5a4981aa-9653-4bd1-bef5-d6bff52042e4',
  ZTCS_STATE_BUCKET: 'example-terraform-state',
};

/** The `team` stack's members when ZTCS_TEAM_MEMBERS is unset; the stopped ones when ZTCS_STOPPED_MEMBERS is unset. */
const TEAM_DEFAULTS = { members: 'alice=alice@example.com,bob=bob@example.com,carol=carol@example.com', stopped: 'carol' };

/** `name=email,…` and a list of stopped names made into team members. */
function teamMembers(members: string, stopped: string): TeamMember[] {
  const stoppedNames = new Set(stopped.split(',').map((n) => n.trim()).filter((n) => n.length > 0));
  return members.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0).map((entry) => {
    const [name, email] = entry.split('=').map((part) => part.trim());
    return { name, email, ...(stoppedNames.has(name) ? { running: false } : {}) };
  });
}

/** Reads the example settings from an environment (process.env by default). */
export function readSettings(env: Record<string, string | undefined> = process.env): ExampleSettings {
  const missing = Object.keys(PLACEHOLDERS).filter((name) => !env[name]);
  const get = (name: string) => env[name] || PLACEHOLDERS[name];
  return {
    accountId: get('CLOUDFLARE_ACCOUNT_ID'),
    zoneId: get('CLOUDFLARE_ZONE_ID'),
    zoneName: get('ZTCS_ZONE_NAME'),
    hostname: get('ZTCS_HOSTNAME'),
    teamName: get('ZTCS_TEAM_NAME'),
    allowedEmails: get('ZTCS_ALLOWED_EMAILS').split(',').map((e) => e.trim()).filter((e) => e.length > 0),
    githubOrganization: get('ZTCS_GITHUB_ORGANIZATION'),
    githubIdentityProviderId: get('ZTCS_GITHUB_IDP_ID'),
    vpcUuid: get('ZTCS_VPC_UUID'),
    stateBucket: get('ZTCS_STATE_BUCKET'),
    teamMembers: teamMembers(env.ZTCS_TEAM_MEMBERS || TEAM_DEFAULTS.members, env.ZTCS_STOPPED_MEMBERS ?? TEAM_DEFAULTS.stopped),
    // The test suites point ZTCS_ROSTER_FILE at a roster of their own (test/support/setup.ts).
    rosterFile: env.ZTCS_ROSTER_FILE || process.env.ZTCS_ROSTER_FILE || join(__dirname, 'team.roster.json'),
    missing,
  };
}

/** The props every deployment needs: where it lives in Cloudflare, and who may sign in. */
export function requiredProps(settings: ExampleSettings, hostname: string): ZeroTrustCodeServerProps {
  return {
    cloudflareAccountId: settings.accountId,
    cloudflareZoneId: settings.zoneId,
    zoneName: settings.zoneName,
    hostname,
    teamName: settings.teamName,
    access: { allow: { emails: settings.allowedEmails } },
  };
}

export function providers(scope: Construct): void {
  // Credentials come from CLOUDFLARE_API_TOKEN and DIGITALOCEAN_TOKEN in the environment.
  new CloudflareProvider(scope, 'cloudflare');
  new DigitaloceanProvider(scope, 'digitalocean');
  new TlsProvider(scope, 'tls');
}

/**
 * Says, before a synthesis, which settings are placeholders that cannot deploy: on stdout, since
 * the cdktf CLI shows every line an app writes to stderr as an `[ERROR]`.
 */
export function warnAboutPlaceholders(settings: ExampleSettings): void {
  if (settings.missing.length > 0) {
    console.log(
      'Synthesizing with placeholder values. Before `cdktf deploy basic` (or another example), set: ' +
        `${settings.missing.join(', ')} (and CLOUDFLARE_API_TOKEN, DIGITALOCEAN_TOKEN; for \`team\` and \`fleet\`, ZTCS_TEAM_MEMBERS and ZTCS_STOPPED_MEMBERS).`,
    );
  }
}

/**
 * Runs one example as an app of its own when its file is the program run: the settings from the
 * environment, the placeholders named, the stacks written to cdktf.out/ (or CDKTF_OUTDIR).
 */
export function runAsApp(module: NodeModule, build: (app: App, settings: ExampleSettings) => void): void {
  if (require.main !== module) return;
  const settings = readSettings();
  warnAboutPlaceholders(settings);
  const app = new App();
  build(app, settings);
  app.synth();
}
