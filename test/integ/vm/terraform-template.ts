/**
 * Renders a string of the synthesized Terraform JSON as Terraform would at apply: each `${…}`
 * interpolation becomes the value of the test's choice for that expression, and the escapes
 * `$${` and `%%{` become the literal `${` and `%{`. An interpolation with no value, or a template
 * directive, is an error: the test must know every value the document depends on.
 */
export function renderTerraformString(template: string, valueOf: (expression: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      out += template[i] + '{';
      i += 3;
    } else if (template.startsWith('${', i)) {
      const end = template.indexOf('}', i);
      if (end < 0) throw new Error(`unterminated interpolation at ${i}: ${template.slice(i, i + 40)}`);
      const expression = template.slice(i + 2, end).trim();
      const value = valueOf(expression);
      if (value === undefined) throw new Error(`no test value for the interpolation \${${expression}}`);
      out += value;
      i = end + 1;
    } else if (template.startsWith('%{', i)) {
      throw new Error(`unexpected template directive at ${i}: ${template.slice(i, i + 40)}`);
    } else {
      out += template[i];
      i += 1;
    }
  }
  return out;
}
