import { TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, runAsApp } from './settings';
import { teamProps } from './team';
import { CodeServerTeam, ControlPlane, StartHook, StateBackend, TeamLayout } from '../lib';

/** The Terraform variables of this stack that hold the control plane's tokens: `TF_VAR_control_plane_token`, `TF_VAR_start_hook_token`. */
export const CONTROL_PLANE_VARIABLES = { digitaloceanToken: 'control_plane_token', startHookToken: 'start_hook_token' } as const;

/**
 * A team beyond a handful: the `team` example's members with a stack and a Terraform state each
 * (`TeamLayout.stackPerMember`) in a DigitalOcean Spaces bucket (ZTCS_STATE_BUCKET, in fra1), at
 * `<name>-fleet.<zone>`, every editor powering off after 30 minutes without activity. This stack
 * is the team's own (the admins' policy, the URLs, the control plane); the layout configures its
 * backend and providers and those of `fleet-<name>`. The control plane stops a powered-off editor
 * and starts it again when its URL is opened, through the `start-editor.yml` workflow
 * (docs/start-on-visit.md). Its tokens, a custom-scoped DigitalOcean token and a GitHub token that
 * may run the workflow, are sensitive variables of this stack, set at deploy time:
 * `TF_VAR_control_plane_token=… TF_VAR_start_hook_token=… cdktf deploy fleet 'fleet-*' --parallelism 2`.
 * No member's stack reads them, and no droplet holds a token.
 */
export class FleetExample extends TerraformStack {
  public readonly team: CodeServerTeam;

  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id);
    const secret = (name: string) => new TerraformVariable(this, name, {
      type: 'string', sensitive: true, description: `A secret of the control plane (TF_VAR_${name})`,
    }).stringValue;
    this.team = new CodeServerTeam(this, 'Team', {
      ...teamProps(settings),
      hostnamePattern: '{name}-fleet.{zoneName}',
      layout: TeamLayout.stackPerMember({
        backend: StateBackend.digitaloceanSpaces({ bucket: settings.stateBucket, region: 'fra1' }),
      }),
      idleStop: { idleMinutes: 30 },
      controlPlane: ControlPlane.create({
        digitaloceanToken: secret(CONTROL_PLANE_VARIABLES.digitaloceanToken),
        startHook: StartHook.gitHubWorkflow({
          repository: 'example-org/editors',
          workflow: 'start-editor.yml',
          token: secret(CONTROL_PLANE_VARIABLES.startHookToken),
        }),
      }),
    });
  }
}

runAsApp(module, (app, settings) => new FleetExample(app, 'fleet', settings));
