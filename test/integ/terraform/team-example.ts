import { App } from 'cdktf';
import { StackConfig, synthesize } from './terraform';
import { ExampleSettings, TeamStack } from '../../../examples/main';
import { TeamMember } from '../../../lib';

/** The `team` example's stack with the given settings and another member list. */
export function teamExample(settings: ExampleSettings, members: TeamMember[]): StackConfig {
  return synthesize((outdir) => {
    const app = new App({ outdir });
    new TeamStack(app, 'team', { ...settings, teamMembers: members });
    return app;
  })[0];
}
