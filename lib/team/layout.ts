import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { IResolvable, IResolveContext, TerraformBackend, TerraformProvider, TerraformStack, TerraformVariable, Token, Tokenization } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import type { CodeServerTeamProps } from './code-server-team';
import type { TeamMember } from './members';
import { StateBackend } from './state-backend';
import { IDENTITY_STACK_ID, memberStackNameOf } from '../private/naming';
import { KeptOutOfTerraform, RosterEntry, TeamRoster } from '../private/roster';
import type { TeamSpec } from '../private/spec/team-spec';
import { checkPattern, isUnresolved, PropContext, rejectProp, Site, siteWithin } from '../private/validation';
import type { ProviderOptions, StackProviderConfigs } from '../providers';

/** Options of {@link TeamLayout.stackPerMember}. */
export interface StackPerMemberOptions {
  /**
   * Where every stack of the team keeps its state (the team's own stack and each member's): one
   * state per stack, named after the stack.
   * @default - StateBackend.local(): terraform.<stack>.tfstate in the cdktf project's folder
   */
  readonly backend?: StateBackend;
  /**
   * The configurations of the providers of every stack of the team (the team's own stack and
   * each member's), which the team configures in each.
   * @default - each provider's configuration from its environment (CLOUDFLARE_API_TOKEN, DIGITALOCEAN_TOKEN)
   */
  readonly providers?: StackProviderConfigs;
  /**
   * Names of sensitive string variables that the team declares in every member's stack, each set
   * at deploy time from `TF_VAR_<name>`: the way to give the editors a secret
   * (`TeamLayout.sensitiveVariable('idle_stop_token')` in the props). A sensitive variable of
   * another stack would reach the members' stacks through a cross-stack output, whose value is
   * stored in plain text in that stack's state; such a value is refused.
   * @default - none
   */
  readonly sensitiveVariables?: string[];
}

/**
 * Where a team's editors live: all in the team's stack (`oneStack()`, the default), or each in a
 * stack of its own (`stackPerMember()`), with a Terraform state per member.
 */
export abstract class TeamLayout {
  /** Every member's editor in the team's stack, beside the team's shared resources. */
  public static oneStack(): TeamLayout {
    return new OneStack();
  }

  /**
   * A stack and a Terraform state per member: the team's own stack (named by its id, e.g.
   * `team`) holds what every editor shares (the admins' Access policy, the map of URLs), and each
   * member's editor is a stack of its own, `<stack>-<name>`, that reads the team's stack through
   * cdktf's cross-stack references. One member's change plans and locks only their stack, a member
   * whose deploy fails blocks nobody else, and no plan refreshes the whole team: what a team of more
   * than a handful needs. The team must be a direct child of its stack, and its stack must have no
   * provider or backend of its own: the team configures both in every stack of the team, from these
   * options. Within each stack the team's construct has the team's id, so the addresses are those
   * of a one-stack team of that id. A member removed from the list keeps a stack that deletes
   * everything of theirs but their home volume, which Terraform forgets (the roster). Deploy everyone
   * with `cdktf deploy <stack> '<stack>-*'`, one member with
   * `cdktf deploy <stack>-<name> --ignore-missing-stack-dependencies` (the team's stack deployed already).
   */
  public static stackPerMember(options: StackPerMemberOptions = {}): TeamLayout {
    return new StackPerMember(options);
  }

  /**
   * The value of one of the layout's `sensitiveVariables`, to use in the team's props (the idle
   * stop's `digitaloceanToken`): in each member's stack, that stack's own variable.
   */
  public static sensitiveVariable(name: string): string {
    return Token.asString(new MemberVariable(name));
  }

  /**
   * Checks the layout for a team about to be built at `ctx` in `scope`, and says where its
   * members' editors go. @internal
   */
  public abstract _place(ctx: PropContext, site: Site, scope: Construct, id: string, props: CodeServerTeamProps): MemberPlacement;
}

/** Where a layout puts a team's members. */
export interface MemberPlacement {
  /** Where a member's editor will be built, for its checks. */
  memberSite(member: TeamMember): Site;
  /** The checks that need the team's plan (the roster): stack names. */
  check(plan: TeamSpec): void;
  /** Makes what the layout needs in and around the team (`team`, just built). */
  build(team: Construct, plan: TeamSpec): PlacedMembers;
}

/** What a layout made for a team's members. */
export interface PlacedMembers {
  /** Each member's stack by member name (none in one stack). */
  readonly memberStacks: Record<string, TerraformStack>;
  /** Whether the URLs output holds plain strings (a reference to a member's stack would make the team's stack depend on it). */
  readonly plainUrls: boolean;
  /** The scope that holds a member's editor (the team, or the team's construct in the member's stack). */
  holderOf(name: string): Construct;
  /** What the roster records of a member besides their status and home (a stack per member: their stack, when it is not `<stack>-<name>`). */
  entryOf(name: string): Partial<RosterEntry>;
  /** After the members are built: what the team's stack keeps for the roster's entries. */
  finish(team: Construct, roster: TeamRoster): void;
}

const STACK_NAME = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const VARIABLE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const HOLDER_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The provider props of a single stack, which a team with a stack per member configures in each of its stacks instead. */
const PER_STACK_PROVIDERS = ['cloudflareProvider', 'digitaloceanProvider', 'tlsProvider'] as const;

class OneStack extends TeamLayout {
  /** @internal */
  public _place(ctx: PropContext, site: Site, _scope: Construct, id: string, props: CodeServerTeamProps): MemberPlacement {
    checkSecretsStayInStack(ctx, props, [], false);
    return {
      memberSite: () => siteWithin(site, id),
      check: () => undefined,
      build: (team) => ({
        memberStacks: {},
        holderOf: () => team,
        entryOf: () => ({}),
        finish: () => undefined,
        plainUrls: false,
      }),
    };
  }
}

class StackPerMember extends TeamLayout {
  constructor(private readonly options: StackPerMemberOptions) {
    super();
  }

  /** @internal */
  public _place(ctx: PropContext, site: Site, scope: Construct, id: string, props: CodeServerTeamProps): MemberPlacement {
    const stack = TerraformStack.of(scope);
    const base = stack.node.id;
    if (scope !== stack) {
      rejectProp(ctx, 'layout', 'TeamLayout.stackPerMember()', `puts the team's construct in every member's stack at the team's id: make the team a direct child of its stack (${stack.node.path}), not of ${scope.node.path}`);
    }
    checkPattern(ctx, 'layout', base, STACK_NAME, 'TeamLayout.stackPerMember() names each member\'s stack after the team\'s stack: expected a stack id that is a slug, e.g. "team"');
    checkPattern(ctx, 'id', id, HOLDER_ID, 'the team\'s id holds its members in every stack of TeamLayout.stackPerMember(): expected a construct id of letters, digits, "_" and "-", e.g. "Team"');
    refuseOwnConfiguration(ctx, stack);
    checkPerStackProviders(ctx, props);
    checkSecretsStayInStack(ctx, props, this.options.sensitiveVariables ?? [], true);
    this.options.backend?._check(ctx);
    const app = stack.node.scope!;
    const memberSite = (member: TeamMember): Site => ({ path: `${memberStackNameOf(base, member.name)}/${id}`, root: site.root, stack: site.root });
    let stackNameOf: (name: string) => string = (name) => memberStackNameOf(base, name);
    return {
      memberSite,
      check: (plan) => {
        stackNameOf = memberStackNames(base, plan);
        checkStackNames(ctx, app, props.members, plan, stackNameOf);
      },
      build: (team) => this.build(team, app, base, stackNameOf),
    };
  }

  private build(team: Construct, app: IConstruct, base: string, stackNameOf: (name: string) => string): PlacedMembers {
    const own = new Set<IConstruct>();
    const configure = (stack: TerraformStack) => {
      const before = new Set(stack.node.children);
      (this.options.backend ?? StateBackend.local()).bind(stack);
      new CloudflareProvider(stack, 'cloudflare', this.options.providers?.cloudflare);
      new DigitaloceanProvider(stack, 'digitalocean', this.options.providers?.digitalocean);
      new TlsProvider(stack, 'tls', this.options.providers?.tls);
      for (const child of stack.node.children) if (!before.has(child)) own.add(child);
    };
    const teamStack = TerraformStack.of(team);
    configure(teamStack);
    team.node.addValidation({
      validate: () => teamStack.node.children
        .filter((c) => !own.has(c) && (c instanceof TerraformProvider || c instanceof TerraformBackend))
        .map((c) => `${team.node.path}: invalid layout "TeamLayout.stackPerMember()": the team configures the providers and the backend of its stack, and ${c.node.path} is one of its own: ` +
          'give its configuration in stackPerMember({ backend, providers }) instead'),
    });
    const id = team.node.id;
    const memberStacks: Record<string, TerraformStack> = {};
    const holderOf = (name: string): Construct => {
      const existing = memberStacks[name];
      if (existing) return existing.node.findChild(id) as Construct;
      const stack = new TerraformStack(app, stackNameOf(name));
      // Names made from a construct's address (the firewall's tag, the idle marker) stay those of
      // a one-stack team in a stack named like the team's.
      Object.defineProperty(stack, IDENTITY_STACK_ID, { value: base });
      configure(stack);
      for (const variable of this.options.sensitiveVariables ?? []) {
        new TerraformVariable(stack, variable, { type: 'string', sensitive: true, description: `A secret of the fleet "${base}" (TF_VAR_${variable})` })
          .overrideLogicalId(variable);
      }
      memberStacks[name] = stack;
      return new Construct(stack, id);
    };
    return {
      memberStacks,
      holderOf,
      entryOf: (name) => (stackNameOf(name) === memberStackNameOf(base, name) ? {} : { stack: stackNameOf(name) }),
      // Before the move to a stack per member, the team's stack's state (the one-stack team's) holds
      // every home: deployed before the states are moved, it forgets them rather than deleting them.
      finish: (holder, roster) => {
        for (const [name, entry] of Object.entries(roster)) {
          if (entry.homeVolume !== undefined) new KeptOutOfTerraform(holder, `${name}-home-in-member-stack`, entry.homeVolume);
        }
      },
      plainUrls: true,
    };
  }
}

/** Where a sensitive variable stands in the props: `var.<name>` in whichever stack it is resolved, owned by none. */
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
 * Each member's stack name: `<stack>-<name>`, except for a renamed member, who keeps the stack of
 * their former name (a state cannot be moved by configuration), as the roster records.
 */
function memberStackNames(base: string, plan: TeamSpec): (name: string) => string {
  return (name) => {
    const recorded = plan.previous[name]?.stack;
    if (recorded !== undefined) return recorded;
    const former = plan.formerNames[name];
    return former === undefined ? memberStackNameOf(base, name) : plan.previous[former]?.stack ?? memberStackNameOf(base, former);
  };
}

/** Refuses a stack name that another stack of the app has, or that two members' stacks would share. */
function checkStackNames(
  ctx: PropContext, app: IConstruct, members: readonly TeamMember[], plan: TeamSpec, stackNameOf: (name: string) => string,
): void {
  const listed = new Set([...members.map((m) => m.name), ...Object.values(plan.formerNames)]);
  const names = [...members.map((m) => m.name), ...Object.keys(plan.previous).filter((n) => !listed.has(n))];
  const taken = new Map<string, string>();
  for (const name of names) {
    const i = members.findIndex((m) => m.name === name);
    const prop = i >= 0 ? `members[${i}].name` : 'members';
    const stackName = stackNameOf(name);
    const holder = app.node.tryFindChild(stackName);
    if (holder !== undefined) rejectProp(ctx, prop, name, `would name the stack "${stackName}", which ${holder.node.path} already is: rename the member or the team's stack`);
    const other = taken.get(stackName);
    if (other !== undefined) {
      rejectProp(ctx, prop, name, `would name the stack "${stackName}", which the roster gives "${other}" (renamed from that name): choose another name`);
    }
    taken.set(stackName, name);
  }
}

/** Refuses a team's stack that configures its own providers or backend: the layout configures those of every stack of the team. */
function refuseOwnConfiguration(ctx: PropContext, stack: TerraformStack): void {
  for (const child of stack.node.children) {
    if (child instanceof TerraformProvider || child instanceof TerraformBackend) {
      rejectProp(ctx, 'layout', 'TeamLayout.stackPerMember()', `configures the providers and the backend of every stack of the team, and the team's stack already has ${child.node.path}: ` +
        'give its configuration in stackPerMember({ backend, providers }) instead');
    }
  }
}

/** Refuses provider objects, which belong to one stack: a team with a stack per member configures its providers in each of its stacks. */
function checkPerStackProviders(ctx: PropContext, props: CodeServerTeamProps): void {
  const sources: Array<[string, ProviderOptions | undefined]> = [['', props.providers], ...props.members.map((m, i): [string, ProviderOptions | undefined] => [`members[${i}].`, m.providers])];
  for (const [prefix, providers] of sources) {
    for (const prop of PER_STACK_PROVIDERS) {
      const value = providers?.[prop];
      if (value !== undefined) {
        rejectProp(ctx, `${prefix}providers.${prop}`, value.node.path,
          'is a provider of one stack, and TeamLayout.stackPerMember() makes a stack per member: configure the providers of every stack with stackPerMember({ providers: { cloudflare, digitalocean, tls } })');
      }
    }
  }
}

/** Every string of the props that holds a token, with its dotted path (`members[1].boot.files[0].content`); constructs are not entered. */
function tokenStrings(value: unknown, path: string, found: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') {
    if (isUnresolved(value)) found.push([path, value]);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => tokenStrings(item, `${path}[${i}]`, found));
  } else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) tokenStrings(item, path === '' ? key : `${path}.${key}`, found);
  }
  return found;
}

/** The sensitive variable a token refers to, when it is a reference to one (`var.<name>` of a stack). */
function sensitiveVariableOf(token: IResolvable): { stack: TerraformStack; identifier: string } | undefined {
  const { originStack, identifier } = token as unknown as { originStack?: unknown; identifier?: unknown };
  if (!(originStack instanceof TerraformStack) || typeof identifier !== 'string' || !identifier.startsWith('var.')) return undefined;
  const name = identifier.slice('var.'.length);
  const variable = originStack.node.findAll().find((c): c is TerraformVariable => c instanceof TerraformVariable && c.friendlyUniqueId === name);
  return variable?.sensitive ? { stack: originStack, identifier } : undefined;
}

/**
 * Refuses a secret that would cross stacks: a sensitive variable of another stack, anywhere in
 * the props (an idle stop's token, a boot step's file), reaches a member's stack through a
 * cross-stack output, in plain text in the other stack's state. A team with a stack per member
 * declares its sensitive variables in each member's stack instead; a `TeamLayout.sensitiveVariable`
 * must name one of them.
 */
function checkSecretsStayInStack(ctx: PropContext, props: CodeServerTeamProps, variables: readonly string[], crossesStacks: boolean): void {
  variables.forEach((name, i) => checkPattern(ctx, `layout.sensitiveVariables[${i}]`, name, VARIABLE_NAME, 'expected a Terraform variable name, e.g. "idle_stop_token"'));
  const declared = new Set(variables);
  const { layout: _layout, ...settings } = props;
  for (const [prop, value] of tokenStrings(settings, '')) {
    for (const token of Tokenization.reverseString(value).tokens) {
      if (token instanceof MemberVariable) {
        if (!declared.has(token.variableName)) {
          rejectProp(ctx, prop, `var.${token.variableName}`, `names a variable the team does not declare: add "${token.variableName}" to TeamLayout.stackPerMember({ sensitiveVariables })`);
        }
        continue;
      }
      const variable = crossesStacks ? sensitiveVariableOf(token) : undefined;
      if (variable !== undefined) {
        rejectProp(ctx, prop, variable.identifier,
          `is a sensitive variable of the stack "${variable.stack.node.path}", which would reach each member's stack through a cross-stack output, in plain text in that stack's state: ` +
          'declare it in every member\'s stack with TeamLayout.stackPerMember({ sensitiveVariables: ["idle_stop_token"] }) and pass TeamLayout.sensitiveVariable("idle_stop_token")');
      }
    }
  }
}
