import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';
import { stringify } from 'yaml';
import { CACHE_DIR } from '../../support/tools';
import { newUserEnv } from '../consumer/new-project';
import { PYTHON_WHEELS, run } from '../packages/artifacts';

// Real package registries on 127.0.0.1 for the release rehearsal: Verdaccio (npm) and pypiserver
// (Python), each installed once into the cache folder, outside the repository, and run with
// storage in the test's temporary folder. Neither is a dependency of the project.

/**
 * Verdaccio from npm. Its dependency tree asks for `node-fetch@cjs`, a dist-tag the registry does
 * not serve, so npm cannot install it as it stands: the override pins the 2.x line it means. 6.8.0
 * runs on every Node.js line we test (6.9 and later want 22).
 */
const VERDACCIO = { version: '6.8.0', overrides: { 'node-fetch': '2.7.0' } };

/** pypiserver from PyPI, passlib for its password file, twine to upload. */
const PYPISERVER = { version: '2.4.2', requirements: ['pypiserver==2.4.2', 'passlib==1.7.4', 'twine==7.0.0'] };

/** A port on 127.0.0.1 that nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port on 127.0.0.1');
  return address.port;
}

/** A server started for the test, its output in a log file; stopped by the test. */
class Server {
  private readonly process: ChildProcess;
  private exited = false;

  constructor(readonly name: string, command: string, args: string[], private readonly log: string) {
    const out = openSync(log, 'a');
    this.process = spawn(command, args, { stdio: ['ignore', out, out] });
    this.process.on('exit', () => {
      this.exited = true;
    });
  }

  /** Waits until `url` answers 200, failing with the server's log if it exits or takes a minute. */
  async ready(url: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited while starting:\n${this.logTail()}`);
      const answered = await fetch(url).then((r) => r.ok, () => false);
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${this.name} did not answer ${url} within a minute:\n${this.logTail()}`);
  }

  logTail(): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8').slice(-4000) : '(no log)';
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    await exited;
  }
}

/** Verdaccio, installed once into the cache folder with the override it needs. */
function installVerdaccio(): string {
  const dir = join(CACHE_DIR, 'verdaccio', VERDACCIO.version);
  const bin = join(dir, 'node_modules', '.bin', 'verdaccio');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    private: true,
    dependencies: { verdaccio: VERDACCIO.version },
    overrides: VERDACCIO.overrides,
  }, undefined, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: dir, env: newUserEnv() });
  return bin;
}

/**
 * An npm registry on 127.0.0.1: Verdaccio keeps what is published to it in `work` and takes
 * every other package from the npm registry this machine is configured with (an uplink), so a
 * project installs the library from it by name, with its peers.
 */
export class LocalNpmRegistry {
  static async start(work: string, packageName: string): Promise<LocalNpmRegistry> {
    const bin = installVerdaccio();
    const upstream = run('npm', ['config', 'get', 'registry'], { cwd: work, env: newUserEnv() }).trim();
    const port = await freePort();
    const config = join(work, 'verdaccio.yaml');
    const anyone = { access: '$all', publish: '$authenticated' };
    writeFileSync(config, stringify({
      storage: join(work, 'storage'),
      auth: { htpasswd: { file: join(work, 'htpasswd') } },
      uplinks: { upstream: { url: upstream, timeout: '120s' } },
      // The library is never taken from upstream: what the project installs is what was published here.
      packages: { [packageName]: anyone, '@*/*': { ...anyone, proxy: 'upstream' }, '**': { ...anyone, proxy: 'upstream' } },
      publish: { allow_offline: true },
      log: { type: 'stdout', format: 'pretty', level: 'warn' },
    }));
    const server = new Server('Verdaccio', bin, ['--config', config, '--listen', `127.0.0.1:${port}`], join(work, 'verdaccio.log'));
    const registry = new LocalNpmRegistry(`http://127.0.0.1:${port}/`, server, work);
    await server.ready(`${registry.url}-/ping`);
    return registry;
  }

  private constructor(readonly url: string, private readonly server: Server, private readonly work: string) {}

  /**
   * Makes a throwaway user (Verdaccio's registration endpoint, what `npm adduser` calls) and
   * returns an npm user configuration file that holds its token.
   */
  async addUser(name: string): Promise<string> {
    const password = `rehearsal-${process.pid}-${Date.now()}`;
    const response = await fetch(`${this.url}-/user/org.couchdb.user:${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [], date: new Date().toISOString() }),
    });
    const body = await response.json() as { token?: string };
    if (!response.ok || !body.token) throw new Error(`Verdaccio refused the user ${name}: ${response.status} ${JSON.stringify(body)}`);
    const userconfig = join(this.work, 'publisher.npmrc');
    writeFileSync(userconfig, `${this.url.replace(/^http:/, '')}:_authToken=${body.token}\n`);
    return userconfig;
  }

  logTail(): string {
    return this.server.logTail();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

/** pypiserver, twine and passlib in a virtual environment of the cache folder. */
function installPypiserver(): string {
  const venv = join(CACHE_DIR, 'pypiserver', PYPISERVER.version);
  if (existsSync(join(venv, 'bin', 'twine')) && existsSync(join(venv, 'bin', 'pypi-server'))) return venv;
  run('python3', ['-m', 'venv', '--clear', venv]);
  run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PYPISERVER.requirements]);
  return venv;
}

/**
 * A Python package index on 127.0.0.1: pypiserver keeps what is uploaded to it in `work`, serves
 * the wheels the Python tiers keep in the cache folder, and sends pip to PyPI (its fallback) for
 * any other project, so a virtual environment installs the library from it by name, with its
 * requirements.
 */
export class LocalPythonIndex {
  static async start(work: string): Promise<LocalPythonIndex> {
    const venv = installPypiserver();
    const uploads = join(work, 'packages');
    mkdirSync(uploads, { recursive: true });
    mkdirSync(PYTHON_WHEELS, { recursive: true });
    const user = 'release';
    const password = `rehearsal-${process.pid}-${Date.now()}`;
    const passwords = join(work, 'htpasswd');
    run(join(venv, 'bin', 'python'), ['-c', [
      'import sys',
      'from passlib.apache import HtpasswdFile',
      'f = HtpasswdFile(sys.argv[1], new=True)',
      'f.set_password(sys.argv[2], sys.argv[3])',
      'f.save()',
    ].join('\n'), passwords, user, password]);
    const port = await freePort();
    const server = new Server('pypiserver', join(venv, 'bin', 'pypi-server'), [
      'run', '--host', '127.0.0.1', '--port', String(port), '--passwords', passwords, '--authenticate', 'update',
      // Uploads go to the first folder.
      uploads, PYTHON_WHEELS,
    ], join(work, 'pypiserver.log'));
    const index = new LocalPythonIndex(`http://127.0.0.1:${port}/`, server, venv, { user, password });
    await server.ready(`${index.url}health`);
    return index;
  }

  private constructor(
    readonly url: string,
    private readonly server: Server,
    private readonly venv: string,
    private readonly credentials: { user: string; password: string },
  ) {}

  /** The simple index that pip reads. */
  get simpleUrl(): string {
    return `${this.url}simple/`;
  }

  /** Uploads distributions with twine, as the release workflow's publisher does. */
  upload(files: string[]): string {
    return run(join(this.venv, 'bin', 'twine'), [
      'upload', '--non-interactive', '--disable-progress-bar', '--repository-url', this.url,
      '--username', this.credentials.user, '--password', this.credentials.password, ...files,
    ]);
  }

  logTail(): string {
    return this.server.logTail();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
