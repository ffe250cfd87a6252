import { CloudConfigOptions } from '../../../../lib/boot/cloud-config';
import { CodeServerUserDataProps, resolveBootOptions } from '../../../../lib/boot/code-server-user-data';

/** The options a fragment is built from, for the given props. */
export function optionsOf(props: Partial<CodeServerUserDataProps & { homeVolumeLabel: string }> = {}): CloudConfigOptions {
  return resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 'tunnel-token', ...props });
}

export const IDLE_STOP = { idleMinutes: 30, warningMinutes: 5 };
