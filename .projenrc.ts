import { cdktf, javascript, JsonFile } from 'projen';
import { tierPattern, TIERS } from './projenrc/tiers';

const providerPeers = [
  '@cdktf/provider-cloudflare@^13.9.1',
  '@cdktf/provider-digitalocean@^13.14.1',
  '@cdktf/provider-tls@^11.0.1',
];

/** The step of the GitHub jobs that run the tests: the tools of every tier, as .ci/run installs them. */
const installTestTools = { name: 'Install the test tiers\' tools', run: 'scripts/install-test-tools.sh' };

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
  projenVersion: '0.103.25',
  packageManager: javascript.NodePackageManager.NPM,
  // The library runs on Node.js 20.9 or newer (the provider packages' floor) and is tested on 20,
  // 22 and 24 (.ci/run). 22 is the recommended line: the build tools (jsii, the release tools) want
  // 22 or newer, Node.js 20 is past its end of life, and the cdktf CLI's terminal helper comes
  // prebuilt up to 22 only.
  minNodeVersion: '20.9.0',
  workflowNodeVersion: '22.x',
  // The build and release jobs run the whole test suite, whose boot and VM tiers need root and
  // Debian's tools (as CI's .ci/run does): they run in a Debian container, as root and privileged
  // (debootstrap mounts, qemu), after scripts/install-test-tools.sh.
  buildWorkflowOptions: { preBuildSteps: [installTestTools] },
  releaseWorkflowSetupSteps: [installTestTools],

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
      testTimeout: 120_000,
    },
  },
  eslintOptions: {
    dirs: ['lib'],
    devdirs: ['test', 'examples', 'bench', 'compat', '.projenrc.ts'],
    // `npm test` lints; it never rewrites a file. `npx projen eslint:fix` fixes.
    commandOptions: { fix: false },
  },
  gitignore: ['/bench/.out/', 'cdktf.out/', '.terraform/', '*.tfstate*', '.gen/', '/lib/**/*.js', '/lib/**/*.d.ts', '!/lib/**/*.ts'],
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
for (const dir of ['examples', 'bench', 'compat']) {
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

// ts-jest transpiles without type checking; the tests and the examples are type-checked here.
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

// API compatibility with the previous release (compat/check.ts): the newest release tag's package,
// or before the first tag the assembly recorded in compat/baseline.jsii. A breaking change fails
// the tests unless a commit since then declares it (`BREAKING CHANGE:`).
const compat = project.tasks.tryFind('compat')!;
compat.reset('ts-node --transpile-only compat/check.ts');
compat.description = 'jsii-diff against the previous release (newest tag, else compat/baseline.jsii): fails on an undeclared breaking change';
project.testTask.spawn(compat);
const compatRecord = project.addTask('compat:record', {
  description: 'Records this version\'s API as the baseline of the compatibility check (compat/baseline.jsii), until the first release tag',
});
compatRecord.spawn(project.compileTask);
compatRecord.exec('cp .jsii compat/baseline.jsii');
project.gitattributes.addAttributes('/compat/baseline.jsii', 'linguist-generated');

// The test tiers (projenrc/tiers.ts), a folder each: `test/unit/` mirrors lib/, `test/integ/<tier>/`
// holds the tiers that need tools; each is a task of its own (`npx projen test:<tier>`), and
// `npm test` runs them all. test/unit/tiers.test.ts proves that every test file is in one tier.
const jest = (tiers: string[]) => `jest --ci --coverage=false ${tiers.map((name) => `'${tierPattern(TIERS[name])}'`).join(' ')}`;
for (const [name, tier] of Object.entries(TIERS)) {
  project.addTask(`test:${name}`, {
    description: `The ${name} tier (${tier.folder}): ${tier.description}`,
    exec: jest([name]),
  });
}
const nodeLineTiers = Object.keys(TIERS).filter((name) => !TIERS[name].externalTools);
project.addTask('test:node-line', {
  description: `The tiers that test Node.js itself (${nodeLineTiers.join(', ')}), for CI's other Node.js lines`,
  exec: jest(nodeLineTiers),
});

const bench = project.addTask('bench', {
  description: 'The library against hand-written raw resources at 1 to 300 developers, whole processes; writes bench/results.md (numbers, no assertions)',
});
bench.spawn(project.compileTask);
bench.exec('ts-node --transpile-only bench/run.ts', { receiveArgs: true });

const benchPlans = project.addTask('bench:plans', {
  description: 'A team as one stack against a fleet (a state per member): API calls and wall time of plans at 10, 100 and 300 members, with Terraform and the providers against the stand-in; writes bench/plans.md (numbers, no assertions)',
});
benchPlans.exec('ts-node --transpile-only bench/plans.ts', { receiveArgs: true });

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

project.npmignore?.exclude('/bench/', '/docs/images/', '/scripts/', '/examples/', '/compat/', '/cdktf.json', '/.ci/', 'cdktf.out/', '/lib/**/*.ts', '*.tgz');
project.npmignore?.include('/lib/**/*.d.ts', '/lib/**/*.js');

// The container of the two jobs that run the tests (the publishing jobs keep GitHub's runner and
// its tools): Debian, as root, privileged for the VM tier's image build (mounts).
for (const [workflow, job] of [['build', 'build'], ['release', 'release']]) {
  project.github?.tryFindWorkflow(workflow)?.file?.addOverride(`jobs.${job}.container`, { image: 'node:22-bookworm', options: '--privileged' });
}

project.synth();
