import type { AccessRuleSet } from '../access/rules';
import { principalsOf, sshHostnameOf } from '../private/naming';
import { checkPattern, checkUnique, PropContext, rejectProp } from '../private/validation';

const PRINCIPAL = /^[A-Za-z0-9._+-]{1,64}$/;

/**
 * SSH through Cloudflare Access, still with no open port: an Access application of type `ssh` at
 * `hostname` under the same allow policy (Cloudflare renders a terminal in the browser;
 * `cloudflared access ssh` serves a laptop), a tunnel route to sshd on loopback, and short-lived
 * certificates from Access that sshd trusts instead of long-lived keys. Giving the group turns it on.
 */
export interface SshOptions {
  /**
   * Whether SSH through Access is on: `ssh: {}` turns it on; `false` turns a team's SSH off for one member.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The hostname of SSH through Access. Each editor's own.
   * @default - the editor's first label with "-ssh": `code-ssh.example.com` for `code.example.com`
   */
  readonly hostname?: string;
  /**
   * The certificate principals that may log in as the developer's user (Access issues
   * certificates whose principal is the part of the email before the "@"). Each editor's own.
   * @default - the part before the "@" of each of `access.allow.emails` (in a team: the member's and the admins')
   */
  readonly principals?: string[];
}

/** SSH of an editor, worked out: its hostname and principals, when on. */
export interface SshPlan {
  readonly hostname: string;
  readonly principals: string[];
}

/** Whether SSH through Access is on: the group given, and not turned off. */
export function sshOn(ssh: SshOptions | undefined): ssh is SshOptions {
  return ssh !== undefined && ssh.enabled !== false;
}

/** Checks certificate principals: parts of emails before the "@", none twice. */
export function checkPrincipals(ctx: PropContext, prop: string, principals: readonly string[]): void {
  principals.forEach((p, i) => checkPattern(ctx, `${prop}[${i}]`, p, PRINCIPAL, 'expected the part of an email before the "@", e.g. "alice"'));
  checkUnique(ctx, prop, [...principals]);
}

/**
 * Works out SSH through Access for an editor at `hostname` that lets in `allow`: undefined when
 * off. Refuses SSH without a principal, which no one could log in with.
 */
export function planSsh(ctx: PropContext, ssh: SshOptions | undefined, hostname: string, allow: AccessRuleSet | undefined): SshPlan | undefined {
  if (!sshOn(ssh)) return undefined;
  const principals = ssh.principals ?? principalsOf(allow?.emails ?? []);
  if (principals.length === 0) {
    rejectProp(ctx, 'ssh.principals', principals,
      'SSH through Access needs at least one principal: give ssh.principals, e.g. ["alice"], or access.allow.emails, whose parts before the "@" are the default');
  }
  checkPrincipals(ctx, 'ssh.principals', principals);
  return { hostname: ssh.hostname ?? sshHostnameOf(hostname), principals };
}
