import { ZeroTrustAccessApplication } from '@cdktf/provider-cloudflare/lib/zero-trust-access-application';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { Construct } from 'constructs';
import { ACCESS_ID, AccessRuleSet, buildAccessRules, requireSomeRule, validateAccessRuleSet } from './rules';
import { checkPattern, isUnresolved, PropContext, rejectProp } from '../validation';

/** Props of {@link CodeServerAccess}. */
export interface CodeServerAccessProps {
  /** The Cloudflare account that owns the Access application and policy. */
  readonly accountId: string;
  /** The hostname the application protects, exactly (no wildcard, no path). */
  readonly hostname: string;
  /**
   * Who may sign in. At least one rule is required; a user matching any of them is let in,
   * subject to `require` and `exclude`.
   */
  readonly allow: AccessRuleSet;
  /**
   * Rules that every user must also match, e.g. an email domain on top of a GitHub team.
   * @default - no extra requirement
   */
  readonly require?: AccessRuleSet;
  /**
   * Rules that deny a user even when the allow rules match.
   * @default - nobody is excluded
   */
  readonly exclude?: AccessRuleSet;
  /**
   * Ids of the identity providers offered at sign-in. With exactly one, users go straight to it.
   * @default - every identity provider of the account
   */
  readonly identityProviderIds?: string[];
  /**
   * How long a sign-in lasts, in Cloudflare's duration format (`30m`, `24h`, `2h45m`).
   * @default "24h"
   */
  readonly sessionDuration?: string;
  /**
   * Whether the application appears in the user's Access App Launcher.
   * @default true
   */
  readonly appLauncherVisible?: boolean;
  /**
   * The name of the application and of its policy in the Zero Trust dashboard.
   * @default - "code-server <hostname>"
   */
  readonly name?: string;
}

const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const CTX: PropContext = { construct: 'CodeServerAccess' };

/** Checks the application's settings other than its rules: the session duration and the identity providers. */
export function validateAccessSettings(props: Pick<CodeServerAccessProps, 'sessionDuration' | 'identityProviderIds'>, ctx: PropContext): void {
  if (props.sessionDuration !== undefined) {
    checkPattern(ctx, 'sessionDuration', props.sessionDuration, DURATION, 'expected a duration such as "30m", "24h" or "2h45m"');
    if (!isUnresolved(props.sessionDuration) && !/[1-9]/.test(props.sessionDuration)) {
      rejectProp(ctx, 'sessionDuration', props.sessionDuration, 'must be longer than zero');
    }
  }
  (props.identityProviderIds ?? []).forEach((id, i) =>
    checkPattern(ctx, `identityProviderIds[${i}]`, id, ACCESS_ID, 'expected the id of a Cloudflare identity provider'),
  );
}

/** Checks the props of {@link CodeServerAccess} without building anything. */
export function validateCodeServerAccessProps(props: CodeServerAccessProps, ctx: PropContext = CTX): void {
  requireSomeRule(ctx, 'allow', props.allow);
  validateAccessRuleSet(ctx, 'allow', props.allow);
  validateAccessRuleSet(ctx, 'require', props.require);
  validateAccessRuleSet(ctx, 'exclude', props.exclude);
  validateAccessSettings(props, ctx);
}

/**
 * A Cloudflare Access self-hosted application for exactly one hostname, with a reusable allow
 * policy attached by id. Every request to the hostname must carry a valid Access identity.
 */
export class CodeServerAccess extends Construct {
  /** The reusable allow policy. */
  public readonly policy: ZeroTrustAccessPolicy;
  /** The self-hosted Access application. */
  public readonly application: ZeroTrustAccessApplication;

  constructor(scope: Construct, id: string, props: CodeServerAccessProps) {
    super(scope, id);
    validateCodeServerAccessProps(props);

    const name = props.name ?? `code-server ${props.hostname}`;
    const require = buildAccessRules(props.require);
    const exclude = buildAccessRules(props.exclude);
    const idps = props.identityProviderIds ?? [];

    this.policy = new ZeroTrustAccessPolicy(this, 'Policy', {
      accountId: props.accountId,
      name: `${name} allow`,
      decision: 'allow',
      include: buildAccessRules(props.allow),
      ...(require.length > 0 ? { require } : {}),
      ...(exclude.length > 0 ? { exclude } : {}),
    });

    this.application = new ZeroTrustAccessApplication(this, 'Application', {
      accountId: props.accountId,
      name,
      type: 'self_hosted',
      domain: props.hostname,
      destinations: [{ type: 'public', uri: props.hostname }],
      sessionDuration: props.sessionDuration ?? '24h',
      appLauncherVisible: props.appLauncherVisible ?? true,
      ...(idps.length > 0 ? { allowedIdps: idps } : {}),
      autoRedirectToIdentity: idps.length === 1,
      policies: [{ id: this.policy.id, precedence: 1 }],
    });
  }

  /** The application's audience tag (AUD): the origin accepts only Access tokens issued for it. */
  public get audience(): string {
    return this.application.aud;
  }
}
