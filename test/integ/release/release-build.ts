import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { cloneWithoutBuild, sh } from '../consumer/new-project';
import { ROOT, run } from '../packages/artifacts';

// The release workflow's build, in a copy of the repository: its `release` job bumps the version
// (`npx projen bump`) and builds, and its publishing jobs package npm (`npx projen package:js`)
// and Python (`npx projen package:python`) from that build. The copy has the repository's history
// and tags, which the bump reads, and the work tree as it is, committed or not.

/** What a release puts in dist/ for the registries. */
export interface ReleaseBuild {
  /** The version of the npm package (semver). */
  readonly version: string;
  /** The tag the release workflow would make. */
  readonly tag: string;
  /** The changelog entry of the release. */
  readonly changelog: string;
  readonly npmTarball: string;
  /** The version of the Python distributions (PEP 440, as jsii-pacmak writes it). */
  readonly pythonVersion: string;
  readonly wheel: string;
  readonly sdist: string;
}

/**
 * The rehearsal is a release candidate of the next release: projen's bump on a prerelease branch
 * (`PRERELEASE=rc`), so its version is new even before the first release, whose version projen
 * leaves at 0.0.0, the version of every unreleased build.
 */
const PRERELEASE = 'rc';

/** A copy of the repository in `dest`: its history and tags, and the work tree without builds. */
export function releaseClone(dest: string): void {
  run('git', ['clone', '--quiet', '--no-checkout', ROOT, dest]);
  cloneWithoutBuild(dest);
}

/** `npx projen bump`, as the release job runs it: the version, the tag and the changelog in dist/. */
export function bump(clone: string): Pick<ReleaseBuild, 'version' | 'tag' | 'changelog'> {
  sh('npx projen bump', clone, { PRERELEASE });
  const read = (file: string) => readFileSync(join(clone, 'dist', file), 'utf8').trim();
  return { version: read('version.txt'), tag: read('releasetag.txt'), changelog: read('changelog.md') };
}

/** The build and the two publishing jobs' packaging, with the bumped version. */
export function packageRelease(clone: string): Pick<ReleaseBuild, 'npmTarball' | 'pythonVersion' | 'wheel' | 'sdist'> {
  sh('npx projen compile && npx projen package:js && npx projen package:python', clone);
  const only = (dir: string, pattern: RegExp) => {
    const found = readdirSync(join(clone, 'dist', dir)).filter((f) => pattern.test(f));
    if (found.length !== 1) throw new Error(`dist/${dir} holds ${found.length} files like ${pattern}: ${found.join(', ')}`);
    return join(clone, 'dist', dir, found[0]);
  };
  const wheel = only('python', /\.whl$/);
  return {
    npmTarball: only('js', /\.tgz$/),
    wheel,
    sdist: only('python', /\.tar\.gz$/),
    pythonVersion: /^cdktf_zero_trust_code_server-([^-]+)-/.exec(wheel.split('/').pop()!)![1],
  };
}
