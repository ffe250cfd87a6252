import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { BootUser } from '../../../../lib/boot/boot-steps';
import { CodeServerUserData, CodeServerUserDataProps } from '../../../../lib/boot/code-server-user-data';
import { LITERAL_SECRETS, literalSecretIn } from '../../../../lib/private/validation';

// Fake credentials of each documented shape, built at run time so that no scanner takes this file
// for a leak: each is refused, the error names the prop and never shows the value.
const GITHUB = 'ghp_' + 'A1b2C3d4E5'.repeat(4);
const FAKES: Array<[string, string]> = [
  ['a GitHub token', `git clone https://github.com/acme/app.git && echo ${GITHUB}`],
  ['a GitHub token', 'export GH_TOKEN=github_pat_' + '11ABCDEFG0'.repeat(5)],
  ['a GitLab token', 'export GITLAB_TOKEN=glpat-' + 'x1Y2z3W4v5'.repeat(2)],
  ['a DigitalOcean token', 'doctl auth init -t dop_v1_' + '0123456789abcdef'.repeat(4)],
  ['an AWS access key id', 'export AWS_ACCESS_KEY_ID=AKIA' + 'IOSFODNN7EXAMPLE'],
  ['a Slack token', 'curl -d token=xoxb-' + '1234567890-abcdefghij'],
  ['a Cloudflare Tunnel token', 'cloudflared service install eyJhIjoi' + 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYi'],
  ['a private key', '-----BEGIN OPENSSH ' + 'PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'],
  ['an Authorization header with a literal value', 'curl -H "Authorization: Bearer ' + 'abcdef0123456789" https://api.example.com'],
  ['a Cloudflare API token', 'CLOUDFLARE_API_TOKEN=' + 'a1B2c3D4e5'.repeat(4)],
];

function build(props: Partial<CodeServerUserDataProps>, stack = new TerraformStack(Testing.app(), 'test')): CodeServerUserData {
  return new CodeServerUserData(stack, 'UserData', { hostname: 'code.example.com', tunnelToken: 't', ...props });
}

/** The error a build throws, as a message. */
function errorOf(props: Partial<CodeServerUserDataProps>): string {
  try {
    build(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the build to fail');
}

describe('literal secrets', () => {
  test.each(FAKES)('%s is recognised', (what, text) => {
    expect(literalSecretIn(text)).toBe(what);
  });

  test('every documented pattern has a fake here', () => {
    expect(LITERAL_SECRETS.map((s) => s.what).filter((what) => !FAKES.some(([w]) => w === what))).toEqual([]);
  });

  test.each([
    'git clone https://github.com/acme/app.git',
    'curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com/user',
    'echo "$DEPLOY_KEY" > ~/.ssh/id_ed25519',
    'apt-get install -y postgresql-client',
  ])('%p holds none', (text) => {
    expect(literalSecretIn(text)).toBeUndefined();
  });
});

describe('secrets are refused where they would be written into cdk.tf.json', () => {
  test.each(FAKES)('%s in a boot step command is refused, naming the prop and not the value', (what, command) => {
    const message = errorOf({ bootSteps: [{ name: 'tools', commands: ['true', command] }] });
    expect(message).toContain('bootSteps[0].commands[1]');
    expect(message).toContain(`holds ${what}`);
    expect(message).toContain('sensitive Terraform variable');
    expect(message).not.toContain(command);
  });

  test('a literal private key in a boot step file is refused', () => {
    const [, key] = FAKES.find(([what]) => what === 'a private key')!;
    const message = errorOf({ bootSteps: [{ name: 'key', files: [{ path: '/home/coder/.ssh/id_ed25519', content: key }] }] });
    expect(message).toContain('bootSteps[0].files[0].content');
    expect(message).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
  });

  test('a literal token in the VS Code settings is refused', () => {
    expect(errorOf({ settings: { 'github.token': GITHUB } })).toContain('settings');
  });

  test.each([
    ['gitRepositories[0]', { gitRepositories: [`https://x-access-token:${GITHUB}@github.com/acme/app.git`] }],
    ['gitRepositories[1]', { gitRepositories: ['https://github.com/acme/a.git', 'https://alice:s3cret-pass@gitlab.example.com/acme/b.git'] }],
    ['gitRepositories[0]', { gitRepositories: ['https://gitlab.example.com/acme/app.git?private_token=abc123'] }],
    ['dotfilesRepository', { dotfilesRepository: 'https://oauth2:abc123@gitlab.com/alice/dotfiles.git' }],
  ])('a repository URL with credentials is refused (%s), the URL not shown', (prop, props) => {
    const message = errorOf(props);
    expect(message).toContain(prop);
    expect(message).toContain('carries credentials');
    expect(message).not.toMatch(/s3cret|abc123|A1b2C3d4E5/);
  });

  test('credentials in a URL are refused even as a Terraform variable: git would show them in the process list', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const token = new TerraformVariable(stack, 'token', { type: 'string', sensitive: true });
    expect(() => build({ gitRepositories: [`https://x-access-token:${token.stringValue}@github.com/acme/app.git`] }, stack)).toThrow(/gitRepositories\[0\].*carries credentials/);
  });

  test('a secret as a sensitive variable in a boot step file is accepted, and cdk.tf.json holds only its reference', () => {
    // GIVEN the README's pattern for a private repository: a deploy key, written as the developer
    const stack = new TerraformStack(Testing.app(), 'test');
    const key = new TerraformVariable(stack, 'deploy_key', { type: 'string', sensitive: true });

    // WHEN
    const userData = build({
      bootSteps: [{
        name: 'private-repo',
        runAs: BootUser.DEVELOPER,
        files: [{ path: '/home/coder/.ssh/deploy_key', content: key.stringValue, permissions: '0600' }],
        commands: ['GIT_SSH_COMMAND="ssh -i ~/.ssh/deploy_key -o StrictHostKeyChecking=accept-new" git clone git@github.com:acme/private.git ~/workspace/private'],
      }],
    }, stack).userData;

    // THEN: the user data, as cdk.tf.json would hold it (here in an output), refers to the variable
    new TerraformOutput(stack, 'user-data', { value: userData, sensitive: true });
    expect(Testing.synth(stack)).toContain('${base64encode(var.deploy_key)}');
  });

  test('plain URLs and commands without credentials are accepted', () => {
    expect(() => build({
      gitRepositories: ['https://github.com/acme/app.git', 'https://gitlab.com/acme/tool?ref=main'],
      dotfilesRepository: 'https://github.com/alice/dotfiles',
      bootSteps: [{ name: 'tools', commands: ['curl -H "Authorization: Bearer $TOKEN" https://api.example.com'] }],
    })).not.toThrow();
  });
});
