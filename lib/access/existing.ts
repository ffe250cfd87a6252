import { Construct } from 'constructs';
import { UUID } from '../private/access-rules';
import { checkPattern, contextOf, detachOnError } from '../private/validation';

/** A reusable Cloudflare Access policy: a company-wide one, a team's admins'. */
export interface IAccessPolicy {
  /** The policy's id, a UUID. */
  readonly policyId: string;
}

/** An Access group defined in Cloudflare Zero Trust, which a rule set matches the members of. */
export interface IAccessGroup {
  /** The group's id, a UUID. */
  readonly groupId: string;
}

/** A reusable Access policy that exists already, to attach to editors: see {@link AccessPolicy.fromPolicyId}. */
export class AccessPolicy extends Construct implements IAccessPolicy {
  /**
   * A reusable Access policy that exists already (made in the dashboard, or elsewhere in the app:
   * a `ZeroTrustAccessPolicy`'s `id`). The id's form is checked here, naming the prop and value.
   */
  public static fromPolicyId(scope: Construct, id: string, policyId: string): IAccessPolicy {
    return new AccessPolicy(scope, id, policyId);
  }

  private constructor(scope: Construct, id: string, public readonly policyId: string) {
    super(scope, id);
    detachOnError(this, () => checkPattern(contextOf(this), 'policyId', policyId, UUID, 'expected the id (a UUID) of a reusable Access policy, e.g. "0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b"'));
  }
}

/** An Access group that exists already, for rule sets: see {@link AccessGroup.fromGroupId}. */
export class AccessGroup extends Construct implements IAccessGroup {
  /** An Access group defined in Cloudflare Zero Trust. The id's form is checked here, naming the prop and value. */
  public static fromGroupId(scope: Construct, id: string, groupId: string): IAccessGroup {
    return new AccessGroup(scope, id, groupId);
  }

  private constructor(scope: Construct, id: string, public readonly groupId: string) {
    super(scope, id);
    detachOnError(this, () => checkPattern(contextOf(this), 'groupId', groupId, UUID, 'expected the id (a UUID) of an Access group, e.g. "0e1f9e3a-5c5e-4bd8-8f4a-1c2d3e4f5a6b"'));
  }
}
