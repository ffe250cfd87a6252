import { join } from 'path';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BootPhase, BootUser, CodeServerTeam, CodeServerTeamProps, FirewallProtocol, TeamMember, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../lib';

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
    teamMembers: teamMembers(env.ZTCS_TEAM_MEMBERS || TEAM_DEFAULTS.members, env.ZTCS_STOPPED_MEMBERS ?? TEAM_DEFAULTS.stopped),
    // The test suites point ZTCS_ROSTER_FILE at a roster of their own (test/support/setup.ts).
    rosterFile: env.ZTCS_ROSTER_FILE || process.env.ZTCS_ROSTER_FILE || join(__dirname, 'team.roster.json'),
    missing,
  };
}

/**
 * The smallest useful deployment: one developer, the defaults for everything else. `changes` are
 * props set on top, as a later deployment would change them (the Terraform tier plans such changes).
 */
export class BasicStack extends TerraformStack {
  public readonly codeServer: ZeroTrustCodeServer;

  constructor(scope: Construct, id: string, settings: ExampleSettings, changes: Partial<ZeroTrustCodeServerProps> = {}) {
    super(scope, id);
    providers(this);

    this.codeServer = new ZeroTrustCodeServer(this, 'CodeServer', { ...requiredProps(settings, settings.hostname), ...changes });
  }
}

/** The props every deployment needs: where it lives in Cloudflare, and who may sign in. */
function requiredProps(settings: ExampleSettings, hostname: string): ZeroTrustCodeServerProps {
  return {
    cloudflareAccountId: settings.accountId,
    cloudflareZoneId: settings.zoneId,
    zoneName: settings.zoneName,
    hostname,
    teamName: settings.teamName,
    allow: { emails: settings.allowedEmails },
  };
}

function providers(scope: Construct): void {
  // Credentials come from CLOUDFLARE_API_TOKEN and DIGITALOCEAN_TOKEN in the environment.
  new CloudflareProvider(scope, 'cloudflare');
  new DigitaloceanProvider(scope, 'digitalocean');
  new TlsProvider(scope, 'tls');
}

/**
 * Every option on: a GitHub team on top of the allowed emails, one identity provider (so sign-in
 * goes straight to it), a smaller droplet with a swap file, restricted egress, backups,
 * extensions, settings, repositories and dotfiles, a larger home volume, SSH through Access and
 * previews of dev servers on ports 3000 and 5173.
 */
export class CompleteStack extends TerraformStack {
  public readonly codeServer: ZeroTrustCodeServer;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    providers(this);

    this.codeServer = new ZeroTrustCodeServer(this, 'CodeServer', {
      ...requiredProps(settings, `complete-${settings.hostname}`),
      allow: {
        emails: settings.allowedEmails,
        githubOrganizations: [{ name: settings.githubOrganization, identityProviderId: settings.githubIdentityProviderId, team: 'developers' }],
      },
      excludeRules: { emails: ['former-employee@example.com'] },
      identityProviderIds: [settings.githubIdentityProviderId],
      sessionDuration: '12h',
      region: 'ams3',
      size: 's-2vcpu-2gb',
      backups: true,
      tags: ['team-platform'],
      outboundRules: [
        // HTTPS and HTTP: apt, GitHub releases, Open VSX, git.
        { protocol: FirewallProtocol.TCP, portRange: '443' },
        { protocol: FirewallProtocol.TCP, portRange: '80' },
        // cloudflared's connections to Cloudflare's edge.
        { protocol: FirewallProtocol.TCP, portRange: '7844' },
        { protocol: FirewallProtocol.UDP, portRange: '7844' },
        { protocol: FirewallProtocol.UDP, portRange: '53' },
        { protocol: FirewallProtocol.UDP, portRange: '123' },
      ],
      userName: 'dev',
      extensions: ['esbenp.prettier-vscode', 'dbaeumer.vscode-eslint'],
      settings: { 'editor.formatOnSave': true, 'workbench.colorTheme': 'Default Dark Modern' },
      gitRepositories: ['https://github.com/coder/code-server.git'],
      dotfilesRepository: 'https://github.com/example-org/dotfiles.git',
      reconnectionGraceSeconds: 7 * 24 * 3600,
      homeVolumeSizeGib: 50,
      sshAccess: true,
      previewPorts: [3000, 5173],
    });
  }
}

/**
 * A platform team's editors: one per member at `<name>.<zone>`, only that member let in, the
 * allowed emails of the settings as admins of every editor. Stopped members (ZTCS_STOPPED_MEMBERS)
 * keep their home, hostname and sign-in, and cost only their volume.
 */
export class TeamStack extends TerraformStack {
  public readonly team: CodeServerTeam;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    providers(this);

    this.team = new CodeServerTeam(this, 'Team', teamProps(settings));
  }
}

/**
 * The `team` stack's team: its members at `<name>.<zone>`, the allowed emails as admins. A
 * `CodeServerFleet` of the same props (and `teamId: 'Team'`) is the same team with a state per
 * member, which the Terraform tier moves it to.
 */
export function teamProps(settings: ExampleSettings): CodeServerTeamProps {
  return {
    cloudflareAccountId: settings.accountId,
    cloudflareZoneId: settings.zoneId,
    zoneName: settings.zoneName,
    teamName: settings.teamName,
    members: settings.teamMembers,
    admins: { emails: settings.allowedEmails },
    rosterFile: settings.rosterFile,
  };
}

/**
 * What a platform team adopts: its editors in an existing VPC, tagged for billing, on an aliased
 * DigitalOcean provider (the team's own DigitalOcean team, next to the stack's default one), the
 * admins as one shared Access policy, the company's own boot steps, and per-member overrides.
 */
export class PlatformStack extends TerraformStack {
  public readonly team: CodeServerTeam;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    providers(this);
    // DIGITALOCEAN_TOKEN of the default provider serves other stacks; this one has a token of its own.
    const platformAccount = new DigitaloceanProvider(this, 'digitalocean-platform', { alias: 'platform' });

    this.team = new CodeServerTeam(this, 'Platform', {
      cloudflareAccountId: settings.accountId,
      cloudflareZoneId: settings.zoneId,
      zoneName: settings.zoneName,
      teamName: settings.teamName,
      hostnamePattern: '{name}-dev.{zoneName}',
      digitaloceanProvider: platformAccount,
      vpcUuid: settings.vpcUuid,
      tags: ['team-platform', 'cost-center-42'],
      admins: { emails: settings.allowedEmails },
      bootSteps: [
        {
          name: 'company-tools',
          packages: ['jq', 'postgresql-client'],
          files: [{ path: '/etc/profile.d/company.sh', content: 'export COMPANY_REGISTRY=registry.example.com\n' }],
        },
        {
          name: 'npm-registry',
          runAs: BootUser.DEVELOPER,
          phase: BootPhase.AFTER_READY,
          commands: ['npm config set registry https://registry.example.com/npm/ || true'],
        },
      ],
      members: [
        { name: 'dana', email: 'dana@example.com', size: 's-4vcpu-8gb', sshAccess: true },
        { name: 'eli', email: 'eli@example.com', previewPorts: [3000], extensions: ['esbenp.prettier-vscode'] },
      ],
      rosterFile: settings.rosterFile,
    });
  }
}

/** Builds the examples' app: the stacks `basic`, `complete`, `team` and `platform`. */
export function buildApp(settings: ExampleSettings, outdir?: string): App {
  const app = new App(outdir ? { outdir } : undefined);
  new BasicStack(app, 'basic', settings);
  new CompleteStack(app, 'complete', settings);
  new TeamStack(app, 'team', settings);
  new PlatformStack(app, 'platform', settings);
  return app;
}

if (require.main === module) {
  const settings = readSettings();
  if (settings.missing.length > 0) {
    console.warn(
      'Synthesizing with placeholder values. Before `cdktf deploy basic` (or `complete`), set: ' +
        `${settings.missing.join(', ')} (and CLOUDFLARE_API_TOKEN, DIGITALOCEAN_TOKEN; for \`team\`, ZTCS_TEAM_MEMBERS and ZTCS_STOPPED_MEMBERS).`,
    );
  }
  buildApp(settings).synth();
}
