import { spawnSync } from 'child_process';
import { parse } from 'yaml';
import { renderCloudConfig } from '../../../lib/boot/cloud-config';
import { resolveBootOptions } from '../../../lib/boot/code-server-user-data';
import { METADATA_SERVICE } from '../../../lib/private/boot/contract';
import { describeTier } from '../../support/tools';

// The document's first bootcmd line, run for real as cloud-init runs it (sh -c, as root) in a
// network namespace of its own, where the metadata service is a stand-in in a second namespace
// behind a veth pair: off the machine, as on a droplet, so the address is routed, not local. Then
// the same request is made as root, as the developer's uid and as a system account's.

const describeInNamespaces = describeTier({
  tier: 'the metadata service restriction runs',
  commands: ['unshare', 'ip', 'setpriv', 'curl', 'python3'],
  root: 'network namespaces and uid-based routing rules need root',
  install: 'Install util-linux, iproute2, curl and python3 (apt-get install util-linux iproute2 curl python3) and run the tests as root to include them.',
});

/** The document's bootcmd lines for an editor with every default. */
function bootcmd(): string[] {
  return (parse(renderCloudConfig(resolveBootOptions({ hostname: 'code.example.com', tunnelToken: 't' }))) as { bootcmd: string[] }).bootcmd;
}

/**
 * Runs, inside a fresh network namespace: the stand-in (a python HTTP server at the metadata
 * address, in a namespace of its own behind a veth pair), then `restriction` as root, then one
 * request for the user data as each uid. Prints `<uid> <HTTP status or the error's exit code>`.
 */
function requestsAfter(restriction: string, uids: number[]): { status: number | null; out: string; err: string } {
  const { address } = METADATA_SERVICE;
  const script = `
set -u
ip link set lo up
unshare -n bash -c 'until ip link show md1 >/dev/null 2>&1; do sleep 0.1; done
  ip link set lo up; ip addr add ${address}/16 dev md1; ip link set md1 up
  cd "$(mktemp -d)" && mkdir -p metadata/v1 && echo "user data with the tunnel token" > metadata/v1/user-data
  exec python3 -m http.server --bind ${address} 80' >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
ip link add md0 type veth peer name md1
ip link set md1 netns "$server"
ip addr add 169.254.10.1/16 dev md0
ip link set md0 up
for _ in $(seq 1 100); do
  curl -s -o /dev/null --max-time 1 http://${address}/metadata/v1/user-data && break
  sleep 0.2
done
sh -c "$1"
for uid in ${uids.join(' ')}; do
  code=$(setpriv --reuid="$uid" --regid="$uid" --clear-groups curl -sS -o /dev/null --max-time 5 -w '%{http_code}' http://${address}/metadata/v1/user-data 2>/dev/null) || code="error $?"
  echo "$uid $code"
done
`;
  const result = spawnSync('unshare', ['-n', 'bash', '-c', script, 'bash', restriction], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

describeInNamespaces('the metadata service restriction, run in network namespaces', () => {
  const ROOT = 0;
  const DEVELOPER = 1000;
  const ANOTHER_USER = 4242;
  const MONITORING_AGENT = 998;

  test('the first bootcmd line refuses the metadata service to the developer and every login user, not to root or a system account', () => {
    // GIVEN
    const [restriction] = bootcmd();

    // WHEN
    const result = requestsAfter(restriction, [ROOT, DEVELOPER, ANOTHER_USER, MONITORING_AGENT]);

    // THEN: curl's exit 7 is "failed to connect" (the route is prohibited)
    expect(result.status).toBe(0);
    expect(result.out.trim().split('\n')).toEqual([`${ROOT} 200`, `${DEVELOPER} error 7`, `${ANOTHER_USER} error 7`, `${MONITORING_AGENT} 200`]);
  });

  test('without it, any uid reads the user data: the stand-in is reachable as the developer', () => {
    expect(requestsAfter('true', [ROOT, DEVELOPER]).out.trim().split('\n')).toEqual([`${ROOT} 200`, `${DEVELOPER} 200`]);
  });

  test("run twice (cloud-init run again), it leaves one rule, of the kernel's protocol, which systemd-networkd leaves alone", () => {
    const [restriction] = bootcmd();
    const result = spawnSync('unshare', ['-n', 'bash', '-c', `sh -c "$1"; sh -c "$1"; ip -d rule show priority ${METADATA_SERVICE.rulePriority}`, 'bash', restriction], { encoding: 'utf8' });
    expect(result.stdout.trim().split('\n')).toEqual([`${METADATA_SERVICE.rulePriority}:\tfrom all to ${METADATA_SERVICE.address} uidrange ${METADATA_SERVICE.firstRefusedUid}-4294967294 prohibit proto kernel`]);
  });
});
