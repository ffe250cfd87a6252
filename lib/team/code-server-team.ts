import { resolve as resolvePath } from 'path';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { Annotations, App, TerraformOutput, TerraformResource, TerraformStack, Token } from 'cdktf';
import { makeUniqueId } from 'cdktf/lib/private/unique';
import { Construct, IConstruct } from 'constructs';
import { TeamLayout } from './layout';
import { TEAM_DEFAULTS, TeamMember } from './members';
import { allowPolicy } from '../access/code-server-access';
import type { AccessRuleSet } from '../access/rules';
import type { ICodeServerControlPlane } from '../control-plane';
import { bindControlPlane } from '../control-plane/start-on-visit';
import { adminPolicyNameOf, memberHostname, outputPrefix } from '../private/naming';
import {
  KeptOutOfTerraform,
  MovedAddress,
  readRosterFile,
  reconcileRoster,
  ROSTER_DEFAULTS,
  RosterEntry,
  rosterModeOf,
  RosterWriter,
  TeamRoster,
} from '../private/roster';
import { resolveTeam, TeamSpec } from '../private/spec/team-spec';
import { contextAt, PropContext, rejectProp, siteOf } from '../private/validation';
import { homeSpecOf } from '../storage/home';
import { HomeVolume } from '../storage/home-volume';
import { DepartedEditor, EditorSettings, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../zero-trust-code-server';

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
  /**
   * Where the members' editors live: in the team's stack, or each in a stack (and a Terraform
   * state) of their own, the layout configuring every stack's backend and providers.
   * @default TeamLayout.oneStack()
   */
  readonly layout?: TeamLayout;
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
 * Terraform (see `rosterFile`, written when the team's stack is synthesized). Every member's props
 * are checked before anything is built. The Terraform output `<id>-urls` maps each member to their
 * URL. With `layout: TeamLayout.stackPerMember()`, each member's editor is a stack of its own.
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
  /**
   * Each member's stack by member name, with `TeamLayout.stackPerMember()`: members, leaving
   * members, and members removed whose stack stays; empty in one stack.
   */
  public readonly memberStacks: Record<string, TerraformStack>;
  /** With `controlPlane`: the control plane of every member's editor (`ControlPlane.create` makes it here, in the team's own stack). */
  public readonly controlPlane?: ICodeServerControlPlane;

  constructor(scope: Construct, id: string, props: CodeServerTeamProps) {
    const site = siteOf(scope);
    const ctx = contextAt(site, id);
    refuseSkippedValidation(ctx, scope);
    const placement = (props.layout ?? TeamLayout.oneStack())._place(ctx, site, scope, id, props);
    // The roster is read here, once; it is written at synthesis (the RosterWriter).
    const rosterPath = resolvePath(props.rosterFile ?? ROSTER_DEFAULTS.rosterFile);
    const roster = { path: rosterPath, teams: readRosterFile(rosterPath), mode: rosterModeOf(process.env) };
    const plan = resolveTeam(site, id, props, roster, placement.memberSite);
    placement.check(plan);

    super(scope, id);
    this.rosterFile = plan.rosterPath;
    const placed = placement.build(this, plan);
    this.memberStacks = placed.memberStacks;
    this.controlPlane = bindControlPlane(this, props);
    this.adminPolicy = adminPolicyOf(this, props);

    const built = buildMembers(plan, props.members, placed.holderOf, this.adminPolicy, placed.entryOf);
    ({ editors: this.editors, departed: this.departed, releasedHomes: this.releasedHomes } = built);
    // The roster is keyed by the team's path (`<stack>/<id>`), whatever its layout, so a team that gets a stack per member keeps its roster.
    new RosterWriter(this, 'Roster', { path: plan.rosterPath, key: this.node.path, previous: plan.previous, roster: built.roster, mode: plan.mode });
    placed.finish(this, built.roster);
    checkNoTeamLeftBehind(this, plan, this.node.path, TerraformStack.of(this).node.path);

    const urls = Object.entries(this.editors).map(([name, editor]): [string, string] =>
      [name, placed.plainUrls ? `https://${memberHostname(props.hostnamePattern ?? TEAM_DEFAULTS.hostnamePattern, name, props.zoneName)}` : editor.url]);
    addUrlsOutput(this, id, Object.fromEntries(urls));
  }
}

/**
 * Refuses a team in an app that skips validation: the roster's checks (frozen in CI, no team
 * left behind) are validations, and without them a synthesis could write a roster that loses homes.
 */
function refuseSkippedValidation(ctx: PropContext, scope: Construct): void {
  const root = scope.node.root;
  if (root instanceof App && root.skipValidation) {
    rejectProp(ctx, 'scope', 'App({ skipValidation: true })', 'a team\'s roster is checked in validation (frozen in CI, no team left behind): build the app without skipValidation');
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
 * warning; and gives the roster to write. `entryOf` adds what a layout records of a member (a
 * stack per member: their stack).
 */
export function buildMembers(
  plan: TeamSpec, members: TeamMember[], holderOf: (name: string) => Construct, adminPolicy: ZeroTrustAccessPolicy | undefined,
  entryOf: (name: string) => Partial<RosterEntry>,
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
      editor = built.departed[member.name] = new DepartedEditor(scope, member.name, editorProps);
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
export function checkNoTeamLeftBehind(holder: Construct, plan: TeamSpec, rosterKey: string, stackPath: string): void {
  const root = holder.node.root;
  const byFile = builtTeams.get(root) ?? new Map<string, Set<string>>();
  builtTeams.set(root, byFile);
  const built = byFile.get(plan.rosterPath) ?? new Set<string>();
  byFile.set(plan.rosterPath, built);
  built.add(rosterKey);
  holder.node.addValidation({
    validate: () => {
      const left = Object.keys(readRosterFile(plan.rosterPath) ?? {}).filter((key) => key.split('/')[0] === stackPath && !built.has(key));
      return left.map((key) =>
        `${rosterKey}: the roster ${plan.rosterPath} records the team "${key}" in this stack, and this app no longer builds it. ` +
        `If "${rosterKey}" is that team under a new id, give it back the id "${key.split('/').pop()}": construct ids are ` +
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
