import { TerraformVariable } from 'cdktf';
import type { IdleStop } from '../../../lib/idle-stop/idle-stop';
import { IDLE_STOP_DEFAULTS, idleStopOn, resolveIdleStop, validateIdleStop } from '../../../lib/private/idle-stop';
import { newStack } from '../../support/fixtures';

const ctx = { construct: 'test/CodeServer' };

/** A token as the props carry one: a sensitive variable's value. */
function tokenValue(): string {
  return new TerraformVariable(newStack(), 'idle_stop_token', { type: 'string', sensitive: true }).stringValue;
}

/** The error's message, or undefined when the check passes. */
function check(idleStop: IdleStop): string | undefined {
  try {
    validateIdleStop(ctx, idleStop);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('validateIdleStop', () => {
  const token = tokenValue();

  test.each([
    [2],
    [30],
    [10_080],
  ])('takes %p idle minutes with a token', (idleMinutes) => {
    const warning = idleMinutes <= IDLE_STOP_DEFAULTS.warningMinutes ? { warningMinutes: 1 } : {};
    expect(check({ idleMinutes, digitaloceanToken: token, ...warning })).toBeUndefined();
  });

  test.each([
    ['too short', 1, 'invalid idleStop.idleMinutes 1: expected whole minutes from 2 to 10080 (a week), or 0 for off'],
    ['longer than a week', 10_081, 'invalid idleStop.idleMinutes 10081: expected whole minutes from 2 to 10080'],
    ['negative', -5, 'invalid idleStop.idleMinutes -5'],
    ['a fraction', 2.5, 'invalid idleStop.idleMinutes 2.5'],
    ['not a number', Number.NaN, 'invalid idleStop.idleMinutes null'],
    ['a string with a unit', '30m' as unknown as number, 'invalid idleStop.idleMinutes "30m": expected whole minutes from 2 to 10080 (a week), or 0 for off, as a number (30, not "30m")'],
  ])('refuses idle minutes %s', (_, idleMinutes, message) => {
    expect(check({ idleMinutes, digitaloceanToken: token, warningMinutes: 1 })).toContain(message);
  });

  test.each([
    ['zero', 0, 'invalid idleStop.warningMinutes 0: expected whole minutes from 1 to 60'],
    ['over an hour', 61, 'invalid idleStop.warningMinutes 61'],
    ['as long as the idle time', 30, 'invalid idleStop.warningMinutes 30: must be less than idleMinutes (30)'],
    ['a string', '5' as unknown as number, 'invalid idleStop.warningMinutes "5"'],
  ])('refuses a warning %s', (_, warningMinutes, message) => {
    expect(check({ idleMinutes: 30, digitaloceanToken: token, warningMinutes })).toContain(message);
  });

  test('refuses an idle time no longer than the default warning unless a shorter warning is given', () => {
    expect(check({ idleMinutes: 5, digitaloceanToken: token })).toContain('invalid idleStop.idleMinutes 5: is no longer than the default warning (5 minutes)');
    expect(check({ idleMinutes: 5, digitaloceanToken: token, warningMinutes: 2 })).toBeUndefined();
  });

  test('requires a token while on', () => {
    expect(check({ idleMinutes: 30 })).toContain('invalid idleStop.digitaloceanToken undefined: is required while idle stop is on');
  });

  test('refuses a literal token, without repeating it in the message', () => {
    const message = check({ idleMinutes: 30, digitaloceanToken: 'dop_v1_secret' });
    expect(message).toContain('a literal token would be written into cdk.tf.json');
    expect(message).not.toContain('dop_v1_secret');
  });

  test.each([
    ['https://api.digitalocean.com', true],
    ['https://do-proxy.internal.example:8443', true],
    ['http://10.0.2.101', true],
    ['http://127.0.0.1:8080/', true],
    ['http://api.digitalocean.com', false],
    ['http://8.8.8.8', false],
    ['https://api.digitalocean.com/v2', false],
    ['ftp://10.0.0.1', false],
    ['not a url', false],
  ])('takes the API URL %s: %p', (digitaloceanApiUrl, accepted) => {
    const message = check({ idleMinutes: 30, digitaloceanToken: token, digitaloceanApiUrl });
    if (accepted) expect(message).toBeUndefined();
    else expect(message).toContain(`invalid idleStop.digitaloceanApiUrl ${JSON.stringify(digitaloceanApiUrl)}: expected the API's origin, https`);
  });

  test('0 is off, needs no token, and takes no other setting', () => {
    expect(check({ idleMinutes: 0 })).toBeUndefined();
    expect(idleStopOn({ idleMinutes: 0 })).toBe(false);
    expect(check({ idleMinutes: 0, warningMinutes: 3 })).toContain('invalid idleStop.warningMinutes 3: is used only while idle stop is on');
  });
});

describe('resolveIdleStop', () => {
  test('applies the defaults and takes the trailing slash off the API URL', () => {
    expect(resolveIdleStop({ idleMinutes: 30, digitaloceanToken: 'T', digitaloceanApiUrl: 'http://10.0.0.1/' }, 'ztcs-idle-x')).toEqual({
      idleMinutes: 30,
      warningMinutes: IDLE_STOP_DEFAULTS.warningMinutes,
      digitaloceanToken: 'T',
      digitaloceanApiUrl: 'http://10.0.0.1',
      markerTag: 'ztcs-idle-x',
    });
    expect(resolveIdleStop({ idleMinutes: 30, digitaloceanToken: 'T' }, 'm')?.digitaloceanApiUrl).toBe(IDLE_STOP_DEFAULTS.digitaloceanApiUrl);
  });

  test('is undefined when off or absent', () => {
    expect(resolveIdleStop(undefined, 'm')).toBeUndefined();
    expect(resolveIdleStop({ idleMinutes: 0 }, 'm')).toBeUndefined();
  });
});
