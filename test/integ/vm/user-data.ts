import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse } from 'yaml';
import type { ProbeConfig } from './machine';
import { renderTerraformString } from './terraform-template';
import { ControlPlane, StartHook, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../../../lib';
import { BOOT_PATHS, BOOT_UNITS } from '../../../lib/private/boot/contract';

/**
 * The tunnel token the rehearsal gives the boot: recognisable, and with the characters of a real
 * one (base64: letters, digits, "+", "/" and "=" padding).
 */
export const FAKE_TUNNEL_TOKEN = 'ZTCSfakeTunnelTokenForTheVmRehearsal+NotASecret/0123456789==';

const TOKEN_EXPRESSION = /^data\.cloudflare_zero_trust_tunnel_cloudflared_token\.[\w-]+\.token$/;
/** The idle marker's name, which Terraform keeps in a `terraform_data` resource (see IdleStopMarker). */
const MARKER_EXPRESSION = /^terraform_data\.[\w-]+_IdleStop_Name_[\w-]+\.input\.tag$/;
/** The name the rehearsal gives the marker: the form of the library's, `ztcs-idle-` and 20 hex digits. */
export const FAKE_MARKER_TAG = 'ztcs-idle-0123456789abcdef0123';

/** The droplet as the guest is given it: its user data rendered as Terraform would, and its names. */
export interface RehearsalDroplet {
  /** The `user_data` of the synthesized droplet, interpolations replaced and escapes undone. */
  readonly userData: string;
  readonly dropletName: string;
  readonly userName: string;
  readonly home: string;
  readonly homeVolumeLabel: string;
  /** The paths of the document's write_files. */
  readonly writtenFiles: string[];
  /** The document as the construct holds it, the token still a reference. */
  readonly cloudConfig: string;
}

/**
 * The basic example's deployment (one developer, the defaults), pointed at the test's mirror and
 * with one VS Code setting so that the optional steps leave a trace, synthesized and rendered.
 */
export function rehearsalDroplet(props: Partial<ZeroTrustCodeServerProps>): RehearsalDroplet {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'basic');
  new CloudflareProvider(stack, 'cloudflare');
  new DigitaloceanProvider(stack, 'digitalocean');
  new TlsProvider(stack, 'tls');
  // An idle stop needs a control plane (made in the stack, its tokens sensitive variables): no droplet holds its token.
  const secret = (name: string) => new TerraformVariable(stack, name, { type: 'string', sensitive: true }).stringValue;
  const controlPlane = props.idleStop === undefined ? undefined : ControlPlane.create({
    digitaloceanToken: secret('control_plane_token'),
    startHook: StartHook.webhook({ url: 'https://hook.example.com/deploy', secret: secret('start_hook_secret') }),
  });
  const codeServer = new ZeroTrustCodeServer(stack, 'CodeServer', {
    controlPlane,
    cloudflareAccountId: '00000000000000000000000000000000',
    cloudflareZoneId: '11111111111111111111111111111111',
    zoneName: 'example.com',
    hostname: 'code.example.com',
    teamName: 'example-team',
    access: { allow: { emails: ['developer@example.com'] } },
    ...props,
  });
  const synthesized = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const droplets = Object.values(synthesized.resource.digitalocean_droplet);
  if (droplets.length !== 1) throw new Error(`expected one droplet, found ${droplets.length}`);
  const droplet = droplets[0] as { name: string; user_data: string };
  const userData = renderTerraformString(droplet.user_data, (expression) =>
    TOKEN_EXPRESSION.test(expression) ? FAKE_TUNNEL_TOKEN : MARKER_EXPRESSION.test(expression) ? FAKE_MARKER_TAG : undefined);
  const document = parse(userData) as { write_files: Array<{ path: string }>; users: Array<{ name: string }> };
  const userName = document.users[0].name;
  if (!codeServer.homeVolume || !codeServer.userData) throw new Error('the rehearsal needs a running droplet with its home volume');
  return {
    userData,
    dropletName: droplet.name,
    userName,
    home: `/home/${userName}`,
    homeVolumeLabel: codeServer.homeVolume.label,
    writtenFiles: document.write_files.map((f) => f.path),
    cloudConfig: codeServer.userData.cloudConfig,
  };
}

/** The probe of a droplet whose boot finishes: the editor's services, its written files and the readiness marker. */
export function editorProbe(droplet: RehearsalDroplet): ProbeConfig {
  return {
    user: droplet.userName,
    home: droplet.home,
    services: [BOOT_UNITS.codeServer, BOOT_UNITS.cloudflared],
    files: [...droplet.writtenFiles, BOOT_PATHS.readyMarker],
    readyMarker: BOOT_PATHS.readyMarker,
    bootUnit: BOOT_UNITS.boot,
    stepRecords: BOOT_PATHS.stepRecords,
    bootOutcome: 'finished',
  };
}
