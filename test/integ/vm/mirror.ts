import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { copyFileSync, createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { join, normalize, sep } from 'path';

// The two programs the boot downloads, as stand-ins built here (never downloaded), served from a
// mirror on loopback that the test starts and stops: code-server's .deb at a URL of the
// codeServerDebUrl form, cloudflared in an apt repository laid out as Cloudflare's (suite `any`,
// component `main`) and signed with a key made for the run.

/** Where the guest finds the mirror: qemu forwards this address to the mirror on the host's loopback. */
export const MIRROR_IN_GUEST = 'http://10.0.2.100';

/** What the mirror's files are: the fingerprint of the key that signs its repository, and each .deb's SHA-256. */
export interface MirrorContent {
  readonly keyFingerprint: string;
  /** code-server's .deb by version. */
  readonly codeServerSha256: Record<string, string>;
}

/**
 * The boot options (`boot`) that point the boot at the mirror for one code-server version: over
 * plain http, so with the .deb's SHA-256 and the mirror's own key's fingerprint pinned.
 */
export function mirrorProps(content: MirrorContent, codeServerVersion: string) {
  return {
    codeServerVersion,
    codeServerDebUrl: `${MIRROR_IN_GUEST}/code-server/v{version}/code-server_{version}_amd64.deb`,
    codeServerSha256: content.codeServerSha256[codeServerVersion],
    cloudflaredAptRepository: `${MIRROR_IN_GUEST}/cloudflared`,
    cloudflaredKeyUrl: `${MIRROR_IN_GUEST}/cloudflared/key.asc`,
    cloudflaredKeyFingerprint: content.keyFingerprint,
  };
}
/** The stand-in cloudflared's version. */
export const CLOUDFLARED_VERSION = '2026.1.0';

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...options });
}

/** A one-program .deb whose program is a stand-in from guest/, with its version filled in. */
function standInDeb(work: string, name: string, version: string, depends: string): string {
  const root = join(work, `${name}_${version}`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
  writeFileSync(join(root, 'DEBIAN', 'control'), [
    `Package: ${name}`,
    `Version: ${version}`,
    'Architecture: amd64',
    'Maintainer: cdktf-zero-trust-code-server tests <maintainers@ztcs.invalid>',
    `Depends: ${depends}`,
    `Description: stand-in ${name} for the VM test tier`,
    '',
  ].join('\n'));
  const program = readFileSync(join(__dirname, 'guest', name), 'utf8').replace(/@VERSION@/g, version);
  writeFileSync(join(root, 'usr', 'bin', name), program, { mode: 0o755 });
  const deb = join(work, `${name}_${version}_amd64.deb`);
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, deb]);
  return deb;
}

/**
 * Lays out the mirror's files under root: code-server's .deb for each version, and cloudflared's
 * signed apt repository with its key (ASCII-armoured, as the boot must dearmor it).
 */
export function buildMirror(root: string, work: string, codeServerVersions: string[]): MirrorContent {
  const codeServerSha256: Record<string, string> = {};
  for (const version of codeServerVersions) {
    const dir = join(root, 'code-server', `v${version}`);
    mkdirSync(dir, { recursive: true });
    const deb = standInDeb(work, 'code-server', version, 'python3, python3-yaml');
    copyFileSync(deb, join(dir, `code-server_${version}_amd64.deb`));
    codeServerSha256[version] = createHash('sha256').update(readFileSync(deb)).digest('hex');
  }

  const repository = join(root, 'cloudflared');
  const pool = join(repository, 'pool', 'main', 'c', 'cloudflared');
  const dist = join(repository, 'dists', 'any');
  mkdirSync(pool, { recursive: true });
  mkdirSync(join(dist, 'main', 'binary-amd64'), { recursive: true });
  copyFileSync(standInDeb(work, 'cloudflared', CLOUDFLARED_VERSION, 'python3'), join(pool, `cloudflared_${CLOUDFLARED_VERSION}_amd64.deb`));
  const packages = run('apt-ftparchive', ['packages', 'pool'], { cwd: repository });
  writeFileSync(join(dist, 'main', 'binary-amd64', 'Packages'), packages);
  run('gzip', ['-9kn', join(dist, 'main', 'binary-amd64', 'Packages')]);
  const release = run('apt-ftparchive', [
    '-o', 'APT::FTPArchive::Release::Origin=ztcs-rehearsal',
    '-o', 'APT::FTPArchive::Release::Label=cloudflared stand-in',
    '-o', 'APT::FTPArchive::Release::Suite=any',
    '-o', 'APT::FTPArchive::Release::Codename=any',
    '-o', 'APT::FTPArchive::Release::Architectures=amd64',
    '-o', 'APT::FTPArchive::Release::Components=main',
    'release', '.',
  ], { cwd: dist });
  writeFileSync(join(dist, 'Release'), release);

  // A throwaway signing key, made for this run only.
  const gnupgHome = join(work, 'gnupg');
  mkdirSync(gnupgHome, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: gnupgHome };
  const gpg = (...args: string[]) => run('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env });
  gpg('--quick-gen-key', 'cloudflared stand-in repository <rehearsal@ztcs.invalid>', 'ed25519', 'sign', 'never');
  gpg('--digest-algo', 'SHA512', '--clearsign', '--output', join(dist, 'InRelease'), join(dist, 'Release'));
  gpg('--digest-algo', 'SHA512', '--armor', '--detach-sign', '--output', join(dist, 'Release.gpg'), join(dist, 'Release'));
  writeFileSync(join(repository, 'key.asc'), gpg('--armor', '--export'));
  const keyFingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--list-keys'))![1];
  run('gpgconf', ['--kill', 'all'], { env });
  return { keyFingerprint, codeServerSha256 };
}

/** The mirror's HTTP server on 127.0.0.1, with the requests it answered. */
export interface Mirror {
  readonly port: number;
  /** Every request as "GET /path 200", or "GET /path dropped" for one whose connection was dropped. */
  readonly requests: string[];
  /** When (ms since the epoch) each request of `requests` came. */
  readonly times: number[];
  close(): Promise<void>;
}

/** How the mirror misbehaves. */
export interface MirrorOptions {
  /**
   * For this many seconds after the first request, every connection is dropped without an
   * answer (curl: "Empty reply from server"; apt: a failed fetch): a mirror that is down.
   */
  readonly dropSecondsFromFirstRequest?: number;
}

/** Serves the files under root on 127.0.0.1 (a free port) until closed. */
export async function startMirror(root: string, options: MirrorOptions = {}): Promise<Mirror> {
  const requests: string[] = [];
  const times: number[] = [];
  const server: Server = createServer((req, res) => {
    const now = Date.now();
    times.push(now);
    if (options.dropSecondsFromFirstRequest !== undefined && now - times[0] < options.dropSecondsFromFirstRequest * 1000) {
      requests.push(`${req.method} ${req.url} dropped`);
      req.socket.destroy();
      return;
    }
    const path = normalize(join(root, decodeURIComponent((req.url ?? '/').split('?')[0])));
    let status = 404;
    if (req.method === 'GET' && (path === root || path.startsWith(root + sep))) {
      try {
        const stat = statSync(path);
        if (stat.isFile()) {
          status = 200;
          res.writeHead(200, { 'Content-Length': stat.size });
          createReadStream(path).pipe(res);
        }
      } catch {
        // absent: 404
      }
    }
    requests.push(`${req.method} ${req.url} ${status}`);
    if (status !== 200) res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    times,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
