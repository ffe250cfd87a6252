import { AccessGroup, AccessPolicy, ZeroTrustCodeServer } from '../../../lib';
import { GROUP_ID, newStack, onlyResource, resourceCount, synthJson, thrownBy, validProps } from '../../support/fixtures';

const POLICY_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('AccessPolicy.fromPolicyId', () => {
  test('gives the policy by its id, as a construct that builds nothing', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const policy = AccessPolicy.fromPolicyId(stack, 'Company', POLICY_ID);

    // THEN
    expect(policy.policyId).toBe(POLICY_ID);
    expect(resourceCount(synthJson(stack))).toBe(0);
  });

  test('is attached to an editor after its own policy', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ access: { policies: [AccessPolicy.fromPolicyId(stack, 'Company', POLICY_ID)] } }));

    // THEN
    expect(onlyResource(synthJson(stack), 'cloudflare_zero_trust_access_application').policies.map((p: any) => p.id)[1]).toBe(POLICY_ID);
  });

  test('refuses an id that is not a UUID, naming the prop and the value, and adds nothing', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const error = thrownBy(() => AccessPolicy.fromPolicyId(stack, 'Company', 'company-policy'));

    // THEN
    expect(error.message).toContain('test/Company: invalid policyId "company-policy": expected the id (a UUID) of a reusable Access policy');
    expect(stack.node.tryFindChild('Company')).toBeUndefined();
  });
});

describe('AccessGroup.fromGroupId', () => {
  test('is matched by an editor\'s allow rules', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    new ZeroTrustCodeServer(stack, 'CodeServer', validProps({ access: { allow: { groups: [AccessGroup.fromGroupId(stack, 'Developers', GROUP_ID)] } } }));

    // THEN
    expect(onlyResource(synthJson(stack), 'cloudflare_zero_trust_access_policy').include).toEqual([{ group: { id: GROUP_ID } }]);
  });

  test('refuses an id that is not a UUID, naming the prop and the value, and adds nothing', () => {
    // GIVEN
    const stack = newStack();

    // WHEN
    const error = thrownBy(() => AccessGroup.fromGroupId(stack, 'Developers', 'group/1'));

    // THEN
    expect(error.message).toContain('test/Developers: invalid groupId "group/1": expected the id (a UUID) of an Access group');
    expect(stack.node.tryFindChild('Developers')).toBeUndefined();
  });
});
