import { readFileSync } from 'fs';
import { createServer, Server, Socket } from 'net';
import { join } from 'path';

// A path from the host's loopback to code-server on the guest's loopback, opened from inside as
// cloudflared's tunnel is: the guest's half (guest/reverse-forward) keeps idle connections open to
// `back`, an address qemu forwards to the host's loopback; each browser connection to `front`
// (127.0.0.1) is handed to one of them. Nothing listens on an address that is not loopback, in
// the guest or here. The test can cut every connection and refuse new ones for a while, as a
// dropped network would, and restore it.

/** Where the guest dials the host's half: qemu forwards it to `back` on the host's loopback. */
export const REVERSE_FORWARD_IN_GUEST = { host: '10.0.2.101', port: 80 };

/** The host's half of the reverse forward. */
export interface ReverseForward {
  /** The browser's port on 127.0.0.1. */
  readonly port: number;
  /** The port on 127.0.0.1 that qemu forwards the guest's connections to. */
  readonly backPort: number;
  /** Browser connections handed to the guest so far. */
  readonly handed: () => number;
  /** Drops every connection and refuses new ones (each closed at once) until restore. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** The guest's half and its settings, as files of the probe disk. */
export function reverseForwardProbeFiles(to: { host: string; port: number }, pool = 12): Record<string, { content: string; mode?: number }> {
  return {
    'reverse-forward': { content: readFileSync(join(__dirname, 'guest', 'reverse-forward'), 'utf8'), mode: 0o755 },
    'reverse-forward.json': { content: JSON.stringify({ dial: [REVERSE_FORWARD_IN_GUEST.host, REVERSE_FORWARD_IN_GUEST.port], to: [to.host, to.port], pool }) },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

/** Starts the host's half on 127.0.0.1 (two free ports). */
export async function startReverseForward(): Promise<ReverseForward> {
  const idle: Socket[] = [];
  const waiting: Socket[] = [];
  const paired = new Set<Socket>();
  let down = false;
  let handed = 0;

  const pair = (browser: Socket, guest: Socket) => {
    handed += 1;
    paired.add(browser);
    paired.add(guest);
    const end = () => {
      browser.destroy();
      guest.destroy();
      paired.delete(browser);
      paired.delete(guest);
    };
    for (const s of [browser, guest]) {
      s.on('close', end);
      s.on('error', end);
    }
    guest.write(Buffer.from([1]));
    browser.pipe(guest);
    guest.pipe(browser);
  };

  const back = createServer((guest) => {
    guest.setNoDelay(true);
    guest.on('error', () => guest.destroy());
    const browser = waiting.shift();
    if (browser) {
      pair(browser, guest);
      return;
    }
    idle.push(guest);
    guest.on('close', () => {
      const at = idle.indexOf(guest);
      if (at >= 0) idle.splice(at, 1);
    });
  });
  const front = createServer((browser) => {
    browser.setNoDelay(true);
    browser.on('error', () => browser.destroy());
    if (down) {
      browser.destroy();
      return;
    }
    let guest = idle.shift();
    while (guest?.destroyed) guest = idle.shift();
    if (guest) {
      pair(browser, guest);
    } else {
      waiting.push(browser);
      browser.on('close', () => {
        const at = waiting.indexOf(browser);
        if (at >= 0) waiting.splice(at, 1);
      });
    }
  });
  const backPort = await listen(back);
  const port = await listen(front);
  return {
    port,
    backPort,
    handed: () => handed,
    cut: () => {
      down = true;
      for (const s of [...paired, ...waiting]) s.destroy();
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      for (const s of [...paired, ...waiting, ...idle]) s.destroy();
      await Promise.all([back, front].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
