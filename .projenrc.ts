import { cdktf, javascript, JsonFile } from 'projen';

const providerPeers = [
  '@cdktf/provider-cloudflare@^13.9.1',
  '@cdktf/provider-digitalocean@^13.14.1',
  '@cdktf/provider-tls@^11.0.1',
];

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
  // Releases are versioned and tagged from conventional commits; publishing to a package
  // registry is added where its credentials live.
  releaseToNpm: false,
  projenrcTs: true,
  projenVersion: '0.103.25',
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',

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
      setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
      testTimeout: 120_000,
    },
  },
  eslintOptions: {
    dirs: ['lib'],
    devdirs: ['test', 'examples', 'bench', '.projenrc.ts'],
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
for (const dir of ['examples', 'bench']) {
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

const bench = project.addTask('bench', {
  description: 'The library against hand-written raw resources at 1 to 300 developers, whole processes; writes bench/results.md (numbers, no assertions)',
});
bench.spawn(project.compileTask);
bench.exec('ts-node --transpile-only bench/run.ts', { receiveArgs: true });

// The Python and Go bindings, built by jsii-pacmak into dist/python and dist/go (`npx projen
// package-all`). They are jsii targets only: like npm, publishing them is configured where the
// registries' credentials live, so no publishing job is generated.
const pythonTarget = { distName: 'cdktf-zero-trust-code-server', module: 'cdktf_zero_trust_code_server' };
const goTarget = {
  moduleName: 'github.com/cdktf-zero-trust-code-server/cdktf-zero-trust-code-server-go',
  packageName: 'zerotrustcodeserver',
};
project.package.file.addOverride('jsii.targets', { python: pythonTarget, go: goTarget });
const packageAll = project.tasks.tryFind('package-all')!;
packageAll.spawn(
  project.addTask('package:python', {
    description: 'Create python language bindings: a wheel and an sdist in dist/python',
    exec: 'jsii-pacmak -v --target python',
  }),
);
// A Go module is published as its source. jsii-pacmak's own compile check of that source
// (`go mod tidy`, `go build`) needs the prebuilt provider Go modules, which the Go module proxy
// does not serve (403 for github.com/cdktf/cdktf-provider-*-go at v13.9.1, v13.14.1, v11.0.1).
packageAll.spawn(
  project.addTask('package:go', {
    description: 'Create go language bindings: the Go module source in dist/go',
    exec: 'jsii-pacmak -v --target go --code-only',
  }),
);

// projen packages only JavaScript in CI and leaves the other languages to per-language jobs of its
// publishing workflows, which this project does not generate: `package` builds every language.
project.packageTask.reset();
project.packageTask.spawn(packageAll);

project.npmignore?.exclude('/bench/', '/scripts/', '/examples/', '/cdktf.json', '/.ci/', 'cdktf.out/', '/lib/**/*.ts');
project.npmignore?.include('/lib/**/*.d.ts', '/lib/**/*.js');

project.synth();
