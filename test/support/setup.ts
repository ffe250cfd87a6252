import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdktf';
// The matchers' type declarations (toHaveResourceWithProperties, …) for every test file.
import 'cdktf/lib/testing/adapters/jest';

Testing.setupJest();

// Every test gets a new team roster, so that no test reads or rewrites the example's committed
// one (examples/team.roster.json), and no test sees the members of another (a member missing from
// a roster's team is a member removed). A test that carries a roster from step to step names its own.
// A test's team is new to its roster, and the roster is written even where CI is set; the tests of
// the roster's own rules set ZTCS_ROSTER themselves.
process.env.ZTCS_ROSTER = 'new';
const rosters = mkdtempSync(join(tmpdir(), 'ztcs-rosters-'));
let rosterCount = 0;
const newRoster = () => {
  process.env.ZTCS_ROSTER_FILE = join(rosters, `roster-${++rosterCount}.json`);
};
// One for what a test file synthesizes while it is loaded, then one per test.
newRoster();
beforeEach(newRoster);
afterAll(() => rmSync(rosters, { recursive: true, force: true }));
