// Times what a user of the published package waits for: loading the compiled library (with its
// deep provider imports) and building and synthesizing a stack with one ZeroTrustCodeServer.
// Prints milliseconds and asserts nothing.   npx projen bench [runs]
import { performance } from 'perf_hooks';
import type * as Library from '../lib';

const runs = Number(process.argv[2] ?? 20);

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  return `mean ${mean.toFixed(1)} ms, median ${at(0.5)} ms, p90 ${at(0.9)} ms (${samples.length} runs)`;
}

// The compiled JavaScript, as an installed package loads it (the build task compiles it first).
const loadStart = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../lib/index.js') as typeof Library;
console.log(`load the compiled library: ${(performance.now() - loadStart).toFixed(1)} ms`);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { TerraformStack, Testing } = require('cdktf') as typeof import('cdktf');

const cases: Record<string, Partial<Library.ZeroTrustCodeServerProps>> = {
  'defaults': {},
  'every option': {
    size: 's-2vcpu-2gb',
    allowedGithubOrganizations: [{ name: 'example-org', identityProviderId: 'idp-1', team: 'developers' }],
    identityProviderIds: ['idp-1'],
    extensions: ['esbenp.prettier-vscode'],
    settings: { 'editor.formatOnSave': true },
    gitRepositories: ['https://github.com/example-org/app.git'],
    dotfilesRepository: 'https://github.com/example-org/dotfiles.git',
  },
};

for (const [name, extra] of Object.entries(cases)) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const stack = new TerraformStack(Testing.app(), 'bench');
    new lib.ZeroTrustCodeServer(stack, 'CodeServer', {
      cloudflareAccountId: '0123456789abcdef0123456789abcdef',
      cloudflareZoneId: 'fedcba9876543210fedcba9876543210',
      zoneName: 'example.com',
      hostname: 'code.example.com',
      teamName: 'example',
      allowedEmails: ['dev@example.com'],
      ...extra,
    });
    Testing.synth(stack);
    samples.push(performance.now() - start);
  }
  console.log(`build and synthesize (${name}): ${stats(samples)}`);
}
