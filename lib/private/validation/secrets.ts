import { PropContext, propError } from './errors';

/**
 * Literal credentials that must never be written into cdk.tf.json, each with what it is: the
 * prefixes the issuers document (GitHub, GitLab, DigitalOcean, AWS, Slack), a Cloudflare Tunnel
 * token (base64 JSON that starts `{"a":"`), a private key, an HTTP `Authorization` header with a
 * literal value, and an assignment of a literal to a variable that names a Cloudflare API token
 * (Cloudflare's own tokens have no prefix to recognise them by).
 */
export const LITERAL_SECRETS: ReadonlyArray<{ readonly what: string; readonly pattern: RegExp }> = [
  { what: 'a GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
  { what: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { what: 'a DigitalOcean token', pattern: /\bdo[opr]_v1_[0-9a-f]{64}/ },
  { what: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'a Cloudflare Tunnel token', pattern: /\beyJhIjoi[A-Za-z0-9+/=]{20,}/ },
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'an Authorization header with a literal value', pattern: /Authorization:\s*(Bearer|Basic|token|Token)\s+[A-Za-z0-9._~+/=-]{8,}/i },
  { what: 'a Cloudflare API token', pattern: /\b(CLOUDFLARE|CF)_API_(TOKEN|KEY)\s*=\s*['"]?[A-Za-z0-9_-]{37,}/ },
];

/** Query parameters that carry a credential in a URL. */
const CREDENTIAL_PARAMETERS = /[?&](access_token|private_token|token|key|api_key|apikey|password|secret|sig|signature|x-amz-signature|x-amz-credential)=/i;
/** A URL with a user (and maybe a password or a token) before the host, also around a Terraform token. */
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/** The way to a secret on the droplet that keeps it out of cdk.tf.json. */
const THE_WAY = 'pass a sensitive Terraform variable\'s value instead, e.g. as the content of a boot step\'s file (a deploy key written to ~/.ssh as the developer), '
  + 'as docs/security.md, "Private repositories", shows';

/** What literal credential a text holds, or undefined: the first of LITERAL_SECRETS that matches. */
export function literalSecretIn(text: string): string | undefined {
  return LITERAL_SECRETS.find((s) => s.pattern.test(text))?.what;
}

/**
 * Refuses a text that holds a literal credential, naming the prop and what was found, never the
 * value. A Terraform token in the text is no literal: its value is not in cdk.tf.json.
 */
export function checkNoLiteralSecret(ctx: PropContext, prop: string, text: string): void {
  const what = literalSecretIn(text);
  if (what !== undefined) throw propError(ctx, prop, `(${what}, not shown)`, `holds ${what}, which would be written into cdk.tf.json in the clear: ${THE_WAY}`);
}

/**
 * Refuses a URL with credentials: a user or password before the host, or a credential in the
 * query, literal or a Terraform token alike (git would show it in the process list and keep it
 * in the clone's .git/config), or any literal credential.
 */
export function checkUrlWithoutCredentials(ctx: PropContext, prop: string, url: string): void {
  if (USERINFO.test(url) || CREDENTIAL_PARAMETERS.test(url)) {
    throw propError(ctx, prop, '(a URL with credentials, not shown)',
      `carries credentials, which would be written into cdk.tf.json, the process list and the clone's .git/config: give the URL without them, e.g. "https://github.com/acme/app.git"; for a private repository, ${THE_WAY}`);
  }
  checkNoLiteralSecret(ctx, prop, url);
}
