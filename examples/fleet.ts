import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, runAsApp } from './settings';
import { teamProps } from './team';
import { CodeServerTeam, StateBackend, TeamLayout } from '../lib';

/** The Terraform variable of each member's stack that holds the idle stop's token: `TF_VAR_idle_stop_token`. */
export const IDLE_STOP_TOKEN = 'idle_stop_token';

/**
 * A team beyond a handful: the `team` example's members with a stack and a Terraform state each
 * (`TeamLayout.stackPerMember`) in a DigitalOcean Spaces bucket (ZTCS_STATE_BUCKET, in fra1), at
 * `<name>-fleet.<zone>`, every editor stopping itself after 30 minutes without activity. This
 * stack is the team's own (the admins' policy, the URLs); the layout configures its backend and
 * providers and those of `fleet-<name>`. The idle stop's token, a custom-scoped DigitalOcean
 * token, is a sensitive variable of each member's stack, set at deploy time:
 * `TF_VAR_idle_stop_token=… cdktf deploy fleet 'fleet-*' --parallelism 2`.
 */
export class FleetExample extends TerraformStack {
  public readonly team: CodeServerTeam;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    this.team = new CodeServerTeam(this, 'Team', {
      ...teamProps(settings),
      hostnamePattern: '{name}-fleet.{zoneName}',
      layout: TeamLayout.stackPerMember({
        backend: StateBackend.digitaloceanSpaces({ bucket: settings.stateBucket, region: 'fra1' }),
        // Declared in each member's stack: a variable of one stack would reach the others as a
        // cross-stack output, in plain text in its state (the team refuses such a value).
        sensitiveVariables: [IDLE_STOP_TOKEN],
      }),
      idleStop: { idleMinutes: 30 },
    });
  }
}

runAsApp(module, (app, settings) => new FleetExample(app, 'fleet', settings));
