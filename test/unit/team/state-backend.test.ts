import { Testing, TerraformStack } from 'cdktf';
import { StateBackend } from '../../../lib';
import { STATE_BACKEND_DEFAULTS } from '../../../lib/team/state-backend';
import { thrownBy } from '../../support/fixtures';

/** The `terraform` block of a stack named `team-alice` bound to a backend. */
function terraformBlockOf(backend: StateBackend): any {
  const stack = new TerraformStack(Testing.app(), 'team-alice');
  backend.bind(stack);
  return JSON.parse(Testing.synth(stack)).terraform;
}

describe('StateBackend', () => {
  test("local leaves cdktf's own local backend, a file per stack", () => {
    expect(terraformBlockOf(StateBackend.local()).backend).toEqual({ local: { path: expect.stringMatching(/terraform\.team-alice\.tfstate$/) } });
  });

  test('digitaloceanSpaces keeps each stack at its own key in the bucket, skips AWS-only checks and locks with a lock file', () => {
    // WHEN
    const block = terraformBlockOf(StateBackend.digitaloceanSpaces({ bucket: 'acme-state', region: 'fra1' }));

    // THEN
    expect(block.backend).toEqual({
      s3: {
        bucket: 'acme-state',
        key: `${STATE_BACKEND_DEFAULTS.keyPrefix}team-alice.tfstate`,
        region: 'us-east-1',
        endpoints: { s3: 'https://fra1.digitaloceanspaces.com' },
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        skip_s3_checksum: true,
        use_lockfile: true,
      },
    });
  });

  test('s3 on AWS keeps its checks; lock: false leaves the lock file out; keyPrefix places the state', () => {
    // WHEN
    const block = terraformBlockOf(StateBackend.s3({ bucket: 'acme-state', region: 'eu-central-1', keyPrefix: 'editors/', lock: false }));

    // THEN
    expect(block.backend).toEqual({ s3: { bucket: 'acme-state', key: 'editors/team-alice.tfstate', region: 'eu-central-1' } });
  });

  test('s3 with an endpoint and path-style addressing, as MinIO needs', () => {
    // WHEN
    const s3 = terraformBlockOf(StateBackend.s3({ bucket: 'state', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', usePathStyle: true })).backend.s3;

    // THEN
    expect(s3).toMatchObject({ endpoints: { s3: 'http://127.0.0.1:9000' }, use_path_style: true, skip_credentials_validation: true, use_lockfile: true });
  });

  test('hcpTerraform gives each stack a workspace of its own, named after it', () => {
    // WHEN
    const block = terraformBlockOf(StateBackend.hcpTerraform({ organization: 'acme', workspacePrefix: 'editors-', project: 'platform' }));

    // THEN
    expect(block.cloud).toEqual({ organization: 'acme', hostname: 'app.terraform.io', workspaces: { name: 'editors-team-alice', project: 'platform' } });
  });

  test.each([
    ['a bucket name with capitals', StateBackend.digitaloceanSpaces({ bucket: 'Acme', region: 'fra1' }), /invalid backend\.digitaloceanSpaces\.bucket "Acme"/],
    ['a Spaces region that is no slug', StateBackend.digitaloceanSpaces({ bucket: 'acme', region: 'Frankfurt' }), /invalid backend\.digitaloceanSpaces\.region "Frankfurt"/],
    ['a key prefix with a leading slash', StateBackend.s3({ bucket: 'acme', region: 'eu-central-1', keyPrefix: '/state/' }), /invalid backend\.s3\.keyPrefix "\/state\/"/],
    ['an endpoint that is no URL', StateBackend.s3({ bucket: 'acme', region: 'x', endpoint: 'minio:9000' }), /invalid backend\.s3\.endpoint "minio:9000"/],
    ['an organization with spaces', StateBackend.hcpTerraform({ organization: 'Acme Inc' }), /invalid backend\.hcpTerraform\.organization "Acme Inc"/],
  ])('refuses %s, naming the option and the stack', (_case, backend, message) => {
    const error = thrownBy(() => terraformBlockOf(backend));
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^team-alice: /);
  });
});
