import { checkHomeKept, DEPARTED_SPECS, DepartedEditorSpec, EDITOR_SPECS, EditorSpec, resolveDepartedEditor, resolveEditor } from './editor-spec';
import { withBuilt } from './resolved';
import type { IAccessPolicy } from '../../access/existing';
import { checkIdleStopHasControlPlane } from '../../control-plane/start-on-visit';
import { checkHostnameDepth } from '../../dns/tunnel-dns-record';
import { sshOn } from '../../ssh/ssh-options';
import { homeSpecOf } from '../../storage/home';
import type { CodeServerTeamProps } from '../../team/code-server-team';
import { asMemberError, checkSharedSettings, MEMBER_NAME, memberPrincipals, memberSettings, TEAM_DEFAULTS, TeamMember, validateMembers } from '../../team/members';
import type { DepartedEditorProps } from '../../zero-trust-code-server';
import { buildAccessRules, validateAccessRuleSet } from '../access-rules';
import { memberHostname } from '../naming';
import { ROSTER_DEFAULTS, RosterMode, TeamRoster } from '../roster';
import { checkPattern, contextAt, PropContext, rejectProp, Site } from '../validation';

// A team's props resolved once, before anything is built: the members' hostnames and editor
// props, the renames, the roster's status. Each member's editor is resolved here too.

/** What resolving a team's props works out: its roster, and how each member's editor props derive from the team's. */
export interface TeamSpec {
  readonly ctx: PropContext;
  readonly rosterPath: string;
  /** The roster of the last synthesis, of this team. */
  readonly previous: TeamRoster;
  /** What this synthesis may do with the roster. */
  readonly mode: RosterMode;
  /** The name each renamed member had before, by their name now (from the props, or the roster's record of an earlier rename). */
  readonly formerNames: Record<string, string>;
  /**
   * A member's editor props (a leaving member's: their departed editor's, with `deleteHome`),
   * given the admins' policy (none without admins). They carry the spec resolved here, so that
   * the editor built from them does not resolve them again.
   */
  editorPropsOf(member: TeamMember, adminPolicy: IAccessPolicy | undefined): DepartedEditorProps;
}

/** The roster as construction reads it: the file, its teams (none when it does not exist), and what this synthesis may do with it. */
export interface RosterInput {
  readonly path: string;
  readonly teams: Record<string, TeamRoster> | undefined;
  readonly mode: RosterMode;
}

/**
 * Resolves a team's props, every member's editor included, before anything is built: a bad member
 * leaves no team behind. Pure: the roster comes in already read (`roster`), and nothing is
 * written. `memberSite` says where each member's editor will be built (in the team itself, or in
 * a stack of the member's own).
 */
export function resolveTeam(
  site: Site, id: string, props: CodeServerTeamProps, roster: RosterInput, memberSite: (member: TeamMember) => Site,
): TeamSpec {
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

  const { members, hostnamePattern: _pattern, admins, rosterFile: _rosterFile, newTeam, layout: _layout, ...shared } = props;
  const { path: rosterPath, teams, mode } = roster;
  const recorded = teams?.[ctx.construct];
  checkRecorded(ctx, rosterPath, teams, recorded !== undefined, newTeam, mode);
  const previous = recorded ?? {};
  const formerNames = checkRenames(ctx, members, previous, rosterPath);
  const hasAdmins = buildAccessRules(admins).length > 0;
  const propsOf = (member: TeamMember, adminPolicy: IAccessPolicy | undefined): DepartedEditorProps => {
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
      ...(member.leaving ? { deleteHome: member.deleteHome } : {}),
    };
  };
  const editorSpecs = new Map<string, EditorSpec>();
  const departedSpecs = new Map<string, DepartedEditorSpec>();
  members.forEach((member, i) => {
    if (previous[member.name]?.status === 'released') {
      rejectProp(ctx, `members[${i}].name`, member.name,
        `was removed from the list, and the roster ${rosterPath} says their home volume (${previous[member.name].homeVolume}) is released from Terraform. ` +
        'If that removal was only synthesized, never deployed, the volume is still in the state: restore the roster from version control ' +
        `(git checkout -- ${rosterPath}) and synthesize again. If it was deployed, the volume is kept in DigitalOcean outside Terraform: ` +
        'add them under another name with home: Home.existing(HomeVolume.fromVolumeAttributes(this, "<name>-home", { volumeId: "<its id>" })) ' +
        '(doctl compute volume list), which attaches it as their home');
    }
    const editorProps = propsOf(member, hasAdmins ? PLACEHOLDER_POLICY : undefined);
    const memberCtx = contextAt(memberSite(member), member.name);
    if (member.leaving) {
      const home = homeSpecOf(editorProps.home);
      checkHomeKept(ctx, home, { prop: `members[${i}].leaving`, value: member.leaving });
      if (home.kind === 'volume') departedSpecs.set(member.name, asMemberError(member, i, () => resolveDepartedEditor(memberCtx, editorProps)));
    } else {
      editorSpecs.set(member.name, asMemberError(member, i, () => resolveEditor(memberCtx, member.name, editorProps)));
    }
  });
  const editorPropsOf = (member: TeamMember, adminPolicy: IAccessPolicy | undefined): DepartedEditorProps => {
    const editorProps = propsOf(member, adminPolicy);
    const departed = departedSpecs.get(member.name);
    if (departed) return DEPARTED_SPECS.attach(editorProps, departed);
    const spec = editorSpecs.get(member.name);
    if (!spec) return editorProps;
    // The spec was resolved with a stand-in for the admins' policy, which only the built tree has:
    // the editor's Access takes the policies of these props (the policy's id, a token, has nothing to check).
    return EDITOR_SPECS.attach(editorProps, { ...spec, access: withBuilt(spec.access, { policies: editorProps.access?.policies }) });
  };
  const names = new Set(members.map((m) => m.name));
  for (const [name, entry] of Object.entries(previous)) {
    if (!names.has(name) && !Object.values(formerNames).includes(name) && entry.homeOnDroplet) {
      rejectProp(ctx, 'members', members.map((m) => m.name),
        `leaves out "${name}", whose home is only on their droplet's disk (Home.onDropletDisk()): removing them deletes it. ` +
        'Keep them in the list with home: Home.onDropletDisk({ disposable: true }) for one deploy to let it go, or move their home to a volume first');
    }
  }
  return { ctx, rosterPath, previous, mode, formerNames, editorPropsOf };
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
    ? ` It records ${siblings.map((k) => `"${k}"`).join(', ')} in this stack: if that is this team under its old id, give it that id back; ` +
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

/** Stands in for the admin policy while members are checked, before the policy exists. */
const PLACEHOLDER_POLICY: IAccessPolicy = { policyId: '00000000-0000-4000-8000-000000000000' };
