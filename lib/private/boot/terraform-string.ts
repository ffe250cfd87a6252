// cdktf marks an unresolved string token as ${TfToken[...]}; everything else is literal text.
const TOKEN_MARKER = /(\$\{TfToken\[[^\]]*\]\})/;

/**
 * Escapes the literal parts of a string for Terraform, leaving cdktf tokens alone. cdktf writes
 * literal text as is, and Terraform would read `${` and `%{` in it (shell parameter expansions,
 * for instance) as interpolations and template directives.
 */
export function escapeTerraformTemplate(value: string): string {
  return value
    .split(TOKEN_MARKER)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')))
    .join('');
}
