import { existsSync, readFileSync, writeFileSync } from 'fs';
import { TerraformElement } from 'cdktf';
import { Construct } from 'constructs';

/** The defaults of a team's roster, for documentation and tests. */
export const ROSTER_DEFAULTS = {
  rosterFile: 'ztcs-roster.json',
} as const;

/**
 * Where a member stands, as the last synthesis saw them: `member` (an editor), `leaving` (only the
 * protected home kept), `deleting-home` (leaving with `deleteHome`: the protection lifted),
 * `released` (removed from the list without `deleteHome`: the home volume was handed out of
 * Terraform's hands with a `removed` block, and still exists).
 */
export type RosterStatus = 'member' | 'leaving' | 'deleting-home' | 'released';

/** What the roster remembers of one member. */
export interface RosterEntry {
  readonly status: RosterStatus;
  /** The Terraform address of the member's home volume, when the team keeps homes on volumes. */
  readonly homeVolume?: string;
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

/** The roster file's teams; none when it does not exist yet. */
export function readRosterFile(path: string): Record<string, TeamRoster> {
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as RosterFile;
  if (parsed.version !== 1 || typeof parsed.teams !== 'object' || parsed.teams === null) {
    throw new Error(`${path}: not a roster of this library (version 1 with "teams"); restore it from version control`);
  }
  return parsed.teams;
}

/** Writes one team's roster into the file, leaving the other teams' as they are; writes nothing when nothing changed. */
export function writeTeamRoster(path: string, team: string, roster: TeamRoster): void {
  const teams = readRosterFile(path);
  const sorted = Object.fromEntries(Object.keys(roster).sort().map((name) => [name, roster[name]]));
  if (JSON.stringify(teams[team]) === JSON.stringify(sorted)) return;
  const file: RosterFile = { '//': NOTE, 'version': 1, 'teams': { ...teams, [team]: sorted } };
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n');
}

/** What a synthesis does with the roster: the entries to write, the homes to keep out of Terraform's hands, the homes deleted on purpose. */
export interface RosterChange {
  readonly roster: TeamRoster;
  /** Members gone from the list whose home volume stays, with the address to release. */
  readonly released: Array<{ readonly name: string; readonly homeVolume: string }>;
  /** Members gone from the list after `deleteHome`: their home volume is deleted, as asked. */
  readonly deleted: string[];
}

/**
 * Compares the roster of the last synthesis with the members of this one. A member who is gone
 * from the list keeps their home unless the last synthesis had lifted its protection
 * (`deleteHome`): it is released, and stays in the roster as `released` for good, so that the
 * `removed` block is written again by every later synthesis, applied or not.
 */
export function reconcileRoster(previous: TeamRoster, current: TeamRoster): RosterChange {
  const roster: TeamRoster = { ...current };
  const released: Array<{ name: string; homeVolume: string }> = [];
  const deleted: string[] = [];
  for (const [name, entry] of Object.entries(previous)) {
    if (name in current) continue;
    if (entry.status === 'deleting-home') {
      deleted.push(name);
    } else if (entry.homeVolume !== undefined) {
      roster[name] = { status: 'released', homeVolume: entry.homeVolume };
      released.push({ name, homeVolume: entry.homeVolume });
    }
  }
  return { roster, released, deleted };
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
