import { cdktf, javascript, JsonFile, Task } from 'projen';
import { jestRoots, TIERS } from './projenrc/tiers';
import { cacheSteps, TEST_CONTAINER, testJobs } from './projenrc/workflows';

const providerPeers = [
  '@cdktf/provider-cloudflare@^13.9.1',
  '@cdktf/provider-digitalocean@^13.14.1',
  '@cdktf/provider-tls@^11.0.1',
];

/**
 * The release job runs every tier, as CI (.ci/run) does, in the Debian container of the tier jobs
 * (projenrc/workflows.ts): their caches, the tools of every tier, then `npm run test:all`.
 */
const releaseTestSteps = [
  ...cacheSteps(Object.keys(TIERS)),
  { name: 'Install the test tiers\' tools', run: 'scripts/install-test-tools.sh' },
  { name: 'Run every test tier', run: 'npx projen test:all' },
];

/** Everything the npm package holds besides package.json, the README, the LICENSE and the bundled dependencies. */
const PACKAGE_FILES = ['lib/**/*.js', 'lib/**/*.d.ts', 'lib/boot/assets/', 'lib/control-plane/assets/', '.jsii', 'API.md', 'docs/*.md', 'scripts/prepare-image.sh'];

const project = new cdktf.ConstructLibraryCdktf({
  name: 'cdktf-zero-trust-code-server',
  description:
    'A private VS Code in the browser for every developer: code-server on a DigitalOcean droplet, reachable only through a Cloudflare Tunnel and guarded by Cloudflare Access.',
  author: 'cdktf-zero-trust-code-server maintainers',
  authorAddress: 'maintainers@ztcs.invalid',
  repositoryUrl: 'https://github.com/cdktf-zero-trust-code-server/cdktf-zero-trust-code-server.git',
  keywords: ['cdktf', 'code-server', 'vscode', 'cloudflare', 'cloudflare-tunnel', 'cloudflare-access', 'digitalocean', 'zero-trust'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  // The first release is 0.1.0 (projen would tag 0.0.0, whose ^0.0.0 range pins one version);
  // after it, the commits decide: a fix is a patch, a feature or a breaking change a minor (0.x).
  nextVersionCommand: '[ -n "$LATEST_TAG" ] || echo 0.1.0',
  // Each release (a tag made from conventional commits) publishes to npm with a provenance
  // statement, signed with the workflow's OIDC identity; npm takes the NPM_TOKEN secret.
  releaseToNpm: true,
  npmProvenance: true,
  // PyPI trusts the release workflow itself (a trusted publisher configured on PyPI for this
  // repository and workflow): no PyPI secret exists.
  publishToPypi: { distName: 'cdktf-zero-trust-code-server', module: 'cdktf_zero_trust_code_server', trustedPublishing: true },
  projenrcTs: true,
  // The package's content is the `files` allow list below.
  npmignoreEnabled: false,
  projenVersion: '0.103.25',
  packageManager: javascript.NodePackageManager.NPM,
  // The library runs on Node.js 20.9 or newer (the provider packages' floor) and is tested on 20,
  // 22 and 24 (.ci/run). 22 is the recommended line: the build tools (jsii, the release tools) want
  // 22 or newer, Node.js 20 is past its end of life, and the cdktf CLI's terminal helper comes
  // prebuilt up to 22 only.
  minNodeVersion: '20.9.0',
  workflowNodeVersion: '22.x',
  // The build job runs the fast tiers (`npx projen build`); the build workflow's other jobs, lint
  // first, then one per slow tier and one per other Node.js line (projenrc/workflows.ts); the
  // release job runs every tier before it releases.
  releaseWorkflowSetupSteps: releaseTestSteps,

  // TypeScript 7 (the native compiler) cannot be driven by ts-node or ts-jest.
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.3',

  cdktfVersion: '^0.21.0',
  constructsVersion: '^10.4.2',
  peerDeps: providerPeers,
  devDeps: [
    ...providerPeers,
    // Only the latest dist-tag of @types/node is served; pin the line of the Node.js we support.
    '@types/node@^20.19.0',
    'ts-node@^10.9.2',
    // `npx cdktf deploy basic` for the examples.
    'cdktf-cli@0.21.0',
    // The VM tier's real editor is opened in Debian's Chromium (never a browser of its own: the
    // core package downloads none).
    'playwright-core@^1.65.1',
    // The control plane's Worker: bundled into one ES module (lib/control-plane/assets/worker.mjs),
    // and run in workerd by the worker tier.
    'esbuild@^0.28.2',
    'miniflare@^4.20260426.0',
  ],
  bundledDeps: ['yaml@^2.8.0'],

  srcdir: 'lib',
  libdir: 'lib',
  testdir: 'test',
  tsconfigDev: {
    include: ['../examples/**/*.ts'],
    compilerOptions: {},
  },
  jestOptions: {
    // A snapshot that a test run may rewrite cannot fail: update them on purpose with `npx jest -u`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      // lib/ is compiled in place: prefer the sources to whatever .js a build left beside them.
      moduleFileExtensions: ['ts', 'tsx', 'js', 'json', 'node'],
      setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
      // Nothing reads a coverage report, and collecting one makes `npx jest test/unit/<part>`,
      // the fast loop, twice as slow.
      collectCoverage: false,
      testTimeout: 120_000,
    },
  },
  eslintOptions: {
    dirs: ['lib'],
    devdirs: ['test', 'examples', 'bench', 'compat', 'scripts', '.projenrc.ts'],
    // `npm test` lints; it never rewrites a file. `npx projen eslint:fix` fixes.
    commandOptions: { fix: false },
  },
  // jsii writes a default .npmignore where none exists; the package's `files` allow list governs,
  // and npm never lets a root .npmignore override it.
  gitignore: ['/bench/.out/', 'cdktf.out/', '.terraform/', '*.tfstate*', '.gen/', '/lib/**/*.js', '/lib/**/*.d.ts', '!/lib/**/*.ts', '/.npmignore'],
});

new JsonFile(project, 'cdktf.json', {
  obj: {
    language: 'typescript',
    app: 'npx ts-node --prefer-ts-exts --transpile-only examples/main.ts',
    projectId: 'cdktf-zero-trust-code-server-examples',
    sendCrashReports: 'false',
    terraformProviders: [],
    terraformModules: [],
    context: {},
  },
});

// eslint's project service finds the nearest tsconfig.json; the root one covers lib/ only.
for (const dir of ['examples', 'bench', 'compat', 'scripts']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: {
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: true, rootDir: '..' },
      include: ['**/*.ts'],
    },
  });
}

project.addTask('synth', {
  description: 'Synthesizes the examples into cdktf.out/ (what `cdktf synth` would write)',
  exec: 'ts-node --prefer-ts-exts --transpile-only examples/main.ts',
});

// API compatibility with the previous release (compat/check.ts): the newest release tag's package,
// or before the first tag the assembly recorded in compat/baseline.jsii. A breaking change fails
// the tests unless a commit since then declares it (`BREAKING CHANGE:`).
const compat = project.tasks.tryFind('compat')!;
compat.reset('ts-node --transpile-only compat/check.ts');
compat.description = 'jsii-diff against the previous release (newest tag, else compat/baseline.jsii): fails on an undeclared breaking change';
const compatRecord = project.addTask('compat:record', {
  description: 'Records this version\'s API as the baseline of the compatibility check (compat/baseline.jsii), until the first release tag',
});
compatRecord.spawn(project.compileTask);
compatRecord.exec('cp .jsii compat/baseline.jsii');
project.gitattributes.addAttributes('/compat/baseline.jsii', 'linguist-generated');

// The test tiers (projenrc/tiers.ts), a folder each: `test/unit/` mirrors lib/, `test/integ/<tier>/`
// holds the tiers that need tools; each is a task of its own (`npx projen test:<tier>`).
// test/unit/projenrc/tiers.test.ts proves that every test file is in exactly one tier. jest runs through
// scripts/jest-strict.ts, which fails the step when jest is killed (projen would count a signal as
// a success) or its JUnit report counts no test or a failure. Arguments after a task's name narrow
// its run: `npx projen test:unit test/unit/team`.
const jestStrict = 'ts-node --transpile-only scripts/jest-strict.ts';
// The fast tiers are short CPU-bound tests: they take every core (jest leaves one free, which on two
// cores runs them one file at a time). The others leave a core to the tools they drive (qemu, Terraform).
const jest = (tiers: string[]) => {
  const workers = tiers.every((name) => TIERS[name].fast) ? ' --maxWorkers=100%' : '';
  return `${jestStrict} ${jestRoots(tiers.map((name) => TIERS[name]))} --ci${workers}`;
};
for (const [name, tier] of Object.entries(TIERS)) {
  project.addTask(`test:${name}`, {
    description: `The ${name} tier (${tier.folder}): ${tier.description}`,
    exec: jest([name]),
    receiveArgs: true,
  });
}
const nodeLineTiers = Object.keys(TIERS).filter((name) => !TIERS[name].externalTools);
project.addTask('test:node-line', {
  description: `The tiers that test Node.js itself (${nodeLineTiers.join(', ')}), for CI's other Node.js lines`,
  exec: jest(nodeLineTiers),
  receiveArgs: true,
});

// `npm test`, the fast loop: the fast tiers, then the linter and the API check; `npm run test:all`
// (what CI runs): every tier. Each ends by checking the JUnit report again, in case the wrapper
// itself was killed.
const fastTiers = Object.keys(TIERS).filter((name) => TIERS[name].fast);
const slowTiers = Object.keys(TIERS).filter((name) => !TIERS[name].fast);
const suite = (task: Task, tiers: string[]) => {
  // ts-jest transpiles without type checking; the tests and the examples are type-checked here.
  task.exec('tsc --noEmit -p test/tsconfig.json');
  task.exec(jest(tiers), { receiveArgs: true });
  task.spawn(project.tasks.tryFind('eslint')!);
  task.spawn(compat);
  task.exec(`${jestStrict} --check-report`);
};
project.testTask.reset();
project.testTask.description = `The fast tiers (${fastTiers.join(', ')}), eslint and the API check; \`npm run test:all\` runs every tier`;
suite(project.testTask, fastTiers);
project.testTask.say(`npm test ran the ${fastTiers.join(', ')} tier and skipped the slower ${slowTiers.join(', ')}: \`npx projen test:<tier>\` runs one, \`npm run test:all\` runs them all (what CI runs)`);
suite(project.addTask('test:all', { description: `Every test tier (${Object.keys(TIERS).join(', ')}), eslint and the API check: what CI runs` }), Object.keys(TIERS));

const bench = project.addTask('bench', {
  description: 'The library against hand-written raw resources at 1 to 300 developers, whole processes; writes bench/results.md (numbers, no assertions)',
});
bench.spawn(project.compileTask);
bench.exec('ts-node --transpile-only bench/run.ts', { receiveArgs: true });

const benchPlans = project.addTask('bench:plans', {
  description: 'A team as one stack against a fleet (a state per member): API calls and wall time of plans at 10, 100 and 300 members, with Terraform and the providers against the stand-in; writes bench/plans.md (numbers, no assertions)',
});
benchPlans.exec('ts-node --transpile-only bench/plans.ts', { receiveArgs: true });

// The control plane's Worker is one ES module string that the construct uploads: esbuild bundles
// lib/control-plane/worker/ into lib/control-plane/assets/worker.mjs before every compile, and
// test/unit/control-plane/bundle.test.ts fails when the committed bundle is not what its source makes.
const bundleWorker = project.addTask('bundle:worker', {
  description: 'Bundles the control plane\'s Worker (lib/control-plane/worker/) into lib/control-plane/assets/worker.mjs',
  exec: 'ts-node --transpile-only scripts/bundle-worker.ts',
});
project.preCompileTask.spawn(bundleWorker);

project.addTask('bench:control-plane', {
  description: 'The control plane\'s Worker in workerd against the worker tier\'s stand-ins: time to answer a visit (median of N) and the bundle\'s size; writes bench/control-plane.md (numbers, no assertions)',
  exec: 'ts-node --transpile-only bench/control-plane.ts',
  receiveArgs: true,
});

project.addTask('eslint:fix', {
  description: 'Runs eslint and fixes what it can (`npm test` only lints)',
  exec: 'projen eslint --fix',
});

// Compile before every pack, so that no package ships without its JavaScript. `prepare` rather
// than `prepack`: npm runs it for `npm pack` and `npm publish`, and it is the only script npm runs
// when a project installs this library from a git tag. jsii reports on stdout, where
// `npm pack --json` writes its JSON: the report goes to stderr.
project.addTask('prepare', {
  description: 'Compiles with jsii (npm runs it after `npm ci`, before `npm pack`, and for installs from git)',
  exec: 'projen compile 1>&2',
});

// The Go binding, built by jsii-pacmak into dist/go (`npx projen package-all`, after js and
// python). It is a jsii target only: publishing a Go module needs a repository of its own, so no
// publishing job is generated.
project.package.file.addOverride('jsii.targets.go', {
  moduleName: 'github.com/cdktf-zero-trust-code-server/cdktf-zero-trust-code-server-go',
  packageName: 'zerotrustcodeserver',
});
const packageAll = project.tasks.tryFind('package-all')!;
// A Go module is published as its source. jsii-pacmak's own compile check of that source
// (`go mod tidy`, `go build`) needs the prebuilt provider Go modules, which the Go module proxy
// does not serve (403 for github.com/cdktf/cdktf-provider-*-go at v13.9.1, v13.14.1, v11.0.1).
packageAll.spawn(
  project.addTask('package:go', {
    description: 'Create go language bindings: the Go module source in dist/go',
    exec: 'jsii-pacmak -v --target go --code-only',
  }),
);

// projen packages only JavaScript in CI and leaves the other languages to the publishing jobs, which
// build them from the npm tarball. `package` builds every language everywhere, so that CI and the
// release job's build check the wheel and the Go module before anything is tagged.
project.packageTask.reset();
project.packageTask.spawn(packageAll);

// What the package holds is an allow list (package.json `files`), not a list of what to leave out:
// a file that happens to be in the working folder (a *.tfstate, a roster, a .env) is never
// published. npm adds package.json, the README and the LICENSE, and the bundled dependencies.
project.package.addField('files', PACKAGE_FILES);

// The build workflow: lint and the API check first, then the build (the fast tiers) beside a job
// per slow tier and per other Node.js line. The release job runs every tier in the tier jobs'
// Debian container (as root, privileged for the VM tier's image build); the publishing jobs keep
// GitHub's runner and its tools.
const buildWorkflow = project.github!.tryFindWorkflow('build')!;
buildWorkflow.addJobs(testJobs(['20', '24']));
buildWorkflow.file!.addOverride('jobs.build.needs', ['lint']);
buildWorkflow.file!.addOverride('jobs.tier.container', TEST_CONTAINER);
project.github!.tryFindWorkflow('release')!.file!.addOverride('jobs.release.container', TEST_CONTAINER);

project.synth();
