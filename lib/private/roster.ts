import { existsSync, readFileSync, writeFileSync } from 'fs';
import { TerraformElement } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';

/** The defaults of a team's roster, for documentation and tests. */
export const ROSTER_DEFAULTS = {
  rosterFile: 'ztcs-roster.json',
  /** The environment variable that says what a synthesis may do with the roster (see {@link rosterModeOf}). */
  modeVariable: 'ZTCS_ROSTER',
} as const;

/**
 * Where a member stands, as the last synthesis saw them: `member` (an editor), `leaving` (only the
 * protected home kept), `deleting-home` (leaving with `deleteHome`: the protection lifted),
 * `released` (removed from the list without `deleteHome`: the home volume was handed out of
 * Terraform's hands with a `removed` block, and still exists), `removed` (removed from the list
 * with nothing kept: no home volume, or one deleted on purpose).
 */
export type RosterStatus = 'member' | 'leaving' | 'deleting-home' | 'released' | 'removed';

/** What the roster remembers of one member. */
export interface RosterEntry {
  readonly status: RosterStatus;
  /** The Terraform address of the member's home volume, when the team keeps homes on volumes. */
  readonly homeVolume?: string;
  /** The member's home is only on their droplet's disk (`Home.onDropletDisk()`), and may not go (not `disposable`). */
  readonly homeOnDroplet?: boolean;
  /** The name the member had before a rename: their resources are moved from its addresses, on every synthesis. */
  readonly previously?: string;
  /** In a fleet, the member's stack when it is not `<fleet>-<name>` (a renamed member keeps theirs). */
  readonly stack?: string;
}

/** The members of one team, by name. */
export type TeamRoster = Record<string, RosterEntry>;

/** The file: every team of an app, by its construct path. */
interface RosterFile {
  readonly '//': string;
  readonly 'version': 1;
  readonly 'teams': Record<string, TeamRoster>;
}

const NOTE =
  'Written by cdktf-zero-trust-code-server at synthesis: every member of each team whose home exists. ' +
  'Commit it with the app, like a lockfile: it is how removing a member from the list keeps their home.';

/**
 * What a synthesis may do with the roster, from `ZTCS_ROSTER`: `frozen` (the default when `CI` is
 * set): any change is an error, like `npm ci` with a stale lockfile; `update` (the default
 * elsewhere): changes are written; `new`: as `update`, and a team the roster does not record is
 * taken as a new team (a first synthesis, a test).
 */
export type RosterMode = 'frozen' | 'update' | 'new';

const MODES: readonly RosterMode[] = ['frozen', 'update', 'new'];

/** The roster mode an environment asks for. */
export function rosterModeOf(env: Record<string, string | undefined>): RosterMode {
  const asked = env[ROSTER_DEFAULTS.modeVariable];
  if (asked !== undefined && asked !== '') {
    if (!(MODES as readonly string[]).includes(asked)) {
      throw new Error(`${ROSTER_DEFAULTS.modeVariable}=${JSON.stringify(asked)}: expected one of ${MODES.join(', ')}`);
    }
    return asked as RosterMode;
  }
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false' ? 'frozen' : 'update';
}

/** The roster file's teams; undefined when the file does not exist. */
export function readRosterFile(path: string): Record<string, TeamRoster> | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as RosterFile;
  if (parsed.version !== 1 || typeof parsed.teams !== 'object' || parsed.teams === null) {
    throw new Error(`${path}: not a roster of this library (version 1 with "teams"); restore it from version control`);
  }
  return parsed.teams;
}

function sortedRoster(roster: TeamRoster): TeamRoster {
  return Object.fromEntries(Object.keys(roster).sort().map((name) => [name, roster[name]]));
}

/** Writes one team's roster into the file (none: the team's entry is taken out), leaving the other teams' as they are; writes nothing when nothing changed. */
export function writeTeamRoster(path: string, team: string, roster: TeamRoster | undefined): void {
  const teams = readRosterFile(path) ?? {};
  const sorted = roster && sortedRoster(roster);
  if (JSON.stringify(teams[team]) === JSON.stringify(sorted)) return;
  const { [team]: _old, ...others } = teams;
  const file: RosterFile = { '//': NOTE, 'version': 1, 'teams': sorted ? { ...others, [team]: sorted } : others };
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n');
}

/**
 * The entries that differ between two rosters of a team, one line each (`+ name`, `- name`,
 * `~ name`, with the entries as JSON), as a stale lockfile's check lists them.
 */
export function rosterDifferences(previous: TeamRoster, next: TeamRoster): string[] {
  const names = [...new Set([...Object.keys(previous), ...Object.keys(next)])].sort();
  return names.flatMap((name) => {
    const before = previous[name] && JSON.stringify(previous[name]);
    const after = next[name] && JSON.stringify(next[name]);
    if (before === after) return [];
    if (before === undefined) return [`+ ${name} ${after}`];
    if (after === undefined) return [`- ${name} ${before}`];
    return [`~ ${name} ${before} -> ${after}`];
  });
}

/** What a synthesis does with the roster: the entries to write, the homes to keep out of Terraform's hands. */
export interface RosterChange {
  readonly roster: TeamRoster;
  /** Members gone from the list whose home volume stays, with the address to release. */
  readonly released: Array<{ readonly name: string; readonly homeVolume: string }>;
  /** Members gone from the list with nothing kept (no home volume, or one deleted on purpose). */
  readonly removed: string[];
  /** Members gone from the list whose only copy of the home is on their droplet's disk. */
  readonly homesOnDroplets: string[];
}

/**
 * Compares the roster of the last synthesis with the members of this one. A member who is gone
 * from the list keeps their home unless the last synthesis had lifted its protection
 * (`deleteHome`): it is released, and stays in the roster as `released` for good, so that the
 * `removed` block is written again by every later synthesis, applied or not. A member gone with
 * nothing to keep stays as `removed` (in a fleet, their stack stays, and its deploy deletes what
 * they had). A member renamed (`previously`) takes their old name's entry.
 */
export function reconcileRoster(previous: TeamRoster, current: TeamRoster): RosterChange {
  const roster: TeamRoster = { ...current };
  const released: Array<{ name: string; homeVolume: string }> = [];
  const removed: string[] = [];
  const homesOnDroplets: string[] = [];
  const renamedFrom = new Set(Object.values(current).map((entry) => entry.previously));
  for (const [name, entry] of Object.entries(previous)) {
    if (name in current || renamedFrom.has(name)) continue;
    const { homeOnDroplet: _onDroplet, ...kept } = entry;
    if (entry.status === 'released' || (entry.homeVolume !== undefined && entry.status !== 'deleting-home')) {
      roster[name] = { ...kept, status: 'released' };
      released.push({ name, homeVolume: entry.homeVolume! });
    } else {
      if (entry.homeOnDroplet) homesOnDroplets.push(name);
      const { homeVolume: _home, ...rest } = kept;
      roster[name] = { ...rest, status: 'removed' };
      removed.push(name);
    }
  }
  return { roster, released, removed, homesOnDroplets };
}

/**
 * Terraform's `removed` block with `destroy = false`: Terraform forgets the resource at `from`
 * and leaves the real object as it is. A block for an address that is not in the state does
 * nothing, so it may stay in the configuration for good.
 */
export class KeptOutOfTerraform extends TerraformElement {
  constructor(scope: Construct, id: string, private readonly from: string) {
    super(scope, id);
  }

  public toTerraform(): any {
    return { removed: [{ from: this.from, lifecycle: { destroy: false } }] };
  }

  public toHclTerraform(): any {
    return this.toTerraform();
  }
}

/**
 * Terraform's `moved` block: the object at `from` in the state is the one at `to` now, so a
 * renamed address keeps its object. A block whose `from` is not in the state does nothing.
 */
export class MovedAddress extends TerraformElement {
  constructor(scope: Construct, id: string, private readonly from: string, private readonly to: string) {
    super(scope, id);
  }

  public toTerraform(): any {
    return { moved: [{ from: this.from, to: this.to }] };
  }

  public toHclTerraform(): any {
    return this.toTerraform();
  }
}

/** What a {@link RosterWriter} writes, and what it checks before. */
export interface RosterWriterProps {
  /** The roster file, an absolute path. */
  readonly path: string;
  /** The team's key in the file (its construct path). */
  readonly key: string;
  /** The team's entries of the last synthesis. */
  readonly previous: TeamRoster;
  /** The team's entries after this synthesis. */
  readonly roster: TeamRoster;
  /** What this synthesis may do with the roster. */
  readonly mode: RosterMode;
}

/**
 * Writes a team's roster when its stack is synthesized, not when the team is built: a team built
 * and never synthesized (a test, a failed validation) leaves the file as it was. Frozen (CI), a
 * synthesis that would change the team's entries fails in validation, which cdktf runs before.
 */
export class RosterWriter extends Construct {
  constructor(scope: Construct, id: string, props: RosterWriterProps) {
    super(scope, id);
    this.node.addValidation({
      validate: () => {
        const differences = rosterDifferences(props.previous, props.roster);
        if (props.mode !== 'frozen' || differences.length === 0) return [];
        return [
          `${props.key}: the roster ${props.path} is frozen (CI is set, or ${ROSTER_DEFAULTS.modeVariable}=frozen) and this synthesis would change ` +
          `the team's entries:\n  ${differences.join('\n  ')}\nSynthesize where the roster may be written (${ROSTER_DEFAULTS.modeVariable}=update), ` +
          'review the change and commit the roster with the app, as a lockfile.',
        ];
      },
    });
    addCustomSynthesis(this, { onSynthesize: () => writeTeamRoster(props.path, props.key, props.roster) });
  }
}
