import { resolve as resolvePath } from 'path';
import { Annotations, TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { checkSharedSettings, memberAllowRules, memberHostname, TEAM_DEFAULTS, TeamMember, validateMembers } from './members';
import { KeptOutOfTerraform, readRosterFile, reconcileRoster, ROSTER_DEFAULTS, RosterEntry, TeamRoster, writeTeamRoster } from './roster';
import { allowedProps } from '../access/code-server-access';
import { AccessRuleSet } from '../access/rules';
import { checkHostnameDepth } from '../dns/tunnel-dns-record';
import { HomeVolume } from '../storage/home-volume';
import { checkPattern, contextOf, rejectProp } from '../validation';
import { checkHomeKept, EditorSettings, homeVolumeProps, outputPrefix, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../zero-trust-code-server';

/** Props of {@link CodeServerTeam}. */
export interface CodeServerTeamProps extends EditorSettings {
  /** The developers, one editor each. */
  readonly members: TeamMember[];
  /**
   * Where each member's editor lives: `{name}` is the member's name, `{zoneName}` the zone's domain.
   * Keep it one level below the zone (`{name}.{zoneName}`, `{name}-code.{zoneName}`): Cloudflare's
   * free certificates cover one level of subdomains only.
   * @default "{name}.{zoneName}"
   */
  readonly hostnamePattern?: string;
  /**
   * People allowed into every member's editor, besides the member: the platform team, say.
   * @default - each editor lets in its member only
   */
  readonly admins?: AccessRuleSet;
  /**
   * The team's roster: a JSON file, committed with the app like a lockfile, in which every
   * synthesis records each member whose home exists. It is how the next synthesis knows that a
   * member was removed from the list: their home volume is then kept, out of Terraform's hands
   * (a `removed` block with `destroy = false`), unless they left with `deleteHome` first. A
   * relative path is taken from the working directory (the cdktf project's folder). Teams of one
   * app may share the file: each has its own entry.
   * @default "ztcs-roster.json"
   */
  readonly rosterFile?: string;
}

/**
 * One private VS Code per developer of a team, from a list: shared settings, per-member overrides,
 * each editor at its own hostname that only its member (and the team's admins) can open. Construct
 * ids, and so Terraform addresses, derive from member names, so adding or removing one member
 * leaves the others' resources untouched.
 *
 * Stopping (`running: false`) keeps a member's home, hostname and sign-in; a `leaving` member keeps
 * only their protected home volume. The Terraform output `<id>-urls` maps each member to their URL.
 */
export class CodeServerTeam extends Construct {
  /** The editors of the members who have not left, by member name. */
  public readonly editors: Record<string, ZeroTrustCodeServer>;
  /** The home volumes kept for members who are leaving, by member name. */
  public readonly departedHomes: Record<string, HomeVolume>;
  /**
   * Members removed from the list without `deleteHome`, by name: the Terraform address of their
   * home volume, which Terraform forgets and DigitalOcean keeps (delete it there once it is no
   * longer needed).
   */
  public readonly releasedHomes: Record<string, string>;
  /** The roster file, as an absolute path. */
  public readonly rosterFile: string;

  constructor(scope: Construct, id: string, props: CodeServerTeamProps) {
    super(scope, id);
    const ctx = contextOf(this);
    const pattern = props.hostnamePattern ?? TEAM_DEFAULTS.hostnamePattern;
    checkPattern(ctx, 'hostnamePattern', pattern, /\{name\}/, 'must contain {name}, e.g. "{name}.{zoneName}"');
    const hostnameOf = (member: TeamMember) => memberHostname(pattern, member.name, props.zoneName);
    checkSharedSettings(ctx, props);
    if (props.members.length === 0) {
      rejectProp(ctx, 'members', props.members, 'a team needs at least one member, e.g. [{ name: "alice", email: "alice@example.com" }]; to stop everyone, set running: false');
    }
    checkHostnameDepth(ctx, 'hostnamePattern', hostnameOf(props.members[0]), props.zoneName, props);
    validateMembers(ctx, props.members, hostnameOf);
    props.members.forEach((member, i) => {
      if (member.leaving) checkHomeKept(ctx, props, { prop: `members[${i}].leaving`, value: member.leaving });
    });

    const { members, hostnamePattern: _pattern, admins, rosterFile, ...shared } = props;
    this.rosterFile = resolvePath(rosterFile ?? ROSTER_DEFAULTS.rosterFile);
    const previous = readRosterFile(this.rosterFile)[this.node.path] ?? {};
    members.forEach((member, i) => {
      if (previous[member.name]?.status === 'released') {
        rejectProp(ctx, `members[${i}].name`, member.name,
          `left earlier, and their home volume (${previous[member.name].homeVolume}) was kept outside Terraform: delete that volume in DigitalOcean, ` +
          `or import it at that address; then remove "${member.name}" from the team "${this.node.path}" in ${this.rosterFile}`);
      }
    });

    this.editors = {};
    this.departedHomes = {};
    this.releasedHomes = {};
    const current: TeamRoster = {};
    for (const member of members) {
      const editorProps: ZeroTrustCodeServerProps = {
        ...shared,
        hostname: hostnameOf(member),
        ...withoutUndefined({
          running: member.running,
          size: member.size,
          region: member.region,
          extensions: member.extensions,
          gitRepositories: member.gitRepositories,
          homeVolumeSizeGib: member.homeVolumeSizeGib,
        }),
        ...allowedProps(memberAllowRules(member, admins)),
      };
      let home: HomeVolume | undefined;
      if (!member.leaving) {
        this.editors[member.name] = new ZeroTrustCodeServer(this, member.name, editorProps);
        home = this.editors[member.name].homeVolume;
      } else if (props.homeVolume ?? true) {
        // The same path as inside the editor, so Terraform keeps the volume where it was.
        const departed = new Construct(this, member.name);
        home = this.departedHomes[member.name] = new HomeVolume(departed, 'HomeVolume', {
          ...homeVolumeProps(editorProps),
          ...(member.deleteHome ? { protectHomeVolume: false } : {}),
        });
      }
      current[member.name] = rosterEntryOf(member, home);
    }

    const change = reconcileRoster(previous, current);
    for (const { name, homeVolume } of change.released) {
      new KeptOutOfTerraform(this, `${name}-released-home`, homeVolume);
      this.releasedHomes[name] = homeVolume;
      Annotations.of(this).addWarning(
        `${name} is no longer a member: their home volume (${homeVolume}) is kept in DigitalOcean and released from Terraform. ` +
        'Snapshot or delete it there when it is no longer needed; to delete it through Terraform instead, offboard with leaving and deleteHome first.');
    }
    writeTeamRoster(this.rosterFile, this.node.path, change.roster);

    new TerraformOutput(this, 'urls', {
      value: Object.fromEntries(Object.entries(this.editors).map(([name, editor]) => [name, editor.url])),
      description: 'Each member\'s editor URL',
    }).overrideLogicalId(`${outputPrefix(id)}-urls`);
  }
}

/** What the roster records of a member: where they stand and the address of their home volume. */
function rosterEntryOf(member: TeamMember, home: HomeVolume | undefined): RosterEntry {
  const status = !member.leaving ? 'member' : member.deleteHome ? 'deleting-home' : 'leaving';
  return home ? { status, homeVolume: `${home.volume.terraformResourceType}.${home.volume.friendlyUniqueId}` } : { status };
}

/** The values that are set: a member's override left out means the team's setting. */
function withoutUndefined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
