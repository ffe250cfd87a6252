import { resolve as resolvePath } from 'path';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { Annotations, TerraformOutput, Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkSharedSettings, memberHostname, memberPrincipals, TEAM_DEFAULTS, TeamMember, validateMembers } from './members';
import { KeptOutOfTerraform, readRosterFile, reconcileRoster, ROSTER_DEFAULTS, RosterEntry, TeamRoster, writeTeamRoster } from './roster';
import { allowPolicy } from '../access/code-server-access';
import { AccessRuleSet, buildAccessRules, validateAccessRuleSet } from '../access/rules';
import { checkHostnameDepth } from '../dns/tunnel-dns-record';
import type { IdleStop } from '../idle-stop/idle-stop';
import { HomeVolume } from '../storage/home-volume';
import { checkPattern, contextAt, PropContext, rejectProp, Site, siteOf, siteWithin } from '../validation';
import {
  checkHomeKept,
  DepartedEditor,
  EditorSettings,
  outputPrefix,
  planDepartedEditor,
  planEditor,
  ZeroTrustCodeServer,
  ZeroTrustCodeServerProps,
} from '../zero-trust-code-server';

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
   * People allowed into every member's editor, besides the member: the platform team, say. They
   * form one reusable Access policy (`adminPolicy`) that every editor attaches after its member's
   * own; the team's `requireRules` and `excludeRules` apply to it too.
   * @default - each editor lets in its member only
   */
  readonly admins?: AccessRuleSet;
  /**
   * Ids of existing reusable Access policies to attach to every editor, after the member's own
   * and the admins': a company-wide policy, for instance.
   * @default - none
   */
  readonly accessPolicyIds?: string[];
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
 * leaves the others' resources untouched. The admins are one shared Access policy, attached to
 * every editor after the member's own.
 *
 * Stopping (`running: false`) keeps a member's home, hostname and sign-in; a `leaving` member keeps
 * only their protected home volume; a member removed from the list keeps their home outside
 * Terraform (see `rosterFile`). Every member's props are checked before anything is built. The
 * Terraform output `<id>-urls` maps each member to their URL.
 */
export class CodeServerTeam extends Construct {
  /** The editors of the members who have not left, by member name. */
  public readonly editors: Record<string, ZeroTrustCodeServer>;
  /** What is kept of the members who are leaving (their home volumes), by member name. */
  public readonly departed: Record<string, DepartedEditor>;
  /** The Access policy of the team's `admins`, attached to every editor; none without admins. */
  public readonly adminPolicy?: ZeroTrustAccessPolicy;
  /**
   * Members removed from the list without `deleteHome`, by name: the Terraform address of their
   * home volume, which Terraform forgets and DigitalOcean keeps (delete it there once it is no
   * longer needed).
   */
  public readonly releasedHomes: Record<string, string>;
  /** The roster file, as an absolute path. */
  public readonly rosterFile: string;

  constructor(scope: Construct, id: string, props: CodeServerTeamProps) {
    const site = siteOf(scope);
    const plan = planTeam(site, id, props, () => siteWithin(site, id));

    super(scope, id);
    this.rosterFile = plan.rosterPath;
    this.adminPolicy = allowPolicy(this, 'AdminPolicy', { ...props, allow: props.admins, name: `code-server ${this.node.path} admins` });

    ({ editors: this.editors, departed: this.departed, releasedHomes: this.releasedHomes } =
      buildMembers(plan, props.members, () => this, this.adminPolicy?.id, this.node.path));

    addUrlsOutput(this, id, Object.fromEntries(Object.entries(this.editors).map(([name, editor]) => [name, editor.url])));
  }
}

/**
 * The output of a team's editor URLs, a map of member to URL. The map goes in as a token: cdktf
 * checks a plain map with `util.isArray`, deprecated in Node.js 22 (DEP0044), which would print a
 * warning on every synthesis, as `[ERROR]` lines from the cdktf CLI.
 */
export function addUrlsOutput(scope: Construct, teamId: string, urls: Record<string, string>): TerraformOutput {
  const output = new TerraformOutput(scope, 'urls', { value: Token.asAny(urls), description: 'Each member\'s editor URL' });
  output.overrideLogicalId(`${outputPrefix(teamId)}-urls`);
  return output;
}

/** What checking a team's props works out: its roster, and how each member's editor props derive from the team's. */
export interface TeamPlan {
  readonly ctx: PropContext;
  readonly rosterPath: string;
  /** The roster of the last synthesis, of this team. */
  readonly previous: TeamRoster;
  /** A member's editor props, given the id of the admins' policy (none without admins). */
  editorPropsOf(member: TeamMember, adminPolicyId: string | undefined): ZeroTrustCodeServerProps;
}

/**
 * Checks a team's props, every member's editor included, before anything is built: a bad member
 * leaves no team behind. `memberSite` says where each member's editor will be built (in the team
 * itself, or in a stack of the member's own).
 */
export function planTeam(site: Site, id: string, props: CodeServerTeamProps, memberSite: (member: TeamMember) => Site): TeamPlan {
  const ctx = contextAt(site, id);
  const pattern = props.hostnamePattern ?? TEAM_DEFAULTS.hostnamePattern;
  checkPattern(ctx, 'hostnamePattern', pattern, /\{name\}/, 'must contain {name}, e.g. "{name}.{zoneName}"');
  const hostnameOf = (member: TeamMember) => memberHostname(pattern, member.name, props.zoneName);
  checkSharedSettings(ctx, props);
  if (props.members.length === 0) {
    rejectProp(ctx, 'members', props.members, 'a team needs at least one member, e.g. [{ name: "alice", email: "alice@example.com" }]; to stop everyone, set running: false');
  }
  checkHostnameDepth(ctx, 'hostnamePattern', hostnameOf(props.members[0]), props.zoneName, props);
  validateMembers(ctx, props.members, hostnameOf);
  validateAccessRuleSet(ctx, props.admins, (field) => `admins.${field}`);

  const { members, hostnamePattern: _pattern, admins, rosterFile, accessPolicyIds, ...shared } = props;
  const rosterPath = resolvePath(rosterFile ?? ROSTER_DEFAULTS.rosterFile);
  const previous = readRosterFile(rosterPath)[ctx.construct] ?? {};
  const hasAdmins = buildAccessRules(admins).length > 0;
  const editorPropsOf = (member: TeamMember, adminPolicyId: string | undefined): ZeroTrustCodeServerProps => {
    const { name: _name, email, leaving: _leaving, deleteHome: _deleteHome, ...overrides } = member;
    const settings: EditorSettings = { ...shared, ...withoutUndefined(overrides), ...idleStopOf(shared.idleStop, overrides.idleStop) };
    return {
      ...settings,
      hostname: hostnameOf(member),
      allow: { emails: [email] },
      accessPolicyIds: [...(adminPolicyId ? [adminPolicyId] : []), ...(accessPolicyIds ?? [])],
      ...(settings.sshAccess ? { sshPrincipals: memberPrincipals(member, admins) } : {}),
    };
  };
  members.forEach((member, i) => {
    if (previous[member.name]?.status === 'released') {
      rejectProp(ctx, `members[${i}].name`, member.name,
        `left earlier, and their home volume (${previous[member.name].homeVolume}) was kept outside Terraform: delete that volume in DigitalOcean, ` +
        `or import it at that address; then remove "${member.name}" from the team "${ctx.construct}" in ${rosterPath}`);
    }
    const editorProps = editorPropsOf(member, hasAdmins ? PLACEHOLDER_POLICY_ID : undefined);
    if (member.leaving) {
      checkHomeKept(ctx, editorProps, { prop: `members[${i}].leaving`, value: member.leaving });
      if (editorProps.homeVolume ?? true) planDepartedEditor(memberSite(member), member.name, { ...editorProps, deleteHome: member.deleteHome });
    } else {
      planEditor(memberSite(member), member.name, editorProps);
    }
  });
  return { ctx, rosterPath, previous, editorPropsOf };
}

/** What building a team's members gives: their editors, what is kept of those who leave, and the homes released. */
export interface BuiltMembers {
  readonly editors: Record<string, ZeroTrustCodeServer>;
  readonly departed: Record<string, DepartedEditor>;
  readonly releasedHomes: Record<string, string>;
}

/**
 * Builds each member's editor (construct id: the member's name) in the scope `holderOf` gives for
 * them, or what is kept of it once they leave; keeps the home of each member gone from the list
 * outside Terraform, with a warning; and writes the roster under `rosterKey`.
 */
export function buildMembers(
  plan: TeamPlan, members: TeamMember[], holderOf: (name: string) => Construct, adminPolicyId: string | undefined, rosterKey: string,
): BuiltMembers {
  const built: BuiltMembers = { editors: {}, departed: {}, releasedHomes: {} };
  const current: TeamRoster = {};
  for (const member of members) {
    const scope = holderOf(member.name);
    const editorProps = plan.editorPropsOf(member, adminPolicyId);
    let home: HomeVolume | undefined;
    if (!member.leaving) {
      built.editors[member.name] = new ZeroTrustCodeServer(scope, member.name, editorProps);
      home = built.editors[member.name].homeVolume;
    } else if (editorProps.homeVolume ?? true) {
      built.departed[member.name] = new DepartedEditor(scope, member.name, { ...editorProps, deleteHome: member.deleteHome });
      home = built.departed[member.name].homeVolume;
    }
    current[member.name] = rosterEntryOf(member, home);
  }
  const change = reconcileRoster(plan.previous, current);
  for (const { name, homeVolume } of change.released) {
    const holder = holderOf(name);
    new KeptOutOfTerraform(holder, `${name}-released-home`, homeVolume);
    built.releasedHomes[name] = homeVolume;
    Annotations.of(holder).addWarning(
      `${name} is no longer a member: their home volume (${homeVolume}) is kept in DigitalOcean and released from Terraform. ` +
      'Snapshot or delete it there when it is no longer needed; to delete it through Terraform instead, offboard with leaving and deleteHome first.');
  }
  writeTeamRoster(plan.rosterPath, rosterKey, change.roster);
  return built;
}

/** Stands in for the admin policy's id while members are checked, before the policy exists. */
const PLACEHOLDER_POLICY_ID = '00000000-0000-4000-8000-000000000000';

/** What the roster records of a member: where they stand and the address of their home volume. */
function rosterEntryOf(member: TeamMember, home: HomeVolume | undefined): RosterEntry {
  const status = !member.leaving ? 'member' : member.deleteHome ? 'deleting-home' : 'leaving';
  return home ? { status, homeVolume: `${home.volume.terraformResourceType}.${home.volume.friendlyUniqueId}` } : { status };
}

/** A member's idle stop over the team's: what the member leaves out (the token) is the team's. */
function idleStopOf(team: IdleStop | undefined, member: IdleStop | undefined): { idleStop?: IdleStop } {
  return team && member ? { idleStop: { ...team, ...withoutUndefined(member) } as IdleStop } : {};
}

/** The values that are set: a member's override left out means the team's setting. */
function withoutUndefined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
