import { Lazy, Token } from 'cdktf';
import { escapeTerraformTemplate } from '../../../../lib/private/boot/terraform-string';

describe('escapeTerraformTemplate', () => {
  test('escapes ${ as $${ so Terraform reads shell expansions literally', () => {
    expect(escapeTerraformTemplate('echo "${HOME}" ${a[@]}')).toBe('echo "$${HOME}" $${a[@]}');
  });

  test('escapes %{ as %%{ so Terraform reads no template directive', () => {
    expect(escapeTerraformTemplate('printf "%{x}"')).toBe('printf "%%{x}"');
  });

  test('leaves text without ${ or %{ alone, $VAR and $(cmd) included', () => {
    expect(escapeTerraformTemplate('echo $HOME $(id) 100% {x}')).toBe('echo $HOME $(id) 100% {x}');
  });

  test('leaves a cdktf token marker ${TfToken[TOKEN.n]} alone', () => {
    expect(escapeTerraformTemplate('TUNNEL_TOKEN=${TfToken[TOKEN.42]}')).toBe('TUNNEL_TOKEN=${TfToken[TOKEN.42]}');
  });

  test('escapes the literal parts around a token marker', () => {
    expect(escapeTerraformTemplate('${A} ${TfToken[TOKEN.7]} %{B}')).toBe('$${A} ${TfToken[TOKEN.7]} %%{B}');
  });

  test('leaves a real unresolved cdktf string token alone', () => {
    const token = Lazy.stringValue({ produce: () => 'x' });
    expect(Token.isUnresolved(token)).toBe(true);
    expect(escapeTerraformTemplate(`a ${token} \${b}`)).toBe(`a ${token} $\${b}`);
  });
});
