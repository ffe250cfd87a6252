import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ZeroTrustCodeServer } from '../lib';

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
  readonly missing: string[];
}

const PLACEHOLDERS: Record<string, string> = {
  CLOUDFLARE_ACCOUNT_ID: '00000000000000000000000000000000',
  CLOUDFLARE_ZONE_ID: '11111111111111111111111111111111',
  ZTCS_ZONE_NAME: 'example.com',
  ZTCS_HOSTNAME: 'code.example.com',
  ZTCS_TEAM_NAME: 'example-team',
  ZTCS_ALLOWED_EMAILS: 'developer@example.com',
};

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
    missing,
  };
}

/** The smallest useful deployment: one developer, the defaults for everything else. */
export class BasicStack extends TerraformStack {
  public readonly codeServer: ZeroTrustCodeServer;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    // Credentials come from CLOUDFLARE_API_TOKEN and DIGITALOCEAN_TOKEN in the environment.
    new CloudflareProvider(this, 'cloudflare');
    new DigitaloceanProvider(this, 'digitalocean');
    new TlsProvider(this, 'tls');

    this.codeServer = new ZeroTrustCodeServer(this, 'CodeServer', {
      cloudflareAccountId: settings.accountId,
      cloudflareZoneId: settings.zoneId,
      zoneName: settings.zoneName,
      hostname: settings.hostname,
      teamName: settings.teamName,
      allowedEmails: settings.allowedEmails,
    });
  }
}

/** Builds the examples' app. */
export function buildApp(settings: ExampleSettings, outdir?: string): App {
  const app = new App(outdir ? { outdir } : undefined);
  new BasicStack(app, 'basic', settings);
  return app;
}

if (require.main === module) {
  const settings = readSettings();
  if (settings.missing.length > 0) {
    console.warn(
      'Synthesizing with placeholder values. Before `cdktf deploy basic`, set: ' +
        `${settings.missing.join(', ')} (and CLOUDFLARE_API_TOKEN, DIGITALOCEAN_TOKEN).`,
    );
  }
  buildApp(settings).synth();
}
