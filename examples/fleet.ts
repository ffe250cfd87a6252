import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, runAsApp } from './settings';
import { teamProps } from './team';
import { CodeServerFleet, ControlPlane, StartHook, StateBackend } from '../lib';

/** The Terraform variables of the base stack that hold the control plane's tokens: `TF_VAR_control_plane_token`, `TF_VAR_start_hook_token`. */
export const CONTROL_PLANE_VARIABLES = { digitaloceanToken: 'control_plane_token', startHookToken: 'start_hook_token' } as const;

/**
 * A team beyond a handful: the `team` example's members as a fleet, a stack and a Terraform state
 * for each in a DigitalOcean Spaces bucket (ZTCS_STATE_BUCKET, in fra1), at `<name>-fleet.<zone>`,
 * every editor powering off after 30 minutes without activity. The control plane in the base
 * stack stops a powered-off editor and starts it again when its URL is opened, through the
 * `start-editor.yml` workflow (docs/start-on-visit.md). Its tokens, a custom-scoped DigitalOcean
 * token and a GitHub token that may run the workflow, are sensitive variables of the base stack,
 * set at deploy time: `TF_VAR_control_plane_token=… TF_VAR_start_hook_token=… cdktf deploy fleet 'fleet-*'`.
 * No droplet holds a token.
 */
export class FleetExample extends CodeServerFleet {
  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id, {
      ...teamProps(settings),
      hostnamePattern: '{name}-fleet.{zoneName}',
      backend: StateBackend.digitaloceanSpaces({ bucket: settings.stateBucket, region: 'fra1' }),
      idleStop: { idleMinutes: 30 },
      // The base stack's variables (declared below): the control plane lives there, and no member's stack reads them.
      controlPlane: ControlPlane.create({
        digitaloceanToken: CodeServerFleet.sensitiveVariable(CONTROL_PLANE_VARIABLES.digitaloceanToken),
        startHook: StartHook.gitHubWorkflow({
          repository: 'example-org/editors',
          workflow: 'start-editor.yml',
          token: CodeServerFleet.sensitiveVariable(CONTROL_PLANE_VARIABLES.startHookToken),
        }),
      }),
    });
    for (const name of Object.values(CONTROL_PLANE_VARIABLES)) {
      new TerraformVariable(this, name, { type: 'string', sensitive: true, description: `A secret of the control plane (TF_VAR_${name})` }).overrideLogicalId(name);
    }
  }
}

runAsApp(module, (app, settings) => new FleetExample(app, 'fleet', settings));
