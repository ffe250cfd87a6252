import type { BootPhase } from '../../boot/boot-steps';

/**
 * The contract between the TypeScript that writes the boot and the shell scripts that run it:
 * every path, unit name, `boot.env` key and step that both sides name. The document is rendered
 * from this table, and the tests prove that the scripts read only what it writes.
 */
export const BOOT_PATHS = {
  /** The boot's own configuration folder; the scripts read `boot.env` from it. */
  etc: '/etc/ztcs',
  /** The environment file every script sources. */
  env: '/etc/ztcs/boot.env',
  /** VS Code settings to install when the user has none. */
  settings: '/etc/ztcs/settings.json',
  /** Where the scripts are written. */
  scripts: '/usr/local/lib/ztcs',
  /** The platform's own boot steps (bootSteps): a folder per phase, scripts run in name order. */
  customSteps: '/usr/local/lib/ztcs/custom',
  /** Written once code-server and the tunnel are up. */
  readyMarker: '/var/lib/ztcs/ready',
  /** One file per finished step of the boot (named as in BOOT_STEP_RECORDS), holding when it finished. */
  stepRecords: '/var/lib/ztcs/steps',
  /** code-server's configuration file. */
  codeServerConfig: '/etc/code-server/config.yaml',
  /** The root-only file that holds the tunnel token as TUNNEL_TOKEN=…, read by systemd. */
  tunnelToken: '/etc/cloudflared/tunnel.env',
  /** sshd's settings (loopback only, and SSH through Access); read before the distribution's own (50-cloud-init.conf). */
  sshdConfig: '/etc/ssh/sshd_config.d/40-ztcs.conf',
  /** The public key of the certificate authority whose short-lived certificates sshd accepts. */
  sshCertificateAuthority: '/etc/ssh/ztcs-ca.pub',
  /** The folder of files naming, per user, the certificate principals allowed to log in as that user. */
  sshPrincipals: '/etc/ssh/ztcs-principals',
} as const;

/** The systemd units the boot writes and starts. */
export const BOOT_UNITS = {
  /** Runs boot.sh until it has finished; cloud-init's runcmd enables and starts it. */
  boot: 'ztcs-boot.service',
  codeServer: 'code-server.service',
  cloudflared: 'cloudflared-tunnel.service',
} as const;

/** The distribution's units the boot restarts or enables, besides its own. */
export const SYSTEM_UNITS = ['ssh.socket', 'ssh.service', 'unattended-upgrades.service'] as const;

/** The port code-server listens on, on loopback only; the tunnel forwards to it. */
export const CODE_SERVER_PORT = 8080;
/** The port sshd listens on, on loopback only, for SSH through Access. */
export const SSHD_PORT = 22;

/**
 * DigitalOcean's metadata service, which serves the droplet's user data (the tunnel token, the
 * only credential it holds) to any process that asks. A routing rule refuses it to every uid from
 * `firstRefusedUid` on (the developer's, since developerUid is 1000 or more, and any account of
 * theirs), from the first thing the boot does on every boot; root and the system's accounts
 * (cloud-init, DigitalOcean's monitoring agent, which runs as `do-agent` and reads its token there)
 * keep it.
 */
export const METADATA_SERVICE = {
  address: '169.254.169.254',
  firstRefusedUid: 1000,
  /** The rule's priority: before the main table's lookup (32766), after the local table's (0). */
  rulePriority: 90,
} as const;

/** The script the boot unit runs: the machinery of the steps, followed by their list (BOOT_SEQUENCE). */
export const BOOT_ENTRY = 'boot.sh';

/** The library of retries that the steps which download source. */
export const BOOT_LIBRARY = 'retry.sh';

/**
 * A step of the boot's own: a script of the scripts folder, or the start of a unit. The name is
 * its record's (under `BOOT_PATHS.stepRecords`) and its name in the boot's log. An optional step
 * (`warning`) only warns when it fails, and is tried again on the next start.
 */
export type BuiltInBootStep =
  | { readonly script: string; readonly warning?: string }
  | { readonly unit: string };

/** Where the platform's own steps (bootSteps) of a phase go in BOOT_SEQUENCE. */
export interface PlatformStepsSlot {
  readonly platformSteps: `${BootPhase}`;
  /** The warning when one of them fails; without it a failure stops the boot there. */
  readonly warning?: string;
}

/**
 * The boot, in the order boot.sh runs it: the critical path (home, SSH, the tunnel, code-server,
 * readiness), then the optional steps. The tunnel comes up before code-server is installed, so
 * SSH through Access reaches a droplet whose code-server failed. The one list: boot.sh runs what
 * is generated from it (lib/boot/fragments/sequence.ts) and holds no step of its own.
 */
export const BOOT_SEQUENCE: ReadonlyArray<BuiltInBootStep | PlatformStepsSlot> = [
  { script: 'prepare-home.sh' },
  { script: 'configure-ssh.sh' },
  { script: 'install-cloudflared.sh' },
  { unit: BOOT_UNITS.cloudflared },
  { script: 'install-code-server.sh' },
  { platformSteps: 'before-editor' },
  { unit: BOOT_UNITS.codeServer },
  { script: 'wait-ready.sh' },
  { platformSteps: 'after-ready', warning: 'a boot step of the platform did not finish; the editor is up without it' },
  { script: 'personalize.sh', warning: 'personalization did not finish; the editor is up without it' },
  { script: 'enable-security-updates.sh', warning: 'unattended security updates could not be turned on' },
];

/** The boot's own steps of BOOT_SEQUENCE, in order. */
export const BUILT_IN_STEPS: readonly BuiltInBootStep[] = BOOT_SEQUENCE.filter((entry): entry is BuiltInBootStep => !('platformSteps' in entry));

/** The name of a step of the boot's own: its script's, or its unit's. */
export function builtInStepName(step: BuiltInBootStep): string {
  return 'script' in step ? step.script : step.unit;
}

/** The scripts of the boot's own steps, in the order boot.sh runs them. */
export const BOOT_STEPS: readonly string[] = BUILT_IN_STEPS.flatMap((step) => ('script' in step ? [step.script] : []));

/**
 * The records boot.sh keeps under `BOOT_PATHS.stepRecords` for the boot's own steps, in the
 * order it runs them: each step by its script's name, and the starts of the two services by
 * their units' names.
 */
export const BOOT_STEP_RECORDS: readonly string[] = BUILT_IN_STEPS.map(builtInStepName);

/** The keys of `boot.env`, in the order they are written. */
export const BOOT_ENV_KEYS = [
  'CODE_USER',
  'CODE_HOME',
  'WORKSPACE',
  'CODE_SERVER_VERSION',
  'CODE_SERVER_SHA256',
  'CODE_SERVER_PORT',
  'CODE_SERVER_DEB_URL',
  'CLOUDFLARED_APT_REPOSITORY',
  'CLOUDFLARED_KEY_URL',
  'CLOUDFLARED_KEY_FINGERPRINT',
  'EXTENSIONS',
  'GIT_REPOSITORIES',
  'DOTFILES_REPOSITORY',
  'HOME_VOLUME_LABEL',
  'READY_MARKER',
] as const;

/** One key of `boot.env`. */
export type BootEnvKey = (typeof BOOT_ENV_KEYS)[number];

/** With an idle stop: the paths its scripts and the document share. */
export const IDLE_PATHS = {
  /** The idle stop's settings (no secret), sourced by its scripts. */
  env: '/etc/ztcs/idle.env',
  /** The watcher's records: the last SSH session seen, the warning given, the stop. */
  state: '/var/lib/ztcs/idle',
  /** The notice of a coming stop, readable by everyone, removed once there is activity again. */
  notice: '/run/ztcs-idle-warning',
  /** The developer's command to postpone the stop: `ztcs-keep-running 3h`. */
  keepRunningCommand: '/usr/local/bin/ztcs-keep-running',
} as const;

/** With an idle stop: its units. */
export const IDLE_UNITS = {
  /** Runs idle-watch.sh once. */
  watch: 'ztcs-idle-watch.service',
  /** Starts the watch every IDLE_CHECK_SECONDS; runcmd enables it. */
  timer: 'ztcs-idle-watch.timer',
} as const;

/** How often the watcher looks for activity. */
export const IDLE_CHECK_SECONDS = 30;

/** The idle stop's scripts, written into the scripts folder; keep-running.sh is also the developer's command. */
export const IDLE_SCRIPTS = ['idle-watch.sh', 'keep-running.sh'] as const;

/** The keys of `idle.env`, in the order they are written. */
export const IDLE_ENV_KEYS = [
  'IDLE_MINUTES',
  'WARNING_MINUTES',
  'HEARTBEAT_FILE',
  'KEEP_RUNNING_FILE',
  'SSHD_PORT',
  'HOME_MOUNT_UNIT',
  'STATE_DIR',
  'NOTICE_FILE',
] as const;

/** One key of `idle.env`. */
export type IdleEnvKey = (typeof IDLE_ENV_KEYS)[number];
