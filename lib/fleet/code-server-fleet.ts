import { CloudflareProvider, CloudflareProviderConfig } from '@cdktf/provider-cloudflare/lib/provider';
import { ZeroTrustAccessPolicy } from '@cdktf/provider-cloudflare/lib/zero-trust-access-policy';
import { DigitaloceanProvider, DigitaloceanProviderConfig } from '@cdktf/provider-digitalocean/lib/provider';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { StateBackend } from './state-backend';
import { allowPolicy } from '../access/code-server-access';
import { buildMembers, CodeServerTeamProps, planTeam } from '../team/code-server-team';
import { memberHostname, TEAM_DEFAULTS, TeamMember } from '../team/members';
import { checkPattern, contextAt, IDENTITY_STACK_ID, PropContext, rejectProp, Site } from '../validation';
import { DepartedEditor, outputPrefix, ZeroTrustCodeServer } from '../zero-trust-code-server';

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
}

/** The provider props of a single stack, which a fleet configures in each of its stacks instead. */
const PER_STACK_PROVIDERS = ['cloudflareProvider', 'digitaloceanProvider', 'tlsProvider'] as const;

const STACK_NAME = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

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

  constructor(scope: Construct, id: string, props: CodeServerFleetProps) {
    // A fleet's stacks are the app's: their checks see the app as their stack, where nothing is claimed yet.
    const site: Site = { path: scope.node.path, root: scope.node.root, stack: scope.node.root };
    const ctx = contextAt(site, id);
    checkPattern(ctx, 'id', id, STACK_NAME, 'a fleet\'s id names its base stack and prefixes its members\' stacks: expected a slug, e.g. "team"');
    const teamId = props.teamId ?? FLEET_DEFAULTS.teamId;
    checkPattern(ctx, 'teamId', teamId, /^[A-Za-z][A-Za-z0-9_-]*$/, 'expected a construct id of letters, digits, "_" and "-", e.g. "Team"');
    checkPerStackProviders(ctx, props);
    const stackNameOf = (member: TeamMember) => `${id}-${member.name}`;
    props.members.forEach((member, i) => {
      const holder = scope.node.tryFindChild(stackNameOf(member));
      if (holder !== undefined) rejectProp(ctx, `members[${i}].name`, member.name, `would name the stack "${stackNameOf(member)}", which ${holder.node.path} already is: rename the member or the fleet`);
    });
    // Each member's editor is checked where it will be: in a new stack of its own.
    const memberSite = (member: TeamMember): Site => ({ path: `${stackNameOf(member)}/${teamId}`, root: site.root, stack: site.root });
    const plan = planTeam({ ...site, path: ctx.construct }, teamId, props, memberSite);
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
    this.adminPolicy = allowPolicy(team, 'AdminPolicy', { ...props, allow: props.admins, name: `code-server ${team.node.path} admins` });

    this.memberStacks = {};
    const memberStack = (name: string) => {
      const stack = new TerraformStack(scope, `${id}-${name}`);
      // Names made from a construct's address (the firewall's tag, the idle marker) stay those of
      // a one-stack team in a stack named like the fleet.
      Object.defineProperty(stack, IDENTITY_STACK_ID, { value: id });
      configure(stack);
      this.memberStacks[name] = stack;
      return new Construct(stack, teamId);
    };
    // The roster is keyed like a one-stack team's (`<stack>/<team id>`), so a team that becomes a fleet keeps its roster.
    ({ editors: this.editors, departed: this.departed, releasedHomes: this.releasedHomes } =
      buildMembers(plan, props.members, memberStack, this.adminPolicy?.id, team.node.path));

    const pattern = props.hostnamePattern ?? TEAM_DEFAULTS.hostnamePattern;
    new TerraformOutput(team, 'urls', {
      // Plain strings: a reference to the members' stacks would make the base stack depend on them.
      value: Object.fromEntries(Object.keys(this.editors).map((name) => [name, `https://${memberHostname(pattern, name, props.zoneName)}`])),
      description: 'Each member\'s editor URL',
    }).overrideLogicalId(`${outputPrefix(teamId)}-urls`);
  }
}

/** Refuses provider objects, which belong to one stack: a fleet configures its providers in each of its stacks. */
function checkPerStackProviders(ctx: PropContext, props: CodeServerFleetProps): void {
  const sources: Array<[string, object]> = [['', props], ...props.members.map((m, i): [string, object] => [`members[${i}].`, m])];
  for (const [prefix, settings] of sources) {
    for (const prop of PER_STACK_PROVIDERS) {
      const value = (settings as Record<string, unknown>)[prop];
      if (value !== undefined) {
        rejectProp(ctx, `${prefix}${prop}`, (value as Construct).node?.path ?? value,
          'is a provider of one stack, and a fleet has a stack per member: configure the providers of every stack with cloudflareProviderConfig and digitaloceanProviderConfig');
      }
    }
  }
}
