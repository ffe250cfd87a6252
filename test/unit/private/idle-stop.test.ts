import { TerraformVariable } from 'cdktf';
import type { IdleStop } from '../../../lib/idle-stop/idle-stop';
import { IDLE_STOP_DEFAULTS, idleStopOn, resolveIdleStop, validateIdleStop } from '../../../lib/private/idle-stop';
import { newStack } from '../../support/fixtures';

const ctx = { construct: 'test/CodeServer' };

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
  test.each([
    [2],
    [30],
    [10_080],
  ])('takes %p idle minutes, and nothing else is needed', (idleMinutes) => {
    const warning = idleMinutes <= IDLE_STOP_DEFAULTS.warningMinutes ? { warningMinutes: 1 } : {};
    expect(check({ idleMinutes, ...warning })).toBeUndefined();
  });

  test.each([
    ['too short', 1, 'invalid idleStop.idleMinutes 1: expected whole minutes from 2 to 10080 (a week), or 0 for off'],
    ['longer than a week', 10_081, 'invalid idleStop.idleMinutes 10081: expected whole minutes from 2 to 10080'],
    ['negative', -5, 'invalid idleStop.idleMinutes -5'],
    ['a fraction', 2.5, 'invalid idleStop.idleMinutes 2.5'],
    ['not a number', Number.NaN, 'invalid idleStop.idleMinutes null'],
    ['a string with a unit', '30m' as unknown as number, 'invalid idleStop.idleMinutes "30m": expected whole minutes from 2 to 10080 (a week), or 0 for off, as a number (30, not "30m")'],
  ])('refuses idle minutes %s', (_, idleMinutes, message) => {
    expect(check({ idleMinutes, warningMinutes: 1 })).toContain(message);
  });

  test.each([
    ['zero', 0, 'invalid idleStop.warningMinutes 0: expected whole minutes from 1 to 60'],
    ['over an hour', 61, 'invalid idleStop.warningMinutes 61'],
    ['as long as the idle time', 30, 'invalid idleStop.warningMinutes 30: must be less than idleMinutes (30)'],
    ['a string', '5' as unknown as number, 'invalid idleStop.warningMinutes "5"'],
  ])('refuses a warning %s', (_, warningMinutes, message) => {
    expect(check({ idleMinutes: 30, warningMinutes })).toContain(message);
  });

  test('refuses an idle time no longer than the default warning unless a shorter warning is given', () => {
    expect(check({ idleMinutes: 5 })).toContain('invalid idleStop.idleMinutes 5: is no longer than the default warning (5 minutes)');
    expect(check({ idleMinutes: 5, warningMinutes: 2 })).toBeUndefined();
  });

  test.each([
    ['digitaloceanToken', () => new TerraformVariable(newStack(), 'idle_stop_token', { type: 'string', sensitive: true }).stringValue],
    ['digitaloceanToken', () => 'dop_v1_secret'],
    ['digitaloceanApiUrl', () => 'https://api.digitalocean.com'],
  ])('refuses the former %s, naming the control plane and never showing the value', (prop, value) => {
    const given = value();
    for (const idleMinutes of [30, 0]) {
      const message = check({ idleMinutes, [prop]: given } as IdleStop);
      expect(message).toContain(`invalid idleStop.${prop} "(not shown)": is no longer taken: the droplet holds no cloud credential; the control plane holds the DigitalOcean token`);
      expect(message).not.toContain(given);
    }
  });

  test('0 is off, and takes no other setting', () => {
    expect(check({ idleMinutes: 0 })).toBeUndefined();
    expect(idleStopOn({ idleMinutes: 0 })).toBe(false);
    expect(check({ idleMinutes: 0, warningMinutes: 3 })).toContain('invalid idleStop.warningMinutes 3: is used only while idle stop is on');
  });
});

describe('resolveIdleStop', () => {
  test('applies the defaults: the idle time and the warning, nothing else', () => {
    expect(resolveIdleStop({ idleMinutes: 30 })).toEqual({ idleMinutes: 30, warningMinutes: IDLE_STOP_DEFAULTS.warningMinutes });
    expect(resolveIdleStop({ idleMinutes: 45, warningMinutes: 10 })).toEqual({ idleMinutes: 45, warningMinutes: 10 });
  });

  test('is undefined when off or absent', () => {
    expect(resolveIdleStop(undefined)).toBeUndefined();
    expect(resolveIdleStop({ idleMinutes: 0 })).toBeUndefined();
  });
});
