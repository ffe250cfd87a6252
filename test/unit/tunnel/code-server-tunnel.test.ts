import { DataCloudflareZeroTrustTunnelCloudflaredToken } from '@cdktf/provider-cloudflare/lib/data-cloudflare-zero-trust-tunnel-cloudflared-token';
import { ZeroTrustTunnelCloudflared } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared';
import { ZeroTrustTunnelCloudflaredConfigA } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared-config';
import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { CodeServerTunnel, CodeServerTunnelProps } from '../../../lib/tunnel';
import { ACCOUNT_ID, addressOf, newStack, onlyResource, resourceCount, synthJson } from '../../support/fixtures';

function tunnelProps(overrides: Partial<CodeServerTunnelProps> = {}): CodeServerTunnelProps {
  return {
    cloudflareAccountId: ACCOUNT_ID,
    hostname: 'code.example.com',
    teamName: 'myteam',
    accessAudience: 'aud-123',
    ...overrides,
  };
}

function buildTunnel(overrides: Partial<CodeServerTunnelProps> = {}): { stack: TerraformStack; tunnel: CodeServerTunnel } {
  const stack = newStack();
  const tunnel = new CodeServerTunnel(stack, 'Tunnel', tunnelProps(overrides));
  return { stack, tunnel };
}

function ingressOf(stack: TerraformStack): any[] {
  return onlyResource(synthJson(stack), 'cloudflare_zero_trust_tunnel_cloudflared_config').config.ingress;
}

describe('CodeServerTunnel', () => {
  test('creates a remotely-managed tunnel (config_src "cloudflare")', () => {
    // GIVEN
    const { stack } = buildTunnel();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustTunnelCloudflared, {
      account_id: ACCOUNT_ID,
      config_src: 'cloudflare',
    });
  });

  test('names the tunnel after the hostname by default', () => {
    // GIVEN
    const { stack } = buildTunnel();

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustTunnelCloudflared, { name: 'code-server-code.example.com' });
  });

  test('takes the tunnel name given', () => {
    // GIVEN
    const { stack } = buildTunnel({ name: 'my-tunnel' });

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustTunnelCloudflared, { name: 'my-tunnel' });
  });

  test('configures the tunnel it created', () => {
    // GIVEN
    const { stack } = buildTunnel();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ZeroTrustTunnelCloudflaredConfigA, {
      account_id: ACCOUNT_ID,
      tunnel_id: `\${${addressOf(synth, 'cloudflare_zero_trust_tunnel_cloudflared')}.id}`,
    });
  });

  test('sends the hostname to http://localhost:8080 by default', () => {
    // GIVEN
    const { stack } = buildTunnel();

    // WHEN
    const [first] = ingressOf(stack);

    // THEN
    expect(first.hostname).toBe('code.example.com');
    expect(first.service).toBe('http://localhost:8080');
  });

  test('sends the hostname to the origin service given', () => {
    // GIVEN
    const { stack } = buildTunnel({ originService: 'http://127.0.0.1:9000' });

    // THEN
    expect(ingressOf(stack)[0].service).toBe('http://127.0.0.1:9000');
  });

  test('validates Access JWTs at the origin: required, for the team and the application\'s audience', () => {
    // GIVEN
    const { stack } = buildTunnel();

    // THEN
    expect(ingressOf(stack)[0].origin_request).toEqual({
      access: { required: true, team_name: 'myteam', aud_tag: ['aud-123'] },
    });
  });

  test('ends the ingress with the 404 catch-all', () => {
    // GIVEN
    const { stack } = buildTunnel();

    // WHEN
    const ingress = ingressOf(stack);

    // THEN
    expect(ingress).toHaveLength(2);
    expect(ingress[ingress.length - 1]).toEqual({ service: 'http_status:404' });
  });

  test('reads the tunnel\'s token with a data source', () => {
    // GIVEN
    const { stack } = buildTunnel();
    const synth = synthJson(stack);

    // THEN
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataCloudflareZeroTrustTunnelCloudflaredToken, {
      account_id: ACCOUNT_ID,
      tunnel_id: `\${${addressOf(synth, 'cloudflare_zero_trust_tunnel_cloudflared')}.id}`,
    });
  });

  test('exposes the token as a reference to the data source', () => {
    // GIVEN
    const { stack, tunnel } = buildTunnel();

    // WHEN
    new TerraformOutput(stack, 'Token', { value: tunnel.token, sensitive: true });
    const synth = synthJson(stack);

    // THEN
    const dataName = Object.keys(synth.data.cloudflare_zero_trust_tunnel_cloudflared_token)[0];
    expect(synth.output.Token.value).toBe(`\${data.cloudflare_zero_trust_tunnel_cloudflared_token.${dataName}.token}`);
  });

  test('exposes the tunnel id and the CNAME target <tunnel id>.cfargotunnel.com', () => {
    // GIVEN
    const { stack, tunnel } = buildTunnel();

    // WHEN
    new TerraformOutput(stack, 'Id', { value: tunnel.tunnelId });
    new TerraformOutput(stack, 'Target', { value: tunnel.cnameTarget });
    const synth = synthJson(stack);

    // THEN
    const tunnelAddress = addressOf(synth, 'cloudflare_zero_trust_tunnel_cloudflared');
    expect(synth.output.Id.value).toBe(`\${${tunnelAddress}.id}`);
    expect(synth.output.Target.value).toBe(`\${${tunnelAddress}.id}.cfargotunnel.com`);
  });

  test('rejects a bad team name, and builds nothing', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const build = () => new CodeServerTunnel(stack, 'Tunnel', tunnelProps({ teamName: 'My Team' }));

    // THEN
    expect(build).toThrow('test/Tunnel: invalid teamName "My Team"');
    expect(resourceCount(synthJson(stack))).toBe(0);
  });

  test('rejects an origin service that is not on loopback', () => {
    // THEN
    expect(() => buildTunnel({ originService: 'http://10.0.0.5:8080' })).toThrow('test/Tunnel: invalid originService "http://10.0.0.5:8080"');
  });

  test('rejects an account id that is not 32 hexadecimal characters', () => {
    // THEN
    expect(() => buildTunnel({ cloudflareAccountId: 'my-account' })).toThrow('test/Tunnel: invalid cloudflareAccountId "my-account": expected the 32 hexadecimal characters of an account id');
  });
});
