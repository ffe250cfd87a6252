import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BasicStack, readSettings } from '../../../examples/main';
import { FirewallProtocol, Home, ZeroTrustCodeServer } from '../../../lib';

/**
 * The TypeScript side of the consumer tests: the configurations that test/integ/packages/python/consumer.py
 * writes in Python. `basic` is the example's basic stack with its placeholder settings.
 */
export const CONSUMER_STACKS = ['basic', 'options'] as const;

/** A GitHub organization rule, extensions and a smaller droplet, with groups of structs, a union class, an enum and a map. */
export class OptionsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new CloudflareProvider(this, 'cloudflare');
    new DigitaloceanProvider(this, 'digitalocean');
    new TlsProvider(this, 'tls');
    const settings = readSettings({});
    new ZeroTrustCodeServer(this, 'CodeServer', {
      cloudflareAccountId: settings.accountId,
      cloudflareZoneId: settings.zoneId,
      zoneName: settings.zoneName,
      teamName: settings.teamName,
      hostname: 'python.example.com',
      access: {
        allow: {
          emails: ['developer@example.com'],
          githubOrganizations: [{ name: 'example-org', identityProviderId: '22222222-2222-2222-2222-222222222222', team: 'platform' }],
        },
      },
      droplet: {
        size: 's-2vcpu-2gb',
        region: 'ams3',
        outboundRules: [
          { protocol: FirewallProtocol.TCP, portRange: '443' },
          { protocol: FirewallProtocol.UDP, portRange: '53' },
          { protocol: FirewallProtocol.TCP, portRange: '7844' },
          { protocol: FirewallProtocol.UDP, portRange: '7844' },
        ],
      },
      boot: {
        extensions: ['ms-python.python', 'esbenp.prettier-vscode@10.4.0'],
        settings: { 'editor.formatOnSave': true, 'python.analysis.typeCheckingMode': 'basic' },
        userName: 'dev',
      },
      home: Home.volume({ sizeGib: 40 }),
    });
  }
}

/** Synthesizes the consumer stacks into outdir, as `cdktf synth` would. */
export function synthConsumerStacks(outdir: string): void {
  const app = new App({ outdir });
  new BasicStack(app, 'basic', readSettings({}));
  new OptionsStack(app, 'options');
  app.synth();
}
