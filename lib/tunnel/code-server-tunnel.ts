import { DataCloudflareZeroTrustTunnelCloudflaredToken } from '@cdktf/provider-cloudflare/lib/data-cloudflare-zero-trust-tunnel-cloudflared-token';
import { ZeroTrustTunnelCloudflared } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared';
import { ZeroTrustTunnelCloudflaredConfigA } from '@cdktf/provider-cloudflare/lib/zero-trust-tunnel-cloudflared-config';
import { Construct } from 'constructs';
import type { ExtraRoute } from './ingress';
import { CODE_SERVER_PORT } from '../private/boot/contract';
import { buildIngressRules } from '../private/ingress';
import { tunnelNameOf } from '../private/naming';
import { isResolved, markResolved } from '../private/spec/resolved';
import { checkCloudflareId, checkPattern, checkTeamName, contextOf, PropContext } from '../private/validation';
import { ProviderOptions } from '../providers';

/** The editor's Cloudflare Tunnel. */
export interface TunnelOptions {
  /**
   * The tunnel's name in the Zero Trust dashboard. Each editor's own.
   * @default - "code-server-<hostname>"
   */
  readonly name?: string;
}

/** Props of {@link CodeServerTunnel}. */
export interface CodeServerTunnelProps extends TunnelOptions, ProviderOptions {
  /** The Cloudflare account (32 hexadecimal characters) that owns the tunnel. */
  readonly cloudflareAccountId: string;
  /** The public hostname that the tunnel serves. */
  readonly hostname: string;
  /** The Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`. */
  readonly teamName: string;
  /** The AUD tag of the Access application guarding the hostname; cloudflared rejects requests without a token for it. */
  readonly accessAudience: string;
  /**
   * Where cloudflared forwards requests, on the droplet: code-server's loopback address.
   * @default "http://localhost:8080"
   */
  readonly originService?: string;
  /**
   * Further hostnames the tunnel routes (SSH, dev server previews), before its catch-all.
   * @default - none
   */
  readonly extraRoutes?: ExtraRoute[];
}

/** The defaults of {@link CodeServerTunnelProps}, for documentation and tests. */
export const TUNNEL_DEFAULTS = {
  originService: `http://localhost:${CODE_SERVER_PORT}`,
} as const;

const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\]):\d{1,5}$/;

/** Resolves a tunnel's props without building anything: checks its account, team name and origin. A tunnel given the result does not check it again. */
export function resolveTunnel<T extends Pick<CodeServerTunnelProps, 'cloudflareAccountId' | 'teamName' | 'originService'>>(ctx: PropContext, props: T): T {
  checkCloudflareId(ctx, 'cloudflareAccountId', props.cloudflareAccountId);
  checkTeamName(ctx, 'teamName', props.teamName);
  if (props.originService !== undefined) {
    checkPattern(ctx, 'originService', props.originService, LOOPBACK_ORIGIN, `expected a loopback http(s) URL with a port, e.g. "${TUNNEL_DEFAULTS.originService}"`);
  }
  return markResolved(props);
}

/**
 * A remotely-managed Cloudflare Tunnel (its configuration lives in Cloudflare, set here), the
 * ingress that sends the hostname to code-server with Access tokens checked again at the origin,
 * and the token that cloudflared on the droplet runs with.
 */
export class CodeServerTunnel extends Construct {
  /** The tunnel. */
  public readonly tunnel: ZeroTrustTunnelCloudflared;
  /** The tunnel's ingress configuration. */
  public readonly configuration: ZeroTrustTunnelCloudflaredConfigA;
  /** The data source that reads the tunnel's token. */
  public readonly tokenData: DataCloudflareZeroTrustTunnelCloudflaredToken;

  constructor(scope: Construct, id: string, props: CodeServerTunnelProps) {
    super(scope, id);
    if (!isResolved(props)) resolveTunnel(contextOf(this), props);

    // config_src is set from the start: changing it later replaces the tunnel.
    const provider = props.cloudflareProvider;
    this.tunnel = new ZeroTrustTunnelCloudflared(this, 'Tunnel', {
      provider,
      accountId: props.cloudflareAccountId,
      name: tunnelNameOf(props.name, props.hostname),
      configSrc: 'cloudflare',
    });

    this.configuration = new ZeroTrustTunnelCloudflaredConfigA(this, 'Configuration', {
      provider,
      accountId: props.cloudflareAccountId,
      tunnelId: this.tunnel.id,
      config: {
        ingress: buildIngressRules({
          hostname: props.hostname,
          service: props.originService ?? TUNNEL_DEFAULTS.originService,
          teamName: props.teamName,
          accessAudience: props.accessAudience,
          extraRoutes: props.extraRoutes,
        }),
      },
    });

    this.tokenData = new DataCloudflareZeroTrustTunnelCloudflaredToken(this, 'Token', {
      provider,
      accountId: props.cloudflareAccountId,
      tunnelId: this.tunnel.id,
    });
  }

  /** The tunnel's id. */
  public get tunnelId(): string {
    return this.tunnel.id;
  }

  /** The name that a proxied CNAME points to: `<tunnel id>.cfargotunnel.com`. */
  public get cnameTarget(): string {
    return `${this.tunnel.id}.cfargotunnel.com`;
  }

  /** The token cloudflared runs with. Secret: it goes into the droplet's user data and nowhere else. */
  public get token(): string {
    return this.tokenData.token;
  }
}
