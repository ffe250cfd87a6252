// One whole-process measurement, run by bench/run.ts as `node bench/.out/workload.js <mode> <developers>`:
// load what the mode needs, build and synthesize its stack into a temporary folder, and print
// {"rssKb": <peak resident memory>, "cpuMs": <CPU time, user and system>} as the last line. Wall
// time is measured by the parent.
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// Every run's teams are new to a roster of their own, in a temporary folder, even where CI is set.
process.env.ZTCS_ROSTER = 'new';

type Mode = 'cdktf' | 'library-import' | 'library' | 'raw' | 'team' | 'fleet';

const [mode, countArg] = process.argv.slice(2) as [Mode, string];
const developers = Number(countArg ?? 0);
const ROOT = join(__dirname, '..', '..');
const SETTINGS = {
  cloudflareAccountId: '0123456789abcdef0123456789abcdef',
  cloudflareZoneId: 'fedcba9876543210fedcba9876543210',
  zoneName: 'example.com',
  teamName: 'example',
};

/** Synthesizes a stack with the three providers, filled by `fill`, into a temporary folder, as `cdktf synth` does. */
function synthesize(fill: (stack: import('cdktf').TerraformStack) => void): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
  const { CloudflareProvider } = require('@cdktf/provider-cloudflare/lib/provider');
  const { DigitaloceanProvider } = require('@cdktf/provider-digitalocean/lib/provider');
  const { TlsProvider } = require('@cdktf/provider-tls/lib/provider');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = mkdtempSync(join(tmpdir(), 'ztcs-bench-'));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'bench');
  new CloudflareProvider(stack, 'cloudflare');
  new DigitaloceanProvider(stack, 'digitalocean');
  new TlsProvider(stack, 'tls');
  fill(stack);
  app.synth();
  rmSync(outdir, { recursive: true, force: true });
}

/** A hand-written stack: the same provider resources per developer, the cloud-config read once as a template file. */
function rawStack(count: number): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { TerraformOutput } = require('cdktf') as typeof import('cdktf');
  const { ZeroTrustAccessPolicy } = require('@cdktf/provider-cloudflare/lib/zero-trust-access-policy');
  const { ZeroTrustAccessApplication } = require('@cdktf/provider-cloudflare/lib/zero-trust-access-application');
  const { ZeroTrustTunnelCloudflared } = require('@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared');
  const { ZeroTrustTunnelCloudflaredConfigA } = require('@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared-config');
  const { DataCloudflareZeroTrustTunnelCloudflaredToken } = require('@cdktf/provider-cloudflare/lib/data-cloudflare-zero-trust-tunnel-cloudflared-token');
  const { DnsRecord } = require('@cdktf/provider-cloudflare/lib/dns-record');
  const { Volume } = require('@cdktf/provider-digitalocean/lib/volume');
  const { Droplet } = require('@cdktf/provider-digitalocean/lib/droplet');
  const { Firewall } = require('@cdktf/provider-digitalocean/lib/firewall');
  const { SshKey } = require('@cdktf/provider-digitalocean/lib/ssh-key');
  const { Tag } = require('@cdktf/provider-digitalocean/lib/tag');
  const { PrivateKey } = require('@cdktf/provider-tls/lib/private-key');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const template = readFileSync(process.env.ZTCS_BENCH_TEMPLATE!, 'utf8');
  synthesize((stack) => {
    for (let i = 0; i < count; i++) {
      const name = `dev${i}`;
      const hostname = `${name}.example.com`;
      const accountId = SETTINGS.cloudflareAccountId;
      const policy = new ZeroTrustAccessPolicy(stack, `${name}-policy`, { accountId, name: `code-server ${hostname} allow`, decision: 'allow', include: [{ email: { email: `${name}@example.com` } }] });
      const application = new ZeroTrustAccessApplication(stack, `${name}-app`, {
        accountId,
        name: `code-server ${hostname}`,
        type: 'self_hosted',
        domain: hostname,
        destinations: [{ type: 'public', uri: hostname }],
        sessionDuration: '24h',
        appLauncherVisible: true,
        autoRedirectToIdentity: false,
        httpOnlyCookieAttribute: true,
        sameSiteCookieAttribute: 'lax',
        enableBindingCookie: false,
        policies: [{ id: policy.id, precedence: 1 }],
      });
      const tunnel = new ZeroTrustTunnelCloudflared(stack, `${name}-tunnel`, { accountId, name: `code-server-${hostname}`, configSrc: 'cloudflare' });
      new ZeroTrustTunnelCloudflaredConfigA(stack, `${name}-ingress`, {
        accountId,
        tunnelId: tunnel.id,
        config: {
          ingress: [
            { hostname, service: 'http://localhost:8080', originRequest: { access: { required: true, teamName: SETTINGS.teamName, audTag: [application.aud] } } },
            { service: 'http_status:404' },
          ],
        },
      });
      const token = new DataCloudflareZeroTrustTunnelCloudflaredToken(stack, `${name}-token`, { accountId, tunnelId: tunnel.id });
      new DnsRecord(stack, `${name}-dns`, {
        zoneId: SETTINGS.cloudflareZoneId,
        name: hostname,
        type: 'CNAME',
        content: `${tunnel.id}.cfargotunnel.com`,
        proxied: true,
        ttl: 1,
        comment: 'code-server through Cloudflare Tunnel (managed by cdktf)',
      });
      const volume = new Volume(stack, `${name}-home`, {
        name: `${name}-example-com-home`,
        region: 'fra1',
        size: 20,
        initialFilesystemType: 'ext4',
        initialFilesystemLabel: 'ztcs-home',
        description: 'Home directory of a code-server developer: kept across droplet replacements',
        tags: ['code-server'],
        lifecycle: { preventDestroy: true, ignoreChanges: ['name'] },
      });
      const key = new PrivateKey(stack, `${name}-key`, { algorithm: 'ED25519' });
      const sshKey = new SshKey(stack, `${name}-ssh-key`, { name: `${name}-example-com`, publicKey: key.publicKeyOpenssh });
      const tag = new Tag(stack, `${name}-firewall-tag`, { name: `ztcs-fw-${name}` });
      const firewall = new Firewall(stack, `${name}-firewall`, {
        name: `${name}-example-com-egress-only`,
        tags: [tag.name],
        outboundRule: ['tcp', 'udp'].map((protocol) => ({ protocol, portRange: 'all', destinationAddresses: ['0.0.0.0/0', '::/0'] }))
          .concat([{ protocol: 'icmp', destinationAddresses: ['0.0.0.0/0', '::/0'] } as any]),
      });
      const droplet = new Droplet(stack, `${name}-droplet`, {
        name: `${name}-example-com`,
        region: 'fra1',
        size: 's-2vcpu-4gb',
        image: 'ubuntu-24-04-x64',
        sshKeys: [sshKey.fingerprint],
        userData: template.split('__HOSTNAME__').join(hostname).split('__TOKEN__').join(token.token),
        monitoring: true,
        backups: false,
        ipv6: true,
        tags: ['code-server', tag.name],
        volumeIds: [volume.id],
        gracefulShutdown: true,
        dependsOn: [firewall],
      });
      new TerraformOutput(stack, `${name}-url`, { value: `https://${hostname}`, description: 'The editor: sign in with Cloudflare Access' });
      new TerraformOutput(stack, `${name}-tunnel-id`, { value: tunnel.id, description: 'The Cloudflare Tunnel id' });
      new TerraformOutput(stack, `${name}-access-aud`, { value: application.aud, description: 'The Access application audience tag' });
      new TerraformOutput(stack, `${name}-droplet-id`, { value: droplet.id, description: 'The DigitalOcean droplet id' });
    }
  });
}

/** The same developers through the library. */
function libraryStack(count: number): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(join(ROOT, 'lib', 'index.js')) as typeof import('../lib');
  synthesize((stack) => {
    for (let i = 0; i < count; i++) {
      new lib.ZeroTrustCodeServer(stack, `dev${i}`, { ...SETTINGS, hostname: `dev${i}.example.com`, access: { allow: { emails: [`dev${i}@example.com`] } } });
    }
  });
}

/** The same developers as one team in one stack, or as a fleet (a stack per member); the roster in a temporary folder. */
function teamLayout(count: number, layout: 'team' | 'fleet'): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const lib = require(join(ROOT, 'lib', 'index.js')) as typeof import('../lib');
  const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = mkdtempSync(join(tmpdir(), 'ztcs-bench-'));
  const props = {
    ...SETTINGS,
    admins: { emails: ['platform@example.com'] },
    members: Array.from({ length: count }, (_, i) => ({ name: `dev${i}`, email: `dev${i}@example.com` })),
    rosterFile: join(outdir, 'roster.json'),
  };
  if (layout === 'team') {
    synthesize((stack) => new lib.CodeServerTeam(stack, 'Team', props));
  } else {
    const app = new App({ outdir: join(outdir, 'out') });
    new lib.CodeServerTeam(new TerraformStack(app, 'team'), 'Team', { ...props, layout: lib.TeamLayout.stackPerMember() });
    app.synth();
  }
  rmSync(outdir, { recursive: true, force: true });
}

switch (mode) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  case 'cdktf': require('cdktf'); break;
  case 'library-import': require(join(ROOT, 'lib', 'index.js')); break;
  /* eslint-enable @typescript-eslint/no-require-imports */
  case 'library': libraryStack(developers); break;
  case 'raw': rawStack(developers); break;
  case 'team': case 'fleet': teamLayout(developers, mode); break;
  default: throw new Error(`unknown mode ${mode}`);
}
const usage = process.resourceUsage();
console.log(JSON.stringify({ rssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
