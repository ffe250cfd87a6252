import { asset, BootFragment, file, WriteFile } from './fragment';
import { BOOT_ENTRY, BOOT_LIBRARY, BOOT_PATHS, BOOT_SEQUENCE, BOOT_STEPS, BuiltInBootStep, builtInStepName } from '../../private/boot/contract';
import type { RenderedBootStep } from '../boot-steps';
import type { CloudConfigOptions } from '../cloud-config';

/**
 * A step as boot.sh runs it, the boot's own or the platform's alike: the name of its record
 * (under `BOOT_PATHS.stepRecords`) and the command that does it.
 */
export interface ListedStep {
  readonly record: string;
  /** Shell words; `$steps` is the scripts folder. */
  readonly command: string;
}

/**
 * Steps boot.sh runs one after the other, up to the first that fails: that stops the boot, or,
 * with a warning, only warns and the boot goes on after the group.
 */
export interface StepGroup {
  readonly steps: ListedStep[];
  readonly warning?: string;
}

/** Where a step of the platform's own is written. */
export function platformStepPath(step: RenderedBootStep): string {
  return `${BOOT_PATHS.customSteps}/${step.phase}/${step.fileName}`;
}

/** The name of a platform step's record. */
export function platformStepRecord(step: RenderedBootStep): string {
  return `custom-${step.phase}-${step.fileName}`;
}

function builtInListed(step: BuiltInBootStep): ListedStep {
  return { record: builtInStepName(step), command: 'script' in step ? `"$steps/${step.script}"` : `systemctl enable --now ${step.unit}` };
}

function platformListed(step: RenderedBootStep): ListedStep {
  return { record: platformStepRecord(step), command: `"$steps/${platformStepPath(step).slice(BOOT_PATHS.scripts.length + 1)}"` };
}

/**
 * The boot as boot.sh runs it: BOOT_SEQUENCE, the platform's steps in their phases' places. A
 * phase whose failure only warns is one group: its first failure skips the rest of it.
 */
export function bootSequence(platformSteps: readonly RenderedBootStep[]): StepGroup[] {
  return BOOT_SEQUENCE.flatMap((entry): StepGroup[] => {
    if (!('platformSteps' in entry)) {
      return [{ steps: [builtInListed(entry)], ...('warning' in entry && entry.warning ? { warning: entry.warning } : {}) }];
    }
    const steps = platformSteps.filter((step) => step.phase === entry.platformSteps).map(platformListed);
    if (steps.length === 0) return [];
    return entry.warning ? [{ steps, warning: entry.warning }] : steps.map((step) => ({ steps: [step] }));
  });
}

/** The list boot.sh runs, one line per group, after its `step` function. */
export function renderStepList(groups: readonly StepGroup[]): string {
  const lines = groups.map(({ steps, warning }) => {
    const calls = steps.map((step) => `step ${step.record} ${step.command}`);
    if (warning === undefined) return calls.join('\n');
    const group = calls.length === 1 ? calls[0] : `{ ${calls.join(' && ')}; }`;
    return `${group} || echo "ztcs: ${warning}" >&2`;
  });
  return ['', '# The steps, in order: generated from BOOT_SEQUENCE (lib/boot/contract.ts) and bootSteps.', ...lines].join('\n') + '\n';
}

/** The scripts every document carries alike, read once per process: the retry library and the boot's own steps. */
const SHARED_SCRIPTS: readonly WriteFile[] = [BOOT_LIBRARY, ...BOOT_STEPS].map((name) => file(`${BOOT_PATHS.scripts}/${name}`, asset(name), '0755'));
const ENTRY = asset(BOOT_ENTRY);

/** boot.sh: its machinery, then the list of the steps it runs. */
export function bootEntry(platformSteps: readonly RenderedBootStep[]): string {
  return ENTRY + renderStepList(bootSequence(platformSteps));
}

/** The platform's own steps (bootSteps): a script each, in its phase's folder. */
export function platformStepsFragment(o: CloudConfigOptions): BootFragment {
  return { files: o.bootSteps.map((step) => file(platformStepPath(step), step.script, '0755')) };
}

/** The boot's scripts, written last: boot.sh with its list, then the scripts shared by every document. */
export function bootScriptFiles(o: CloudConfigOptions): { readonly entry: WriteFile; readonly shared: readonly WriteFile[] } {
  return { entry: file(`${BOOT_PATHS.scripts}/${BOOT_ENTRY}`, bootEntry(o.bootSteps), '0755'), shared: SHARED_SCRIPTS };
}
