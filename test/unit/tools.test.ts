import { describeTier, missingNeeds } from '../support/tools';

// The one helper every tier decides with: run, skip with a message outside CI, or fail in CI.

describe('describeTier', () => {
  const absent = { tier: 'the test tier', commands: ['ztcs-no-such-tool'], install: 'Install it with: nothing.' };
  let ci: string | undefined;
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    ci = process.env.CI;
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    stderr.mockRestore();
  });

  test('each kind of need is reported missing by name', () => {
    expect(missingNeeds({
      tier: 't',
      commands: ['sh', 'ztcs-no-such-tool'],
      files: [{ path: '/ztcs/no/such/file', what: 'a provider' }, { path: __filename, what: 'this file' }],
      probe: () => 'a registry',
      install: '',
    })).toEqual(['ztcs-no-such-tool (not on PATH)', 'a provider (/ztcs/no/such/file)', 'a registry']);
  });

  test('a tier whose needs are met runs', () => {
    process.env.CI = 'true';
    expect(describeTier({ tier: 't', commands: ['sh'], files: [{ path: __filename, what: 'this file' }], install: '' })).toBe(describe);
  });

  test('outside CI a missing need skips, with a message naming it and how to get it', () => {
    delete process.env.CI;
    expect(describeTier(absent)).toBe(describe.skip);
    expect(stderr).toHaveBeenCalledWith('Skipping the test tier, missing here: ztcs-no-such-tool (not on PATH). Install it with: nothing.\n');
  });

  test('in CI a missing need is an error, unless the tier cannot be required there', () => {
    process.env.CI = 'true';
    expect(() => describeTier(absent)).toThrow('CI must run the test tier, missing here: ztcs-no-such-tool (not on PATH)');
    expect(describeTier({ ...absent, requiredInCi: false })).toBe(describe.skip);
  });

  test('root is a need of its own, with the reason', () => {
    const uid = jest.spyOn(process, 'getuid');
    try {
      uid.mockReturnValue(1000);
      expect(missingNeeds({ tier: 't', root: 'to switch users', install: '' })).toEqual(['root (to switch users)']);
      uid.mockReturnValue(0);
      expect(missingNeeds({ tier: 't', root: 'to switch users', install: '' })).toEqual([]);
    } finally {
      uid.mockRestore();
    }
  });
});
