// An app with every kind of output the library writes: one editor's (strings), a team's and a
// fleet's (maps of member to URL), and the idle stop's (its marker's name, a hash made by Terraform
// functions, in an editor and in a fleet's member stacks). test/integ/consumer/synth-output.test.ts synthesizes it with the
// cdktf CLI.
import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { CodeServerTeam, TeamLayout, TeamMember, ZeroTrustCodeServer } from '../../../lib';

const ACCOUNT = {
  cloudflareAccountId: '0123456789abcdef0123456789abcdef',
  cloudflareZoneId: 'fedcba9876543210fedcba9876543210',
  zoneName: 'example.com',
  teamName: 'example',
};
const MEMBERS: TeamMember[] = [
  { name: 'alice', email: 'alice@example.com' },
  { name: 'bob', email: 'bob@example.com' },
];

const app = new App();
const stackWithProviders = (id: string) => {
  const stack = new TerraformStack(app, id);
  new CloudflareProvider(stack, 'cloudflare');
  new DigitaloceanProvider(stack, 'digitalocean');
  new TlsProvider(stack, 'tls');
  return stack;
};
const editorStack = stackWithProviders('editor');
new ZeroTrustCodeServer(editorStack, 'Alice', {
  ...ACCOUNT,
  hostname: 'alice.example.com',
  access: { allow: { emails: ['alice@example.com'] } },
  idleStop: { idleMinutes: 30 },
});
const rosterFile = process.env.ZTCS_ROSTER_FILE;
new CodeServerTeam(stackWithProviders('team'), 'Team', { ...ACCOUNT, members: MEMBERS, hostnamePattern: 'team-{name}.example.com', rosterFile });
new CodeServerTeam(new TerraformStack(app, 'fleet'), 'Team', {
  ...ACCOUNT,
  members: MEMBERS,
  hostnamePattern: 'fleet-{name}.example.com',
  rosterFile,
  layout: TeamLayout.stackPerMember({ sensitiveVariables: ['idle_stop_token'] }),
  idleStop: { idleMinutes: 30 },
});
app.synth();
