import { Fn } from 'cdktf';
import { isUnresolved } from './validation';

/**
 * A hostname next to the editor's, one level deep like it, so that Cloudflare's free certificate
 * for the zone covers it: the first label changed, the rest kept (`code.example.com` with
 * `{label}-ssh` gives `code-ssh.example.com`). Done by Terraform when the hostname is a token.
 */
export function siblingHostname(hostname: string, label: (first: string) => string): string {
  if (isUnresolved(hostname)) {
    const marker = 'ZTCSFIRSTLABEL';
    const [before, after] = label(marker).split(marker);
    return Fn.replace(hostname, '/^([^.]+)/', `${before}$1${after}`);
  }
  const dot = hostname.indexOf('.');
  return `${label(hostname.slice(0, dot))}${hostname.slice(dot)}`;
}

/** The default hostname of SSH through Access: `<first label>-ssh.<rest>`. */
export function sshHostnameOf(hostname: string): string {
  return siblingHostname(hostname, (first) => `${first}-ssh`);
}

/** The hostname of a dev server preview: `<port>-<first label>.<rest>`. */
export function previewHostnameOf(hostname: string, port: number): string {
  return siblingHostname(hostname, (first) => `${port}-${first}`);
}
