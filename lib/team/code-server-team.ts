import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { memberAllowRules, memberHostname, TEAM_DEFAULTS, TeamMember, validateMembers } from './members';
import { allowedProps } from '../access/code-server-access';
import { AccessRuleSet } from '../access/rules';
import { HomeVolume } from '../storage/home-volume';
import { checkPattern, contextOf } from '../validation';
import { EditorSettings, homeVolumeProps, outputPrefix, ZeroTrustCodeServer, ZeroTrustCodeServerProps } from '../zero-trust-code-server';

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

  constructor(scope: Construct, id: string, props: CodeServerTeamProps) {
    super(scope, id);
    const ctx = contextOf(this);
    const pattern = props.hostnamePattern ?? TEAM_DEFAULTS.hostnamePattern;
    checkPattern(ctx, 'hostnamePattern', pattern, /\{name\}/, 'must contain {name}, e.g. "{name}.{zoneName}"');
    const hostnameOf = (member: TeamMember) => memberHostname(pattern, member.name, props.zoneName);
    validateMembers(ctx, props.members, hostnameOf);

    const { members, hostnamePattern: _pattern, admins, ...shared } = props;
    this.editors = {};
    this.departedHomes = {};
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
      if (!member.leaving) {
        this.editors[member.name] = new ZeroTrustCodeServer(this, member.name, editorProps);
      } else if (props.homeVolume ?? true) {
        // The same path as inside the editor, so Terraform keeps the volume where it was.
        const departed = new Construct(this, member.name);
        this.departedHomes[member.name] = new HomeVolume(departed, 'HomeVolume', {
          ...homeVolumeProps(editorProps),
          ...(member.deleteHome ? { protectHomeVolume: false } : {}),
        });
      }
    }

    new TerraformOutput(this, 'urls', {
      value: Object.fromEntries(Object.entries(this.editors).map(([name, editor]) => [name, editor.url])),
      description: 'Each member\'s editor URL',
    }).overrideLogicalId(`${outputPrefix(id)}-urls`);
  }
}

/** The values that are set: a member's override left out means the team's setting. */
function withoutUndefined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
