import { CODE_SERVER_PORT, SSHD_PORT } from '../private/boot/contract';
import { previewHostnameOf } from '../private/naming';
import { checkIntegerRange, checkUnique, PropContext, rejectProp } from '../private/validation';

/**
 * Dev servers on the droplet to open in the browser, each at its own hostname
 * (`<port>-<first label>.<zone>`, e.g. `3000-code.example.com`), covered by the editor's Access
 * application: one sign-in for all. Without them, code-server's `/absproxy/<port>/` path serves a
 * dev server through the editor's own hostname.
 */
export interface PreviewOptions {
  /** The dev servers' ports, e.g. `[3000, 5173]`. */
  readonly ports: number[];
}

/** A dev server preview: its port and hostname. */
export interface Preview {
  readonly port: number;
  readonly hostname: string;
}

/** Checks the preview ports (real ports, none of the droplet's own services, none twice) and gives each its hostname. */
export function planPreviews(ctx: PropContext, previews: PreviewOptions | undefined, hostname: string): Preview[] {
  const ports = previews?.ports ?? [];
  ports.forEach((port, i) => {
    checkIntegerRange(ctx, `previews.ports[${i}]`, port, 1, 65_535);
    if (port === CODE_SERVER_PORT || port === SSHD_PORT) {
      rejectProp(ctx, `previews.ports[${i}]`, port, `is ${port === SSHD_PORT ? 'sshd' : 'code-server'} itself, already reachable; use a dev server's port, e.g. 3000 or 5173`);
    }
  });
  checkUnique(ctx, 'previews.ports', ports.map(String));
  return ports.map((port) => ({ port, hostname: previewHostnameOf(hostname, port) }));
}
