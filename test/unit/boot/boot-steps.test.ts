import { BootPhase, BootUser, renderBootStep, validateBootSteps } from '../../../lib/boot/boot-steps';
import { PropContext } from '../../../lib/private/validation';

const CTX: PropContext = { construct: 'test/CodeServer/UserData' };

describe('renderBootStep', () => {
  test('names the script after its position and name, in the before-editor phase as root by default', () => {
    // WHEN
    const step = renderBootStep({ name: 'tools', commands: ['echo hi'] }, 2);

    // THEN
    expect([step.phase, step.fileName]).toEqual([BootPhase.BEFORE_EDITOR, '03-tools.sh']);
    expect(step.script).toContain("bash -euo pipefail <<'ZTCS_COMMANDS'\necho hi\nZTCS_COMMANDS\n");
    expect(step.script).not.toContain('runuser');
  });

  test('installs the packages with the boot\'s retries, before the files and the commands', () => {
    // WHEN
    const { script } = renderBootStep({ name: 'db', packages: ['postgresql-client', 'jq'], files: [{ path: '/etc/x', content: 'x' }], commands: ['psql --version'] }, 0);

    // THEN
    const order = ['apt_retry update', 'apt_retry install -y --no-install-recommends postgresql-client jq', "base64 -d > '/etc/x'", 'psql --version'].map((line) => script.indexOf(line));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('runs a developer\'s commands as the developer with their home, and gives them their files', () => {
    // WHEN
    const { script, phase } = renderBootStep({ name: 'npmrc', runAs: BootUser.DEVELOPER, phase: BootPhase.AFTER_READY, files: [{ path: '/home/coder/.npmrc', content: 'x' }], commands: ['npm -v'] }, 0);

    // THEN
    expect(phase).toBe(BootPhase.AFTER_READY);
    expect(script).toContain('runuser -u "$CODE_USER" -- env HOME="$CODE_HOME" bash -euo pipefail <<\'ZTCS_COMMANDS\'');
    expect(script).toContain('chown "$CODE_USER:$CODE_USER" \'/home/coder/.npmrc\'');
  });

  test('picks a here-document delimiter that no command line is', () => {
    // WHEN
    const { script } = renderBootStep({ name: 'odd', commands: ['echo a', 'ZTCS_COMMANDS', 'echo b'] }, 0);

    // THEN
    expect(script).toContain("<<'ZTCS_COMMANDS_1'\necho a\nZTCS_COMMANDS\necho b\nZTCS_COMMANDS_1\n");
  });
});

describe('validateBootSteps', () => {
  test.each<[string, unknown, string]>([
    ['a name that is not a slug', [{ name: 'My Step', commands: ['x'] }], 'invalid bootSteps[0].name "My Step": expected a slug'],
    ['a name given twice', [{ name: 'a', commands: ['x'] }, { name: 'a', commands: ['y'] }], 'invalid bootSteps[1].name "a": is the name of an earlier step'],
    ['a package that is not a Debian name', [{ name: 'a', packages: ['rm -rf /'] }], 'invalid bootSteps[0].packages[0] "rm -rf /": expected a Debian package name'],
    ['a relative file path', [{ name: 'a', files: [{ path: 'etc/x', content: '' }] }], 'invalid bootSteps[0].files[0].path "etc/x": expected an absolute path'],
    ['a path that climbs', [{ name: 'a', files: [{ path: '/home/../etc/x', content: '' }] }], 'invalid bootSteps[0].files[0].path "/home/../etc/x": must not climb'],
    ['a mode that is not octal', [{ name: 'a', files: [{ path: '/etc/x', content: '', permissions: '0999' }] }], 'invalid bootSteps[0].files[0].permissions "0999": expected an octal mode'],
    ['a step that does nothing', [{ name: 'a' }], 'invalid bootSteps[0] {"name":"a"}: does nothing'],
  ])('rejects %s, naming the prop and the value', (_why, steps, message) => {
    expect(() => validateBootSteps(CTX, steps as any)).toThrow(`test/CodeServer/UserData: ${message}`);
  });
});
