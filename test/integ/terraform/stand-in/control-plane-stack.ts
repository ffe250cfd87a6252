import { readFileSync } from 'fs';
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { WorkersKv } from '@cdktf/provider-cloudflare/lib/workers-kv';
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { CodeServerControlPlane, ControlPlaneRegistration, StartHook } from '../../../../lib';
import { WORKER_BUNDLE } from '../../worker/harness';
import { StackConfig, synthesize } from '../terraform';

export const ACCOUNT = '0123456789abcdef0123456789abcdef';
export const ZONE = 'fedcba9876543210fedcba9876543210';

/** Two editors as the registry describes them (ServedEditor, with the stack that holds each). */
export const ALICE = { name: 'alice', hostname: 'alice.code.example.com', accessAudience: 'aud-alice', dropletTag: 'ztcs-fw-alice', markerTag: 'ztcs-idle-alice', stack: 'fleet-alice' };
export const BOB = { name: 'bob', hostname: 'bob.code.example.com', accessAudience: 'aud-bob', dropletTag: 'ztcs-fw-bob', markerTag: 'ztcs-idle-bob', stack: 'fleet-bob' };

export interface ControlPlaneStackOptions {
  /** Another entry for alice in the registry's namespace, at this key (value and metadata = her entry's JSON). */
  readonly extraKey?: string;
  /** The control plane's DigitalOcean token (a sensitive variable's default). */
  readonly digitaloceanToken?: string;
}

/** A control plane (its start hook a webhook), and alice and bob registered with it. */
class ControlPlaneStack extends TerraformStack {
  constructor(scope: Construct, id: string, options: ControlPlaneStackOptions) {
    super(scope, id);
    new CloudflareProvider(this, 'cloudflare');
    const secret = (name: string, value: string) => new TerraformVariable(this, name, { type: 'string', sensitive: true, default: value }).stringValue;
    const controlPlane = new CodeServerControlPlane(this, 'ControlPlane', {
      cloudflareAccountId: ACCOUNT,
      teamName: 'example',
      scriptName: 'ztcs-control-plane',
      digitaloceanToken: secret('control_plane_token', options.digitaloceanToken ?? 'control-plane-token'),
      startHook: StartHook.webhook({ url: 'https://hook.example.com/dispatches', secret: secret('start_hook_secret', 'start-hook-secret') }),
    });
    // The construct writes the bundle as it is, whose template literals (`${…}`) Terraform reads
    // as interpolations: "Extra characters after interpolation expression". Escaped here until
    // lib/control-plane does it. (Fn.rawString is no fix: it escapes the newlines too, and the
    // upload is one line, all of it behind the bundle's first `//`.)
    controlPlane.script.content = terraformLiteral(readFileSync(WORKER_BUNDLE, 'utf8'));
    for (const editor of [ALICE, BOB]) {
      new ControlPlaneRegistration(this, `StartOnVisit-${editor.name}`, { controlPlane, cloudflareZoneId: ZONE, editor });
    }
    if (options.extraKey !== undefined) {
      new WorkersKv(this, 'Entry', {
        accountId: ACCOUNT,
        namespaceId: controlPlane.state.id,
        keyName: options.extraKey,
        value: JSON.stringify(ALICE),
        metadata: JSON.stringify(ALICE),
      });
    }
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
