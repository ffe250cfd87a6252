import { Fn } from 'cdktf';
import { BOOT_LIBRARY, BOOT_PATHS } from '../private/boot/contract';
import { checkNoLiteralSecret, checkPattern, isUnresolved, PropContext, rejectProp } from '../private/validation';

/** When a boot step of the platform's own runs. */
export enum BootPhase {
  /** Once the home is ready and code-server is installed, before code-server starts: a failure stops the boot there (and the boot tries again on the next start). */
  BEFORE_EDITOR = 'before-editor',
  /** Once code-server and the tunnel are up, with the optional steps: a failure is logged, and the step is tried again on the next start. */
  AFTER_READY = 'after-ready',
}

/** Who a boot step's commands and files belong to. */
export enum BootUser {
  /** root. */
  ROOT = 'root',
  /** The developer's user (`userName`), with their home as HOME. */
  DEVELOPER = 'developer',
}

/** A file that a boot step writes. */
export interface BootFile {
  /** The absolute path; in the developer's home for their own files (`/home/<userName>/.npmrc`). */
  readonly path: string;
  /** The file's content, as is. */
  readonly content: string;
  /**
   * The file's mode, in octal.
   * @default "0644"
   */
  readonly permissions?: string;
  /**
   * Who owns the file.
   * @default - the step's `runAs`
   */
  readonly owner?: BootUser;
}

/**
 * A step of the platform's own in the boot, like `UserData.addCommands` of an EC2 instance: Debian
 * packages to install, files to write and commands to run, in that order. Steps run in the order
 * given, each once: like the boot's own steps, a finished step leaves a record and is not run
 * again on a later start, so its commands need not be idempotent, but should tolerate a rerun
 * after a reset cut them short.
 */
export interface BootStep {
  /** The step's name, a slug (`install-tools`): its script and its record are named after it. */
  readonly name: string;
  /**
   * Debian packages to install with apt (retried like the boot's own downloads).
   * @default - none
   */
  readonly packages?: string[];
  /**
   * Files to write, after the packages.
   * @default - none
   */
  readonly files?: BootFile[];
  /**
   * Shell commands (bash, `set -euo pipefail`) to run, after the files, one script.
   * @default - none
   */
  readonly commands?: string[];
  /**
   * Who runs the commands (and owns the files unless a file says otherwise). Packages are always
   * installed as root.
   * @default BootUser.ROOT
   */
  readonly runAs?: BootUser;
  /**
   * When the step runs.
   * @default BootPhase.BEFORE_EDITOR
   */
  readonly phase?: BootPhase;
}

/** A step as the boot carries it: its phase folder, its script's file name and the script. */
export interface RenderedBootStep {
  readonly phase: BootPhase;
  readonly fileName: string;
  readonly script: string;
}

const STEP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const PACKAGE = /^[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+~:-]+)?$/;
const FILE_PATH = /^\/[A-Za-z0-9._@/-]+$/;
const MODE = /^0?[0-7]{3}$/;

/** Checks the boot steps without building anything. */
export function validateBootSteps(ctx: PropContext, steps: readonly BootStep[]): void {
  const names = new Set<string>();
  steps.forEach((step, i) => {
    const prop = `bootSteps[${i}]`;
    checkPattern(ctx, `${prop}.name`, step.name, STEP_NAME, 'expected a slug of lower-case letters, digits and hyphens, e.g. "install-tools"');
    if (names.has(step.name)) rejectProp(ctx, `${prop}.name`, step.name, 'is the name of an earlier step; give each step its own');
    names.add(step.name);
    (step.packages ?? []).forEach((p, j) => checkPattern(ctx, `${prop}.packages[${j}]`, p, PACKAGE, 'expected a Debian package name, e.g. "postgresql-client" or "jq=1.7.1-3"'));
    (step.files ?? []).forEach((f, j) => {
      checkPattern(ctx, `${prop}.files[${j}].path`, f.path, FILE_PATH, 'expected an absolute path of letters, digits, ".", "_", "@", "-" and "/", e.g. "/etc/profile.d/company.sh"');
      if (f.path.split('/').includes('..')) rejectProp(ctx, `${prop}.files[${j}].path`, f.path, 'must not climb with ".."');
      if (f.permissions !== undefined) checkPattern(ctx, `${prop}.files[${j}].permissions`, f.permissions, MODE, 'expected an octal mode such as "0644" or "0755"');
      checkNoLiteralSecret(ctx, `${prop}.files[${j}].content`, f.content);
    });
    (step.commands ?? []).forEach((c, j) => checkNoLiteralSecret(ctx, `${prop}.commands[${j}]`, c));
    if ((step.packages ?? []).length + (step.files ?? []).length + (step.commands ?? []).length === 0) {
      rejectProp(ctx, prop, step, 'does nothing: give it packages, files or commands');
    }
  });
}

/** A here-document delimiter that none of the lines it closes is. */
function delimiterFor(text: string, base: string): string {
  let delimiter = base;
  for (let n = 1; text.split('\n').includes(delimiter); n++) delimiter = `${base}_${n}`;
  return delimiter;
}

function ownerOf(user: BootUser): string {
  return user === BootUser.DEVELOPER ? '"$CODE_USER:$CODE_USER"' : 'root:root';
}

/**
 * The lines that write one file: its folder, its content (base64: any byte, any line), its mode
 * and owner. A content that Terraform resolves (a sensitive variable's value) is encoded by
 * Terraform, so that only its reference is in cdk.tf.json.
 */
function fileLines(file: BootFile, runAs: BootUser): string[] {
  const content = isUnresolved(file.content) ? [Fn.base64encode(file.content)] : Buffer.from(file.content, 'utf8').toString('base64').match(/.{1,76}/g) ?? [];
  const path = `'${file.path}'`;
  return [
    `install -d "$(dirname ${path})"`,
    `base64 -d > ${path} <<'ZTCS_FILE'`,
    ...content,
    'ZTCS_FILE',
    `chmod ${file.permissions ?? '0644'} ${path}`,
    `chown ${ownerOf(file.owner ?? runAs)} ${path}`,
  ];
}

/** The script of one boot step: packages, then files, then commands, as the step's user. */
export function renderBootStep(step: BootStep, index: number): RenderedBootStep {
  const runAs = step.runAs ?? BootUser.ROOT;
  const phase = step.phase ?? BootPhase.BEFORE_EDITOR;
  const packages = step.packages ?? [];
  const commands = (step.commands ?? []).join('\n');
  const delimiter = delimiterFor(commands, 'ZTCS_COMMANDS');
  const lines = [
    '#!/bin/bash',
    `# Boot step "${step.name}" of the platform (bootSteps), run as ${runAs === BootUser.ROOT ? 'root' : 'the developer'}, ${phase}.`,
    'set -euo pipefail',
    '# The boot\'s settings and its retries; ZTCS_ETC and ZTCS_SCRIPTS point elsewhere only in tests.',
    '# shellcheck source=/dev/null',
    `. "\${ZTCS_ETC:-${BOOT_PATHS.etc}}/boot.env"`,
    '# shellcheck source=/dev/null',
    `. "\${ZTCS_SCRIPTS:-${BOOT_PATHS.scripts}}/${BOOT_LIBRARY}"`,
    ...(packages.length > 0 ? ['apt_retry update', `apt_retry install -y --no-install-recommends ${packages.join(' ')}`] : []),
    ...(step.files ?? []).flatMap((file) => fileLines(file, runAs)),
    ...(commands.length === 0
      ? []
      : runAs === BootUser.DEVELOPER
        ? [`runuser -u "$CODE_USER" -- env HOME="$CODE_HOME" bash -euo pipefail <<'${delimiter}'`, commands, delimiter]
        : [`bash -euo pipefail <<'${delimiter}'`, commands, delimiter]),
  ];
  return { phase, fileName: `${String(index + 1).padStart(2, '0')}-${step.name}.sh`, script: lines.join('\n') + '\n' };
}
