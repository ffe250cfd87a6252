import { readFileSync } from 'fs';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { WorkersKv } from '@cdktf/provider-cloudflare/lib/workers-kv';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { CodeServerControlPlane } from '../../../../lib';
import { WORKER_BUNDLE } from '../../worker/harness';
import { StackConfig, synthesize } from '../terraform';

export const ACCOUNT = '0123456789abcdef0123456789abcdef';
export const ZONE = 'fedcba9876543210fedcba9876543210';

/** Two editors as the registry describes them (ServedEditor, with the stack that holds each). */
export const ALICE = { name: 'alice', hostname: 'alice.code.example.com', accessAudience: 'aud-alice', dropletTag: 'ztcs-fw-alice', markerTag: 'ztcs-idle-alice', stack: 'fleet-alice' };
export const BOB = { name: 'bob', hostname: 'bob.code.example.com', accessAudience: 'aud-bob', dropletTag: 'ztcs-fw-bob', markerTag: 'ztcs-idle-bob', stack: 'fleet-bob' };

export interface ControlPlaneStackOptions {
  /** The key of alice's registry entry, written as a registration writes it (value and metadata = the entry's JSON). */
  readonly registryKey: string;
  /** The control plane's DigitalOcean token (a sensitive variable's default). */
  readonly digitaloceanToken?: string;
}

/** Main's control plane (alice and bob, as a list), and a registry entry for alice in its namespace. */
class ControlPlaneStack extends TerraformStack {
  constructor(scope: Construct, id: string, options: ControlPlaneStackOptions) {
    super(scope, id);
    new CloudflareProvider(this, 'cloudflare');
    const secret = (name: string, value: string) => new TerraformVariable(this, name, { type: 'string', sensitive: true, default: value }).stringValue;
    const controlPlane = new CodeServerControlPlane(this, 'ControlPlane', {
      cloudflareAccountId: ACCOUNT,
      cloudflareZoneId: ZONE,
      teamName: 'example',
      editors: [ALICE, BOB].map(({ stack: _stack, ...editor }) => editor),
      digitaloceanToken: secret('control_plane_token', options.digitaloceanToken ?? 'control-plane-token'),
      startHookUrl: 'https://hook.example.com/dispatches',
      startHookSecret: secret('start_hook_secret', 'start-hook-secret'),
    });
    // The construct writes the bundle as it is, whose template literals (`${…}`) Terraform reads
    // as interpolations: "Extra characters after interpolation expression". Escaped here until
    // lib/control-plane does it. (Fn.rawString is no fix: it escapes the newlines too, and the
    // upload is one line, all of it behind the bundle's first `//`.)
    controlPlane.script.content = terraformLiteral(readFileSync(WORKER_BUNDLE, 'utf8'));
    new WorkersKv(this, 'Entry', {
      accountId: ACCOUNT,
      namespaceId: controlPlane.state.id,
      keyName: options.registryKey,
      value: JSON.stringify(ALICE),
      metadata: JSON.stringify(ALICE),
    });
  }
}

/** A string as Terraform's JSON syntax must spell it to mean the string itself: its `${` and `%{` escaped. */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** The stack `control-plane`, synthesized. */
export function controlPlaneStack(options: ControlPlaneStackOptions): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    new ControlPlaneStack(app, 'control-plane', options);
    return app;
  })[0];
}
