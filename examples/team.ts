import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, providers, runAsApp } from './settings';
import { CodeServerTeam, CodeServerTeamProps } from '../lib';

/**
 * A platform team's editors: one per member at `<name>.<zone>`, only that member let in, the
 * allowed emails of the settings as admins of every editor. Stopped members (ZTCS_STOPPED_MEMBERS)
 * keep their home, hostname and sign-in, and cost only their volume.
 */
export class TeamStack extends TerraformStack {
  public readonly team: CodeServerTeam;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    providers(this);

    this.team = new CodeServerTeam(this, 'Team', teamProps(settings));
  }
}

/**
 * The `team` stack's team: its members at `<name>.<zone>`, the allowed emails as admins. The same
 * props with `layout: TeamLayout.stackPerMember()` (in a stack of the same id, the team's id
 * `Team`) are the same team with a state per member, which the Terraform tier moves it to.
 */
export function teamProps(settings: ExampleSettings): CodeServerTeamProps {
  return {
    cloudflareAccountId: settings.accountId,
    cloudflareZoneId: settings.zoneId,
    zoneName: settings.zoneName,
    teamName: settings.teamName,
    members: settings.teamMembers,
    admins: { emails: settings.allowedEmails },
    rosterFile: settings.rosterFile,
  };
}

runAsApp(module, (app, settings) => new TeamStack(app, 'team', settings));
