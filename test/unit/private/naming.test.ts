import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { previewHostnameOf, siblingHostname, sshHostnameOf } from '../../../lib/private/naming';

describe('siblingHostname', () => {
  test('changes the first label and keeps the rest, one level deep like the editor', () => {
    expect(siblingHostname('alice.code.example.com', (first) => `x-${first}`)).toBe('x-alice.code.example.com');
  });

  test('is done by Terraform when the hostname is a token', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'test');
    const hostname = new TerraformVariable(stack, 'hostname', { type: 'string' }).stringValue;

    // WHEN
    new TerraformOutput(stack, 'sibling', { value: siblingHostname(hostname, (first) => `${first}-ssh`) });

    // THEN
    expect(JSON.parse(Testing.synth(stack)).output.sibling.value).toBe('${replace(var.hostname, "/^([^.]+)/", "$1-ssh")}');
  });
});

describe('sshHostnameOf', () => {
  test.each([
    ['code.example.com', 'code-ssh.example.com'],
    ['alice.example.com', 'alice-ssh.example.com'],
  ])('gives %s the SSH hostname %s', (hostname, ssh) => {
    expect(sshHostnameOf(hostname)).toBe(ssh);
  });
});

describe('previewHostnameOf', () => {
  test.each<[string, number, string]>([
    ['alice.example.com', 3000, '3000-alice.example.com'],
    ['code.example.com', 5173, '5173-code.example.com'],
  ])('gives %s and port %p the preview hostname %s', (hostname, port, preview) => {
    expect(previewHostnameOf(hostname, port)).toBe(preview);
  });
});
