import { ZeroTrustAccessApplication } from '@cdktf/provider-cloudflare/lib/zero-trust-access-application';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { ZeroTrustAccessShortLivedCertificate } from '@cdktf/provider-cloudflare/lib/zero-trust-access-short-lived-certificate';
import { Construct } from 'constructs';
import { ProviderOptions } from '../providers';
import type { IAccessPolicy } from './existing';
import type { AccessRuleSet } from './rules';
import { buildAccessRules, UUID, validateAccessRuleSet } from '../private/access-rules';
import { accessApplicationNameOf, allowPolicyNameOf, sshApplicationNameOf } from '../private/naming';
import { isResolved, markResolved } from '../private/spec/resolved';
import { checkCloudflareId, checkPattern, checkUnique, contextOf, inGroup, isUnresolved, PropContext, rejectProp } from '../private/validation';

/** The defaults of {@link AccessOptions}, for documentation and tests. */
export const ACCESS_DEFAULTS = {
  sessionDuration: '24h',
  appLauncherVisible: true,
  sameSiteCookieAttribute: 'lax',
  bindingCookie: false,
} as const;

/** The SameSite values Access sets on its cookie. */
const SAME_SITE = ['none', 'lax', 'strict'];

/**
 * Who may open the editor, and how signing in works. A team shares all but `allow` and
 * `applicationName`, which are each editor's own.
 */
export interface AccessOptions {
  /**
   * Who may sign in: a user matching any rule is let in, subject to `requireRules` and
   * `excludeRules`. The rules go into a reusable allow policy of the editor's own.
   * @default - none: then `policies` must hold at least one policy
   */
  readonly allow?: AccessRuleSet;
  /**
   * Existing reusable Access policies to attach as well, after the editor's own
   * (`AccessPolicy.fromPolicyId`): a company-wide policy, for instance. At least one of `allow`
   * and `policies` is needed. A team attaches its shared ones to every editor.
   * @default - none
   */
  readonly policies?: IAccessPolicy[];
  /**
   * The name of the Access application (and of its policy, with " allow") in the Zero Trust dashboard.
   * @default - "code-server <hostname>"
   */
  readonly applicationName?: string;
  /**
   * Rules every user must also match, e.g. an email domain on top of a GitHub team.
   * @default - no extra requirement
   */
  readonly requireRules?: AccessRuleSet;
  /**
   * Rules that deny a user even when an allow rule matches.
   * @default - nobody is excluded
   */
  readonly excludeRules?: AccessRuleSet;
  /**
   * Ids (UUIDs) of the identity providers offered at sign-in; with exactly one, users go straight to it.
   * @default - every identity provider of the account
   */
  readonly identityProviderIds?: string[];
  /**
   * How long an Access sign-in lasts, in Cloudflare's duration format (`30m`, `24h`, `2h45m`).
   * @default "24h"
   */
  readonly sessionDuration?: string;
  /**
   * Whether the editor appears in the Access App Launcher.
   * @default true
   */
  readonly appLauncherVisible?: boolean;
  /**
   * The SameSite attribute of the editor's Access cookie: `lax` (sent on a link from elsewhere,
   * such as a chat message, not on other sites' requests), `strict` (a link from elsewhere asks to
   * sign in again) or `none`. The editor's own requests and WebSockets carry it with any value.
   * @default "lax"
   */
  readonly sameSiteCookieAttribute?: string;
  /**
   * Access's binding cookie, which ties the Access cookie to the browser that signed in, against a
   * stolen token. For browsers only: never set on the SSH application.
   * @default false
   */
  readonly bindingCookie?: boolean;
}

/** Props of {@link CodeServerAccess}. */
export interface CodeServerAccessProps extends AccessOptions, ProviderOptions {
  /** The Cloudflare account (32 hexadecimal characters) that owns the Access application and policy. */
  readonly cloudflareAccountId: string;
  /** The hostname the application protects, exactly (no wildcard, no path). */
  readonly hostname: string;
  /**
   * More hostnames the same application covers, one sign-in for all: dev server previews.
   * @default - none
   */
  readonly previewHostnames?: string[];
  /**
   * A hostname for SSH through Access: a second application, of type `ssh` (Cloudflare renders a
   * terminal in the browser; `cloudflared access ssh` uses it from a laptop), under the same allow
   * policy, with short-lived certificates for its users.
   * @default - no SSH application
   */
  readonly sshHostname?: string;
}

const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
/** The longest session Access offers: a month. */
const MAX_SESSION_HOURS = 730;
const HOURS_PER_UNIT: Record<string, number> = { h: 1, m: 1 / 60, s: 1 / 3600, ms: 1 / 3.6e6, us: 1 / 3.6e9, µs: 1 / 3.6e9, ns: 1 / 3.6e12 };

/** The hours of a duration in Cloudflare's (Go's) format, e.g. 2.75 for "2h45m". */
export function durationHours(duration: string): number {
  return [...duration.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)].reduce((sum, [, amount, unit]) => sum + Number(amount) * HOURS_PER_UNIT[unit], 0);
}

/**
 * Resolves the Access props without building anything: checks the account (named as `ctx` says)
 * and who may sign in and how (named within `group`, e.g. `access`). An Access given the result
 * does not check it again.
 */
export function resolveAccess<T extends AccessOptions & { readonly cloudflareAccountId: string }>(ctx: PropContext, props: T, group?: string): T {
  checkCloudflareId(ctx, 'cloudflareAccountId', props.cloudflareAccountId);
  checkAccessOptions(group !== undefined ? inGroup(ctx, group) : ctx, props);
  return markResolved(props);
}

/** Checks who may sign in and how, without building anything. */
function checkAccessOptions(ctx: PropContext, props: AccessOptions): void {
  const policies = props.policies ?? [];
  if (buildAccessRules(props.allow).length === 0 && policies.length === 0) {
    rejectProp(ctx, 'allow', props.allow ?? null,
      'an editor needs someone to let in: at least one rule, e.g. allow: { emails: ["dev@example.com"] } or { emailDomains: ["example.com"] }, or an existing policy in policies (AccessPolicy.fromPolicyId)');
  }
  validateAccessRuleSet(ctx, props.allow, (field) => `allow.${field}`);
  checkUnique(ctx, 'policies', policies.map((p) => p.policyId));
  if (buildAccessRules(props.allow).length === 0) {
    for (const prop of ['requireRules', 'excludeRules'] as const) {
      if (buildAccessRules(props[prop]).length > 0) {
        rejectProp(ctx, prop, props[prop], 'refines the editor\'s own policy, which exists only with allow rules; put the rule into one of policies instead');
      }
    }
  }
  validateAccessRuleSet(ctx, props.requireRules, (field) => `requireRules.${field}`);
  validateAccessRuleSet(ctx, props.excludeRules, (field) => `excludeRules.${field}`);
  if (props.sessionDuration !== undefined) {
    checkPattern(ctx, 'sessionDuration', props.sessionDuration, DURATION, 'expected a duration such as "30m", "24h" or "2h45m"');
    if (!isUnresolved(props.sessionDuration) && !/[1-9]/.test(props.sessionDuration)) {
      rejectProp(ctx, 'sessionDuration', props.sessionDuration, 'must be longer than zero, e.g. "24h"');
    }
    if (!isUnresolved(props.sessionDuration) && durationHours(props.sessionDuration) > MAX_SESSION_HOURS) {
      rejectProp(ctx, 'sessionDuration', props.sessionDuration, `is longer than Access allows, ${MAX_SESSION_HOURS}h (a month); e.g. "168h" for a week`);
    }
  }
  const sameSite = props.sameSiteCookieAttribute;
  if (sameSite !== undefined && !isUnresolved(sameSite) && !SAME_SITE.includes(sameSite)) {
    rejectProp(ctx, 'sameSiteCookieAttribute', props.sameSiteCookieAttribute, `expected one of ${SAME_SITE.map((v) => `"${v}"`).join(', ')}, e.g. "lax"`);
  }
  (props.identityProviderIds ?? []).forEach((id, i) =>
    checkPattern(ctx, `identityProviderIds[${i}]`, id, UUID, 'expected the id (a UUID) of a Cloudflare identity provider, e.g. "0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b", not its type or name'),
  );
}

/**
 * A reusable Access policy that lets in whoever `allow` matches, refined by `requireRules` and
 * `excludeRules`; none when `allow` has no rule. An editor's own policy, and a team's admins'.
 */
export function allowPolicy(
  scope: Construct,
  id: string,
  props: AccessOptions & ProviderOptions & { readonly cloudflareAccountId: string; readonly name: string },
): ZeroTrustAccessPolicy | undefined {
  const include = buildAccessRules(props.allow);
  if (include.length === 0) return undefined;
  const require = buildAccessRules(props.requireRules);
  const exclude = buildAccessRules(props.excludeRules);
  return new ZeroTrustAccessPolicy(scope, id, {
    provider: props.cloudflareProvider,
    accountId: props.cloudflareAccountId,
    name: props.name,
    decision: 'allow',
    include,
    ...(require.length > 0 ? { require } : {}),
    ...(exclude.length > 0 ? { exclude } : {}),
  });
}

/**
 * A Cloudflare Access self-hosted application for exactly one hostname, with a reusable allow
 * policy attached by id. Every request to the hostname must carry a valid Access identity.
 */
export class CodeServerAccess extends Construct {
  /** The editor's own reusable allow policy, when `allow` has rules. */
  public readonly policy?: ZeroTrustAccessPolicy;
  /** The self-hosted Access application. */
  public readonly application: ZeroTrustAccessApplication;
  /** The SSH application, when `sshHostname` is given. */
  public readonly sshApplication?: ZeroTrustAccessApplication;
  /** The SSH application's certificate authority for short-lived certificates, when `sshHostname` is given. */
  public readonly sshCertificateAuthority?: ZeroTrustAccessShortLivedCertificate;

  constructor(scope: Construct, id: string, props: CodeServerAccessProps) {
    super(scope, id);
    // Props an editor resolved were checked there, once; a part built on its own checks them here.
    if (!isResolved(props)) resolveAccess(contextOf(this), props);

    const name = accessApplicationNameOf(props.applicationName, props.hostname);
    const idps = props.identityProviderIds ?? [];
    const provider = props.cloudflareProvider;
    this.policy = allowPolicy(this, 'Policy', { ...props, name: allowPolicyNameOf(name) });
    const policies = [...(this.policy ? [this.policy.id] : []), ...(props.policies ?? []).map((p) => p.policyId)]
      .map((policyId, i) => ({ id: policyId, precedence: i + 1 }));

    // The browser's application: its cookie is for the browser alone (code-server's pages never
    // read it, so HttpOnly); the SSH application's is read by cloudflared, so neither applies there.
    const browserCookies = {
      httpOnlyCookieAttribute: true,
      sameSiteCookieAttribute: props.sameSiteCookieAttribute ?? ACCESS_DEFAULTS.sameSiteCookieAttribute,
      enableBindingCookie: props.bindingCookie ?? ACCESS_DEFAULTS.bindingCookie,
    };
    const application = (appId: string, type: string, appName: string, hostnames: string[]) => new ZeroTrustAccessApplication(this, appId, {
      provider,
      accountId: props.cloudflareAccountId,
      name: appName,
      type,
      domain: hostnames[0],
      destinations: hostnames.map((uri) => ({ type: 'public', uri })),
      sessionDuration: props.sessionDuration ?? ACCESS_DEFAULTS.sessionDuration,
      appLauncherVisible: props.appLauncherVisible ?? ACCESS_DEFAULTS.appLauncherVisible,
      ...(idps.length > 0 ? { allowedIdps: idps } : {}),
      autoRedirectToIdentity: idps.length === 1,
      policies,
      ...(type === 'self_hosted' ? browserCookies : {}),
    });

    this.application = application('Application', 'self_hosted', name, [props.hostname, ...(props.previewHostnames ?? [])]);
    if (props.sshHostname !== undefined) {
      this.sshApplication = application('SshApplication', 'ssh', sshApplicationNameOf(name), [props.sshHostname]);
      this.sshCertificateAuthority = new ZeroTrustAccessShortLivedCertificate(this, 'SshCertificateAuthority', {
        provider,
        accountId: props.cloudflareAccountId,
        appId: this.sshApplication.id,
      });
    }
  }

  /** The application's audience tag (AUD): the origin accepts only Access tokens issued for it. */
  public get audience(): string {
    return this.application.aud;
  }
}
