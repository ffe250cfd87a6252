import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, providers, runAsApp } from './settings';
import { BootPhase, BootUser, CodeServerTeam, Home } from '../lib';

/** The platform's cost tags, on its droplets and its home volumes alike. */
const PLATFORM_TAGS = ['team-platform', 'cost-center-42'];

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
      providers: { digitaloceanProvider: platformAccount },
      droplet: { vpcUuid: settings.vpcUuid, tags: PLATFORM_TAGS },
      home: Home.volume({ tags: PLATFORM_TAGS }),
      admins: { emails: settings.allowedEmails },
      boot: {
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
      },
      members: [
        { name: 'dana', email: 'dana@example.com', droplet: { size: 's-4vcpu-8gb' }, ssh: {} },
        { name: 'eli', email: 'eli@example.com', previews: { ports: [3000] }, boot: { extensions: ['esbenp.prettier-vscode'] } },
      ],
      rosterFile: settings.rosterFile,
    });
  }
}

runAsApp(module, (app, settings) => new PlatformStack(app, 'platform', settings));
