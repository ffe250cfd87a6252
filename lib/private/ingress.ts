import type { ExtraRoute } from '../tunnel/ingress';

/** What cloudflared needs to route the hostname to code-server and to check Access tokens at the origin. */
export interface IngressOptions {
  /** The public hostname. */
  readonly hostname: string;
  /** Where cloudflared forwards requests, on the droplet. */
  readonly service: string;
  /** The Cloudflare Zero Trust team name, as in `<team>.cloudflareaccess.com`. */
  readonly teamName: string;
  /** The AUD tag of the Access application whose tokens the origin accepts. */
  readonly accessAudience: string;
  /** Further hostnames (SSH, dev server previews), routed after the editor's and before the catch-all. */
  readonly extraRoutes?: ExtraRoute[];
}

/** One ingress rule in the shape of the Cloudflare provider's tunnel configuration. */
export interface IngressRule {
  readonly hostname?: string;
  readonly service: string;
  readonly originRequest?: {
    readonly access: { readonly required: boolean; readonly teamName: string; readonly audTag: string[] };
  };
}

/**
 * The ingress rules of the tunnel: the hostname to code-server, then any further hostnames, each
 * with the Access token required at the origin, then the catch-all that answers 404 to anything
 * else (cloudflared needs it last).
 */
export function buildIngressRules(options: IngressOptions): IngressRule[] {
  const route = (hostname: string, service: string, audience: string): IngressRule => ({
    hostname,
    service,
    originRequest: { access: { required: true, teamName: options.teamName, audTag: [audience] } },
  });
  return [
    route(options.hostname, options.service, options.accessAudience),
    ...(options.extraRoutes ?? []).map((r) => route(r.hostname, r.service, r.accessAudience)),
    { service: 'http_status:404' },
  ];
}
