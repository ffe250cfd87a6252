import { CloudflareProvider, CloudflareProviderConfig } from '@cdktf/provider-cloudflare/lib/provider';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { DigitaloceanProvider, DigitaloceanProviderConfig } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { IResolvable, IResolveContext, TerraformStack, TerraformVariable, Token, Tokenization } from 'cdktf';
import { Construct } from 'constructs';
import { StateBackend } from './state-backend';
import type { ICodeServerControlPlane } from '../control-plane';
import { bindControlPlane } from '../control-plane/start-on-visit';
import { IDENTITY_STACK_ID, memberHostname } from '../private/naming';
import { KeptOutOfTerraform } from '../private/roster';
import { checkPattern, contextAt, PropContext, rejectProp, Site } from '../private/validation';
import type { ProviderOptions } from '../providers';
import { addUrlsOutput, adminPolicyOf, buildMembers, checkNoTeamLeftBehind, CodeServerTeamProps, planTeam, TeamPlan } from '../team/code-server-team';
import { TEAM_DEFAULTS, TeamMember } from '../team/members';
import { DepartedEditor, ZeroTrustCodeServer } from '../zero-trust-code-server';

/** The defaults of a fleet, for documentation and tests. */
export const FLEET_DEFAULTS = {
  teamId: 'Team',
} as const;

/** Props of {@link CodeServerFleet}. */
export interface CodeServerFleetProps extends CodeServerTeamProps {
  /**
   * The construct id that holds the team in every stack of the fleet. Terraform addresses derive
   * from it: give the id of the `CodeServerTeam` that a one-stack team had, and each member's
   * resources keep the addresses they had there, which makes moving to a fleet a move of state
   * with nothing replaced (see docs/teams-and-fleets.md, Moving a team to a fleet).
   * @default "Team"
   */
  readonly teamId?: string;
  /**
   * Where every stack of the fleet keeps its state: one state per stack, named after the stack.
   * @default - StateBackend.local(): terraform.<stack>.tfstate in the cdktf project's folder
   */
  readonly backend?: StateBackend;
  /**
   * The Cloudflare provider's configuration in every stack of the fleet.
   * @default - the token from CLOUDFLARE_API_TOKEN
   */
  readonly cloudflareProviderConfig?: CloudflareProviderConfig;
  /**
   * The DigitalOcean provider's configuration in every stack of the fleet.
   * @default - the token from DIGITALOCEAN_TOKEN
   */
  readonly digitaloceanProviderConfig?: DigitaloceanProviderConfig;
  /**
   * Names of sensitive string variables that the fleet declares in every member's stack, each
   * set at deploy time from `TF_VAR_<name>`: the way to give the editors a secret, such as the
   * idle stop's DigitalOcean token (`CodeServerFleet.sensitiveVariable('idle_stop_token')`).
   * A variable of another stack would reach the members' stacks through a cross-stack output,
   * whose value is stored in plain text in that stack's state; such a token is refused.
   * @default - none
   */
  readonly sensitiveVariables?: string[];
}

/** The provider props of a single stack, which a fleet configures in each of its stacks instead. */
const PER_STACK_PROVIDERS = ['cloudflareProvider', 'digitaloceanProvider', 'tlsProvider'] as const;

const STACK_NAME = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const VARIABLE_NAME = /^[a-z][a-z0-9_]{0,63}$/;

/** Where a fleet's sensitive variable stands in the props: `var.<name>` in whichever stack it is resolved, owned by none. */
class MemberVariable implements IResolvable {
  public readonly creationStack: string[] = [];
  constructor(public readonly variableName: string) {}

  /** `var.<name>`, in braces unless inside an expression (a function's argument), as cdktf's own references. */
  public resolve(context: IResolveContext): string {
    const suppressBraces = context.suppressBraces;
    context.suppressBraces = true;
    return suppressBraces ? `var.${this.variableName}` : `\${var.${this.variableName}}`;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/**
 * A team whose every member has a Terraform state of their own: the fleet is the team's base
 * stack (named by its id, e.g. `team`), holding what every editor shares (the admins' Access
 * policy, the map of URLs), and each member's editor is a stack of its own, `<id>-<name>`,
 * that reads the base stack's outputs through cdktf's cross-stack references. One member's change
 * plans and locks only their stack, a member whose deploy fails blocks nobody else, and no plan
 * refreshes the whole team: what a team of more than a handful needs.
 *
 * Props are those of `CodeServerTeam` (checked the same way, every member before anything is
 * built), plus where the states live (`backend`) and the providers of each stack. Stack names and
 * Terraform addresses come from member names, never positions; within each stack the team's
 * construct is `teamId`, so the addresses are those of a `CodeServerTeam` of that id. A member
 * removed from the list keeps a stack that deletes everything of theirs but their home volume,
 * which Terraform forgets (the roster, as in a team). Deploy everyone with
 * `cdktf deploy <id> '<id>-*'`, one member with
 * `cdktf deploy <id>-<name> --ignore-missing-stack-dependencies` (the base stack deployed already).
 */
export class CodeServerFleet extends TerraformStack {
  /**
   * The value of one of the fleet's `sensitiveVariables`, to use in its props (the idle stop's
   * `digitaloceanToken`): in each member's stack, that stack's own variable.
   */
  public static sensitiveVariable(name: string): string {
    return Token.asString(new MemberVariable(name));
  }

  /** Each member's stack by member name: members, leaving members, and members removed whose home is released. */
  public readonly memberStacks: Record<string, TerraformStack>;
  /** The editors of the members who have not left, by member name. */
  public readonly editors: Record<string, ZeroTrustCodeServer>;
  /** What is kept of the members who are leaving (their home volumes), by member name. */
  public readonly departed: Record<string, DepartedEditor>;
  /** The Access policy of the team's `admins`, in the base stack, attached to every editor; none without admins. */
  public readonly adminPolicy?: ZeroTrustAccessPolicy;
  /** Members removed from the list without `deleteHome`, by name: the Terraform address of their home volume in their stack. */
  public readonly releasedHomes: Record<string, string>;
  /** The roster file, as an absolute path. */
  public readonly rosterFile: string;
  /** With `controlPlane`: the control plane of every member's editor, in the base stack (members' stacks read its names). */
  public readonly controlPlane?: ICodeServerControlPlane;

  constructor(scope: Construct, id: string, props: CodeServerFleetProps) {
    // A fleet's stacks are the app's: their checks see the app as their stack, where nothing is claimed yet.
    const site: Site = { path: scope.node.path, root: scope.node.root, stack: scope.node.root };
    const ctx = contextAt(site, id);
    checkPattern(ctx, 'id', id, STACK_NAME, 'a fleet\'s id names its base stack and prefixes its members\' stacks: expected a slug, e.g. "team"');
    const teamId = props.teamId ?? FLEET_DEFAULTS.teamId;
    checkPattern(ctx, 'teamId', teamId, /^[A-Za-z][A-Za-z0-9_-]*$/, 'expected a construct id of letters, digits, "_" and "-", e.g. "Team"');
    checkPerStackProviders(ctx, props);
    checkSecretsStayInStack(ctx, props);
    // Each member's editor is checked where it will be: in a new stack of its own.
    const memberSite = (member: TeamMember): Site => ({ path: `${id}-${member.name}/${teamId}`, root: site.root, stack: site.root });
    const plan = planTeam({ ...site, path: ctx.construct }, teamId, props, memberSite);
    const stackNameOf = memberStackNames(id, plan);
    checkStackNames(ctx, scope, props.members, plan, stackNameOf);
    props.backend?._check(ctx);

    super(scope, id);
    const backend = props.backend ?? StateBackend.local();
    const configure = (stack: TerraformStack) => {
      backend.bind(stack);
      new CloudflareProvider(stack, 'cloudflare', props.cloudflareProviderConfig);
      new DigitaloceanProvider(stack, 'digitalocean', props.digitaloceanProviderConfig);
      new TlsProvider(stack, 'tls');
    };
    configure(this);
    const team = new Construct(this, teamId);
    this.rosterFile = plan.rosterPath;
    this.controlPlane = bindControlPlane(team, props);
    this.adminPolicy = adminPolicyOf(team, props);

    this.memberStacks = {};
    const memberStack = (name: string) => {
      const existing = this.memberStacks[name];
      if (existing) return existing.node.findChild(teamId) as Construct;
      const stack = new TerraformStack(scope, stackNameOf(name));
      // Names made from a construct's address (the firewall's tag, the idle marker) stay those of
      // a one-stack team in a stack named like the fleet.
      Object.defineProperty(stack, IDENTITY_STACK_ID, { value: id });
      configure(stack);
      for (const variable of props.sensitiveVariables ?? []) {
        new TerraformVariable(stack, variable, { type: 'string', sensitive: true, description: `A secret of the fleet "${id}" (TF_VAR_${variable})` })
          .overrideLogicalId(variable);
      }
      this.memberStacks[name] = stack;
      return new Construct(stack, teamId);
    };
    // The roster is keyed like a one-stack team's (`<stack>/<team id>`), so a team that becomes a fleet keeps its roster.
    const built = buildMembers(plan, props.members, memberStack, this.adminPolicy, team.node.path,
      (name) => (stackNameOf(name) === `${id}-${name}` ? {} : { stack: stackNameOf(name) }));
    ({ editors: this.editors, departed: this.departed, releasedHomes: this.releasedHomes } = built);
    // Before the move to a fleet, the base stack's state (the one-stack team's) holds every home:
    // deployed before the state is moved, it forgets them rather than deleting them.
    for (const [name, entry] of Object.entries(built.roster)) {
      if (entry.homeVolume !== undefined) new KeptOutOfTerraform(team, `${name}-home-in-member-stack`, entry.homeVolume);
    }
    checkNoTeamLeftBehind(team, plan, team.node.path, id);

    const pattern = props.hostnamePattern ?? TEAM_DEFAULTS.hostnamePattern;
    // Plain strings: a reference to the members' stacks would make the base stack depend on them.
    addUrlsOutput(team, teamId, Object.fromEntries(Object.keys(this.editors).map((name) => [name, `https://${memberHostname(pattern, name, props.zoneName)}`])));
  }
}

/**
 * Each member's stack name: `<fleet>-<name>`, except for a renamed member, who keeps the stack of
 * their former name (a state cannot be moved by configuration), as the roster records.
 */
function memberStackNames(id: string, plan: TeamPlan): (name: string) => string {
  return (name) => {
    const recorded = plan.previous[name]?.stack;
    if (recorded !== undefined) return recorded;
    const former = plan.formerNames[name];
    return former === undefined ? `${id}-${name}` : plan.previous[former]?.stack ?? `${id}-${former}`;
  };
}

/** Refuses a stack name that another stack of the app has, or that two members' stacks would share. */
function checkStackNames(
  ctx: PropContext, scope: Construct, members: readonly TeamMember[], plan: TeamPlan, stackNameOf: (name: string) => string,
): void {
  const listed = new Set([...members.map((m) => m.name), ...Object.values(plan.formerNames)]);
  const names = [...members.map((m) => m.name), ...Object.keys(plan.previous).filter((n) => !listed.has(n))];
  const taken = new Map<string, string>();
  for (const name of names) {
    const i = members.findIndex((m) => m.name === name);
    const prop = i >= 0 ? `members[${i}].name` : 'members';
    const stackName = stackNameOf(name);
    const holder = scope.node.tryFindChild(stackName);
    if (holder !== undefined) rejectProp(ctx, prop, name, `would name the stack "${stackName}", which ${holder.node.path} already is: rename the member or the fleet`);
    const other = taken.get(stackName);
    if (other !== undefined) {
      rejectProp(ctx, prop, name, `would name the stack "${stackName}", which the roster gives "${other}" (renamed from that name): choose another name`);
    }
    taken.set(stackName, name);
  }
}

/**
 * Refuses an idle-stop token that would cross stacks: a value of another stack (a variable of the
 * base stack, say) reaches a member's stack through a cross-stack output, in plain text in the
 * other stack's state. A fleet's sensitive variables are declared in each member's stack instead.
 */
function checkSecretsStayInStack(ctx: PropContext, props: CodeServerFleetProps): void {
  const declared = new Set(props.sensitiveVariables ?? []);
  (props.sensitiveVariables ?? []).forEach((name, i) => checkPattern(ctx, `sensitiveVariables[${i}]`, name, VARIABLE_NAME, 'expected a Terraform variable name, e.g. "idle_stop_token"'));
  const tokens: Array<[string, string | undefined]> = [
    ['idleStop.digitaloceanToken', props.idleStop?.digitaloceanToken],
    ...props.members.map((m, i): [string, string | undefined] => [`members[${i}].idleStop.digitaloceanToken`, m.idleStop?.digitaloceanToken]),
  ];
  for (const [prop, value] of tokens) {
    if (value === undefined || !Token.isUnresolved(value)) continue;
    for (const token of Tokenization.reverseString(value).tokens) {
      if (token instanceof MemberVariable) {
        if (!declared.has(token.variableName)) {
          rejectProp(ctx, prop, `var.${token.variableName}`, `names a variable the fleet does not declare: add "${token.variableName}" to sensitiveVariables`);
        }
        continue;
      }
      const origin = (token as { originStack?: unknown }).originStack;
      if (origin instanceof TerraformStack) {
        rejectProp(ctx, prop, (token as { identifier?: string }).identifier ?? value,
          `is a value of the stack "${origin.node.path}", which would reach each member's stack through a cross-stack output, in plain text in that stack's state: ` +
          'declare it in every member\'s stack with sensitiveVariables: ["idle_stop_token"] and pass CodeServerFleet.sensitiveVariable("idle_stop_token")');
      }
    }
  }
}

/** Refuses provider objects, which belong to one stack: a fleet configures its providers in each of its stacks. */
function checkPerStackProviders(ctx: PropContext, props: CodeServerFleetProps): void {
  const sources: Array<[string, ProviderOptions | undefined]> = [['', props.providers], ...props.members.map((m, i): [string, ProviderOptions | undefined] => [`members[${i}].`, m.providers])];
  for (const [prefix, providers] of sources) {
    for (const prop of PER_STACK_PROVIDERS) {
      const value = providers?.[prop];
      if (value !== undefined) {
        rejectProp(ctx, `${prefix}providers.${prop}`, value.node.path,
          'is a provider of one stack, and a fleet has a stack per member: configure the providers of every stack with cloudflareProviderConfig and digitaloceanProviderConfig');
      }
    }
  }
}
