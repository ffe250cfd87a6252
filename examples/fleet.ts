import { Lazy, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { ExampleSettings, runAsApp } from './settings';
import { teamProps } from './team';
import { CodeServerFleet, StateBackend } from '../lib';

/** The Terraform variable of each member's stack that holds the idle stop's token: `TF_VAR_idle_stop_token`. */
export const IDLE_STOP_TOKEN = 'idle_stop_token';

/**
 * `var.<name>` in whichever stack it is resolved: a token that belongs to no stack, so each
 * member's stack reads its own variable. A variable's `stringValue` belongs to the stack that
 * declares it, and cdktf would carry it to the others as a cross-stack output, in plain text in
 * that stack's state.
 */
function eachStacksVariable(name: string): string {
  return Lazy.stringValue({ produce: () => `\${var.${name}}` });
}

/**
 * A team beyond a handful: the `team` example's members as a fleet, a stack and a Terraform state
 * for each in a DigitalOcean Spaces bucket (ZTCS_STATE_BUCKET, in fra1), at `<name>-fleet.<zone>`,
 * every editor stopping itself after 30 minutes without activity. The idle stop's token, a
 * custom-scoped DigitalOcean token, is a sensitive variable of each member's stack, set at deploy
 * time: `TF_VAR_idle_stop_token=… cdktf deploy fleet 'fleet-*' --parallelism 2`.
 */
export class FleetExample extends CodeServerFleet {
  constructor(scope: Construct, id: string, settings: ExampleSettings) {
    super(scope, id, {
      ...teamProps(settings),
      hostnamePattern: '{name}-fleet.{zoneName}',
      backend: StateBackend.digitaloceanSpaces({ bucket: settings.stateBucket, region: 'fra1' }),
      idleStop: { idleMinutes: 30, digitaloceanToken: eachStacksVariable(IDLE_STOP_TOKEN) },
    });
    for (const stack of Object.values(this.memberStacks)) {
      new TerraformVariable(stack, IDLE_STOP_TOKEN, {
        type: 'string',
        sensitive: true,
        description: 'A DigitalOcean token scoped to droplet:read, droplet:delete and tag:create, for the idle stop',
      }).overrideLogicalId(IDLE_STOP_TOKEN);
    }
  }
}

runAsApp(module, (app, settings) => new FleetExample(app, 'fleet', settings));
