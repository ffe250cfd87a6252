import { App } from 'cdktf';
import { BasicStack } from './basic';
import { CompleteStack } from './complete';
import { FleetExample } from './fleet';
import { PlatformStack } from './platform';
import { ExampleSettings, readSettings, warnAboutPlaceholders } from './settings';
import { TeamStack } from './team';

// Every example in one app, the one the repository's cdktf.json runs (`npx cdktf deploy basic`).
// Each file also runs as an app of its own (examples/README.md).

export * from './settings';
export * from './basic';
export * from './complete';
export * from './team';
export * from './fleet';
export * from './platform';

/** Each example's file and the stacks it makes with the default settings, as examples/README.md lists them. */
export const EXAMPLE_FILES: Record<string, string[]> = {
  'basic.ts': ['basic'],
  'complete.ts': ['complete'],
  'team.ts': ['team'],
  'fleet.ts': ['fleet', 'fleet-alice', 'fleet-bob', 'fleet-carol'],
  'platform.ts': ['platform'],
};

/** Builds the examples' app: the stacks `basic`, `complete`, `team`, `platform`, and the fleet's `fleet` and `fleet-<member>`. */
export function buildApp(settings: ExampleSettings, outdir?: string): App {
  const app = new App(outdir ? { outdir } : undefined);
  new BasicStack(app, 'basic', settings);
  new CompleteStack(app, 'complete', settings);
  new TeamStack(app, 'team', settings);
  new PlatformStack(app, 'platform', settings);
  new FleetExample(app, 'fleet', settings);
  return app;
}

if (require.main === module) {
  const settings = readSettings();
  warnAboutPlaceholders(settings);
  buildApp(settings).synth();
}
