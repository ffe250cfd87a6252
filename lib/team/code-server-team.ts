import { resolve as resolvePath } from 'path';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { Annotations, TerraformOutput, TerraformResource, TerraformStack, Token } from 'cdktf';
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { Construct, IConstruct } from 'constructs';
import { asMemberError, checkSharedSettings, MEMBER_NAME, memberPrincipals, memberSettings, TEAM_DEFAULTS, TeamMember, validateMembers } from './members';
import { allowPolicy } from '../access/code-server-access';
import type { ICodeServerControlPlane } from '../control-plane';
import { bindControlPlane, checkIdleStopHasControlPlane } from '../control-plane/start-on-visit';
import type { IAccessPolicy } from '../access/existing';
import type { AccessRuleSet } from '../access/rules';
import { checkHostnameDepth } from '../dns/tunnel-dns-record';
import { buildAccessRules, validateAccessRuleSet } from '../private/access-rules';
import { adminPolicyNameOf, memberHostname, outputPrefix } from '../private/naming';
import {
  KeptOutOfTerraform,
  MovedAddress,
  readRosterFile,
  reconcileRoster,
  ROSTER_DEFAULTS,
  RosterEntry,
  rosterDifferences,
  RosterMode,
  rosterModeOf,
  TeamRoster,
  writeTeamRoster,
} from '../private/roster';
import { checkPattern, contextAt, PropContext, rejectProp, Site, siteOf, siteWithin } from '../private/validation';
import { sshOn } from '../ssh/ssh-options';
import { homeSpecOf } from '../storage/home';
import { HomeVolume } from '../storage/home-volume';
import { checkHomeKept, DepartedEditor, EditorSettings, planDepartedEditor, planEditor, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../zero-trust-code-server';

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
   * own, before the team's `access.policies`; the team's `access.requireRules` and
   * `access.excludeRules` apply to it too.
   * @default - each editor lets in its member only
   */
  readonly admins?: AccessRuleSet;
  /**
   * The team's roster: a JSON file, committed with the app like a lockfile, in which every
   * synthesis records each member whose home exists. It is how the next synthesis knows that a
   * member was removed from the list: their home volume is then kept, out of Terraform's hands
   * (a `removed` block with `destroy = false`), unless they left with `deleteHome` first. A
   * relative path is taken from the working directory (the cdktf project's folder). Teams of one
   * app may share the file: each has its own entry. As a lockfile: a team it does not record is
   * refused (see `newTeam`); with `CI` set (or `ZTCS_ROSTER=frozen`) a synthesis that would change
   * it fails, listing the entries; a team it records in the stack that the app no longer builds
   * (a changed construct id) is an error naming the old id.
   * @default "ztcs-roster.json"
   */
  readonly rosterFile?: string;
  /**
   * Whether this is a new team, which the roster does not record yet. A team that the roster
   * does not record is refused otherwise: a roster lost, never committed or read from another
   * folder would let the next deploy delete the homes of members removed from the list. Set it
   * for the team's first synthesis only (it is refused once the roster records the team);
   * `ZTCS_ROSTER=new` in the environment does the same for one run.
   * @default false
   */
  readonly newTeam?: boolean;
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
  /** With `controlPlane`: the control plane of every member's editor (`ControlPlane.create` makes it here, in the team's stack). */
  public readonly controlPlane?: ICodeServerControlPlane;

  constructor(scope: Construct, id: string, props: CodeServerTeamProps) {
    const site = siteOf(scope);
    const plan = planTeam(site, id, props, () => siteWithin(site, id));

    super(scope, id);
    this.rosterFile = plan.rosterPath;
    this.controlPlane = bindControlPlane(this, props);
    this.adminPolicy = adminPolicyOf(this, props);

    ({ editors: this.editors, departed: this.departed, releasedHomes: this.releasedHomes } =
      buildMembers(plan, props.members, () => this, this.adminPolicy, this.node.path));
    checkNoTeamLeftBehind(this, plan, this.node.path, TerraformStack.of(this).node.path);

    addUrlsOutput(this, id, Object.fromEntries(Object.entries(this.editors).map(([name, editor]) => [name, editor.url])));
  }
}

/** The Access policy of a team's `admins` in `team` (the team's construct), under the team's sign-in rules; none without admins. */
export function adminPolicyOf(team: Construct, props: CodeServerTeamProps): ZeroTrustAccessPolicy | undefined {
  return allowPolicy(team, 'AdminPolicy', {
    ...props.access,
    ...props.providers,
    cloudflareAccountId: props.cloudflareAccountId,
    allow: props.admins,
    name: adminPolicyNameOf(team.node.path),
  });
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
  /** Whether the roster recorded the team before this synthesis. */
  readonly recorded: boolean;
  /** What this synthesis may do with the roster. */
  readonly mode: RosterMode;
  /** The name each renamed member had before, by their name now (from the props, or the roster's record of an earlier rename). */
  readonly formerNames: Record<string, string>;
  /** A member's editor props, given the admins' policy (none without admins). */
  editorPropsOf(member: TeamMember, adminPolicy: IAccessPolicy | undefined): ZeroTrustCodeServerProps;
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
  checkIdleStopHasControlPlane(ctx, props);
  if (props.members.length === 0) {
    rejectProp(ctx, 'members', props.members, 'a team needs at least one member, e.g. [{ name: "alice", email: "alice@example.com" }]; to stop everyone, set running: false');
  }
  checkHostnameDepth(ctx, 'hostnamePattern', hostnameOf(props.members[0]), props.zoneName, props.dns ?? {});
  validateMembers(ctx, props.members, hostnameOf);
  validateAccessRuleSet(ctx, props.admins, (field) => `admins.${field}`);

  const { members, hostnamePattern: _pattern, admins, rosterFile, newTeam, ...shared } = props;
  const rosterPath = resolvePath(rosterFile ?? ROSTER_DEFAULTS.rosterFile);
  const mode = rosterModeOf(process.env);
  const teams = readRosterFile(rosterPath);
  const recorded = teams?.[ctx.construct];
  checkRecorded(ctx, rosterPath, teams, recorded !== undefined, newTeam, mode);
  const previous = recorded ?? {};
  const formerNames = checkRenames(ctx, members, previous, rosterPath);
  const hasAdmins = buildAccessRules(admins).length > 0;
  const editorPropsOf = (member: TeamMember, adminPolicy: IAccessPolicy | undefined): ZeroTrustCodeServerProps => {
    const settings = memberSettings(shared, member);
    const access = settings.access ?? {};
    // SSH lets in the member and the admins, unless the member names their own principals.
    const ssh = sshOn(settings.ssh) && settings.ssh.principals === undefined
      ? { ssh: { ...settings.ssh, principals: memberPrincipals(member, admins) } }
      : {};
    return {
      ...settings,
      hostname: hostnameOf(member),
      access: { ...access, allow: { emails: [member.email] }, policies: [...(adminPolicy ? [adminPolicy] : []), ...(access.policies ?? [])] },
      ...ssh,
    };
  };
  members.forEach((member, i) => {
    if (previous[member.name]?.status === 'released') {
      rejectProp(ctx, `members[${i}].name`, member.name,
        `was removed from the list, and the roster ${rosterPath} says their home volume (${previous[member.name].homeVolume}) is released from Terraform. ` +
        'If that removal was only synthesized, never deployed, the volume is still in the state: restore the roster from version control ' +
        `(git checkout -- ${rosterPath}) and synthesize again. If it was deployed, the volume is kept in DigitalOcean outside Terraform: ` +
        'add them under another name with home: Home.existing(HomeVolume.fromVolumeAttributes(this, "<name>-home", { volumeId: "<its id>" })) ' +
        '(doctl compute volume list), which attaches it as their home');
    }
    const editorProps = editorPropsOf(member, hasAdmins ? PLACEHOLDER_POLICY : undefined);
    if (member.leaving) {
      const home = homeSpecOf(editorProps.home);
      checkHomeKept(ctx, home, { prop: `members[${i}].leaving`, value: member.leaving });
      if (home.kind === 'volume') asMemberError(member, i, () => planDepartedEditor(memberSite(member), member.name, { ...editorProps, deleteHome: member.deleteHome }));
    } else {
      asMemberError(member, i, () => planEditor(memberSite(member), member.name, editorProps));
    }
  });
  const names = new Set(members.map((m) => m.name));
  for (const [name, entry] of Object.entries(previous)) {
    if (!names.has(name) && !Object.values(formerNames).includes(name) && entry.homeOnDroplet) {
      rejectProp(ctx, 'members', members.map((m) => m.name),
        `leaves out "${name}", whose home is only on their droplet's disk (Home.onDropletDisk()): removing them deletes it. ` +
        'Keep them in the list with home: Home.onDropletDisk({ disposable: true }) for one deploy to let it go, or move their home to a volume first');
    }
  }
  return { ctx, rosterPath, previous, recorded: recorded !== undefined, mode, formerNames, editorPropsOf };
}

/**
 * Refuses a team that the roster does not record, unless it is said to be new: a roster lost or
 * never committed reads as "no member was ever removed", and removed members' homes would go.
 * A team recorded under another id of the same stack is most likely this one, renamed.
 */
function checkRecorded(
  ctx: PropContext, path: string, teams: Record<string, TeamRoster> | undefined, recorded: boolean, newTeam: boolean | undefined, mode: RosterMode,
): void {
  if (recorded) {
    if (newTeam) {
      rejectProp(ctx, 'newTeam', newTeam, `is for a team's first synthesis, and the roster ${path} records this team now: remove newTeam, so that a lost roster is noticed`);
    }
    return;
  }
  if (newTeam || mode === 'new') return;
  const stack = ctx.construct.split('/')[0];
  const siblings = Object.keys(teams ?? {}).filter((key) => key.split('/')[0] === stack);
  const where = teams === undefined ? `the roster ${path} does not exist` : `the roster ${path} does not record the team "${ctx.construct}"`;
  const renamed = siblings.length > 0
    ? ` It records ${siblings.map((k) => `"${k}"`).join(', ')} in this stack: if that is this team under its old id, give it that id back (for a fleet, its teamId); ` +
      'under a new id every home would be created anew and the old ones destroyed.'
    : '';
  throw new Error(
    `${ctx.construct}: ${where}. The roster is the team's lockfile: it records every member whose home exists, so that a member removed ` +
    `from the list keeps their home; without it that home would be deleted by the next deploy.${renamed} Restore the roster from version ` +
    `control (or point rosterFile at it: a relative path is taken from the working directory, ${process.cwd()}); for a new team, ` +
    `set newTeam: true (or ${ROSTER_DEFAULTS.modeVariable}=new) for its first synthesis.`);
}

/** Checks each member's `previously` against the roster, and gives the former name of each renamed member. */
function checkRenames(ctx: PropContext, members: readonly TeamMember[], previous: TeamRoster, path: string): Record<string, string> {
  const formerNames: Record<string, string> = {};
  const names = new Set(members.map((m) => m.name));
  members.forEach((member, i) => {
    const recorded = previous[member.name]?.previously;
    const former = member.previously ?? recorded;
    if (former === undefined) return;
    const prop = `members[${i}].previously`;
    if (member.previously !== undefined) {
      checkPattern(ctx, prop, member.previously, MEMBER_NAME, 'expected the member\'s former name, a slug, e.g. "erin"');
      if (names.has(member.previously)) rejectProp(ctx, prop, member.previously, 'is the name of a member in the list; a rename takes a name that is no longer there');
      if (recorded !== undefined && recorded !== member.previously) {
        rejectProp(ctx, prop, member.previously, `differs from the rename the roster ${path} records for "${member.name}" (from "${recorded}")`);
      }
      const entry = previous[member.previously];
      if (recorded === undefined && (entry === undefined || entry.status === 'released' || entry.status === 'removed')) {
        rejectProp(ctx, prop, member.previously, `is not a member that the roster ${path} records with their resources (${entry ? entry.status : 'no entry'})`);
      }
    }
    const twice = Object.entries(formerNames).find(([, name]) => name === former);
    if (twice) rejectProp(ctx, prop, former, `is already the former name of "${twice[0]}"`);
    formerNames[member.name] = former;
  });
  return formerNames;
}

/** What building a team's members gives: their editors, what is kept of those who leave, and the homes released. */
export interface BuiltMembers {
  readonly editors: Record<string, ZeroTrustCodeServer>;
  readonly departed: Record<string, DepartedEditor>;
  readonly releasedHomes: Record<string, string>;
  /** Every name the roster records after this synthesis (members, and those who left), with their entries. */
  readonly roster: TeamRoster;
}

/**
 * Builds each member's editor (construct id: the member's name) in the scope `holderOf` gives for
 * them, or what is kept of it once they leave; moves a renamed member's resources from their
 * former addresses; keeps the home of each member gone from the list outside Terraform, with a
 * warning; and writes the roster under `rosterKey`, or, when the roster is frozen (CI), fails if
 * it would change. `entryOf` adds what a layout records of a member (a fleet: their stack).
 */
export function buildMembers(
  plan: TeamPlan, members: TeamMember[], holderOf: (name: string) => Construct, adminPolicy: ZeroTrustAccessPolicy | undefined, rosterKey: string,
  entryOf: (name: string) => Partial<RosterEntry> = () => ({}),
): BuiltMembers {
  const built: Omit<BuiltMembers, 'roster'> = { editors: {}, departed: {}, releasedHomes: {} };
  const current: TeamRoster = {};
  for (const member of members) {
    const scope = holderOf(member.name);
    const editorProps = plan.editorPropsOf(member, adminPolicy && { policyId: adminPolicy.id });
    let home: HomeVolume | undefined;
    let editor: Construct | undefined;
    if (!member.leaving) {
      editor = built.editors[member.name] = new ZeroTrustCodeServer(scope, member.name, editorProps);
      home = built.editors[member.name].homeVolume;
    } else if (homeSpecOf(editorProps.home).kind === 'volume') {
      editor = built.departed[member.name] = new DepartedEditor(scope, member.name, { ...editorProps, deleteHome: member.deleteHome });
      home = built.departed[member.name].homeVolume;
    }
    const former = plan.formerNames[member.name];
    if (former !== undefined && editor !== undefined) moveFromFormerName(editor, former);
    const rename = former !== undefined ? { previously: former } : {};
    current[member.name] = { ...rosterEntryOf(member, home, editorProps), ...rename, ...entryOf(member.name) };
  }
  const change = reconcileRoster(plan.previous, current);
  for (const name of change.removed) holderOf(name);
  for (const { name, homeVolume } of change.released) {
    const holder = holderOf(name);
    new KeptOutOfTerraform(holder, `${name}-released-home`, homeVolume);
    built.releasedHomes[name] = homeVolume;
    Annotations.of(holder).addWarning(
      `${name} is no longer a member: their home volume (${homeVolume}) is kept in DigitalOcean and released from Terraform. ` +
      'Snapshot or delete it there when it is no longer needed; to delete it through Terraform instead, offboard with leaving and deleteHome first.');
  }
  const differences = rosterDifferences(plan.previous, change.roster);
  if (plan.mode === 'frozen' && differences.length > 0) {
    throw new Error(
      `${rosterKey}: the roster ${plan.rosterPath} is frozen (CI is set, or ${ROSTER_DEFAULTS.modeVariable}=frozen) and this synthesis would change ` +
      `the team's entries:\n  ${differences.join('\n  ')}\nSynthesize where the roster may be written (${ROSTER_DEFAULTS.modeVariable}=update), ` +
      'review the change and commit the roster with the app, as a lockfile.');
  }
  writeTeamRoster(plan.rosterPath, rosterKey, change.roster);
  return { ...built, roster: change.roster };
}

/** The roster keys of the teams built in each app, by roster file. */
const builtTeams = new WeakMap<IConstruct, Map<string, Set<string>>>();

/**
 * Records that the team `rosterKey` is built, and, at synthesis, refuses a team that the roster
 * records in the same stack (`stackPath`) but that the app no longer builds: a team whose id was
 * changed would otherwise have every home created anew and the old ones destroyed. When this team
 * was new to the roster, its entry is taken out again with the error, so that giving the team
 * its id back leaves no stray entry behind.
 */
export function checkNoTeamLeftBehind(holder: Construct, plan: TeamPlan, rosterKey: string, stackPath: string): void {
  const root = holder.node.root;
  const byFile = builtTeams.get(root) ?? new Map<string, Set<string>>();
  builtTeams.set(root, byFile);
  const built = byFile.get(plan.rosterPath) ?? new Set<string>();
  byFile.set(plan.rosterPath, built);
  built.add(rosterKey);
  holder.node.addValidation({
    validate: () => {
      const left = Object.keys(readRosterFile(plan.rosterPath) ?? {}).filter((key) => key.split('/')[0] === stackPath && !built.has(key));
      if (left.length === 0) return [];
      if (!plan.recorded) writeTeamRoster(plan.rosterPath, rosterKey, undefined);
      return left.map((key) =>
        `${rosterKey}: the roster ${plan.rosterPath} records the team "${key}" in this stack, and this app no longer builds it. ` +
        `If "${rosterKey}" is that team under a new id, give it back the id "${key.split('/').pop()}" (for a fleet, its teamId): construct ids are ` +
        'Terraform addresses, and under a new id every home would be created anew and the old ones destroyed. To retire that team on ' +
        'purpose, delete its entry from the roster: the next deploy then deletes everything of it, homes included, so snapshot them or take ' +
        'them out of the state first (terraform state rm of each home volume).');
    },
  });
}

/**
 * Moves each resource of a renamed member's editor from the address it had under the former name
 * (`moved` blocks, in the editor's stack): the same construct path but for the member's id.
 */
function moveFromFormerName(editor: Construct, former: string): void {
  const stack = TerraformStack.of(editor);
  const depth = editor.node.scopes.indexOf(editor);
  const base = editor.node.scopes.indexOf(stack) + 1;
  const resources = editor.node.findAll().filter((c): c is TerraformResource => TerraformResource.isTerraformResource(c));
  for (const resource of resources) {
    const ids = resource.node.scopes.map((c: IConstruct) => c.node.id);
    ids[depth] = former;
    const from = `${resource.terraformResourceType}.${makeUniqueId(ids.slice(base))}`;
    new MovedAddress(editor, `moved-${resource.friendlyUniqueId}`, from, `${resource.terraformResourceType}.${resource.friendlyUniqueId}`);
  }
}

/** Stands in for the admin policy while members are checked, before the policy exists. */
const PLACEHOLDER_POLICY: IAccessPolicy = { policyId: '00000000-0000-4000-8000-000000000000' };

/**
 * What the roster records of a member: where they stand, the address of their home volume, and
 * whether their only home is their droplet's disk (so that removing them is refused).
 */
function rosterEntryOf(member: TeamMember, home: HomeVolume | undefined, props: ZeroTrustCodeServerProps): RosterEntry {
  const status = !member.leaving ? 'member' : member.deleteHome ? 'deleting-home' : 'leaving';
  if (home) return { status, homeVolume: `${home.volume.terraformResourceType}.${home.volume.friendlyUniqueId}` };
  const spec = homeSpecOf(props.home);
  return spec.kind === 'onDropletDisk' && !spec.disposable ? { status, homeOnDroplet: true } : { status };
}
