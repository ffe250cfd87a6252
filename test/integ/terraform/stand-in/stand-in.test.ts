import { ApiStandIn } from '.';

/**
 * The stand-in's own rules, without Terraform: these run everywhere, also where the providers are
 * absent and the Terraform tier is skipped.
 */
describe('the loopback stand-in of the APIs', () => {
  const standIn = new ApiStandIn();
  const account = '00000000000000000000000000000000';
  let cloudflareUrl: string;
  let digitaloceanUrl: string;

  beforeAll(async () => {
    await standIn.start();
    cloudflareUrl = (standIn.providerSettings().cloudflare[0] as { base_url: string }).base_url;
    digitaloceanUrl = `${(standIn.providerSettings().digitalocean[0] as { api_endpoint: string }).api_endpoint}/v2/`;
  });
  afterAll(() => standIn.stop());

  async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
    const settings = standIn.providerSettings();
    const bearer = token ?? (base === cloudflareUrl ? (settings.cloudflare[0] as any).api_token : (settings.digitalocean[0] as any).token);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'authorization': `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, retry: response.headers.get('x-should-retry') };
  }

  test('listens on 127.0.0.1 only', () => {
    expect(cloudflareUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4\/$/);
    expect(digitaloceanUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2\/$/);
  });

  test('answers a call it does not know with 501 naming it, tells the client not to retry, and records it', async () => {
    // WHEN
    const answer = await call(cloudflareUrl, 'GET', `accounts/${account}/cfd_tunnel`);

    // THEN
    expect(answer.status).toBe(501);
    expect(answer.retry).toBe('false');
    expect(answer.body.errors[0].message).toBe(`stand-in: no route for GET /client/v4/accounts/${account}/cfd_tunnel`);
    expect(standIn.unknownCalls.at(-1)).toMatchObject({ method: 'GET', path: `/client/v4/accounts/${account}/cfd_tunnel`, known: false });
  });

  test('lists every tag, as the digitalocean_tags data source reads them, and forgets a deleted one', async () => {
    // GIVEN
    await call(digitaloceanUrl, 'POST', 'tags', { name: 'ztcs-idle-0123456789abcdef' });

    // WHEN
    const listed = await call(digitaloceanUrl, 'GET', 'tags');
    await call(digitaloceanUrl, 'DELETE', 'tags/ztcs-idle-0123456789abcdef');
    const after = await call(digitaloceanUrl, 'GET', 'tags');

    // THEN
    expect(listed.status).toBe(200);
    expect(listed.body.tags.map((t: { name: string }) => t.name)).toContain('ztcs-idle-0123456789abcdef');
    expect(listed.body.meta.total).toBe(listed.body.tags.length);
    expect(after.body.tags.map((t: { name: string }) => t.name)).not.toContain('ztcs-idle-0123456789abcdef');
  });

  test('refuses a call without the API\'s token, and records it as unknown', async () => {
    // WHEN
    const answer = await call(digitaloceanUrl, 'GET', 'droplets/1', undefined, 'another-token');

    // THEN
    expect(answer.status).toBe(401);
    expect(standIn.unknownCalls.at(-1)).toMatchObject({ method: 'GET', path: '/v2/droplets/1', status: 401 });
  });

  test('answers a Cloudflare call in the {success, errors, messages, result} envelope, with the computed fields', async () => {
    // WHEN
    const answer = await call(cloudflareUrl, 'POST', `accounts/${account}/cfd_tunnel`, { name: 'dev', config_src: 'cloudflare' });

    // THEN
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, errors: [], messages: [], result: { name: 'dev', config_src: 'cloudflare', remote_config: true } });
    expect(answer.body.result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.body.result).not.toHaveProperty('secret');
  });

  test('keeps a tunnel\'s configuration after the tunnel is deleted, as the API does', async () => {
    // GIVEN
    const tunnel = (await call(cloudflareUrl, 'POST', `accounts/${account}/cfd_tunnel`, { name: 'kept', config_src: 'cloudflare' })).body.result;
    await call(cloudflareUrl, 'PUT', `accounts/${account}/cfd_tunnel/${tunnel.id}/configurations`, { config: { ingress: [{ service: 'http_status:404' }] } });

    // WHEN
    const deletion = await call(cloudflareUrl, 'DELETE', `accounts/${account}/cfd_tunnel/${tunnel.id}`);

    // THEN
    expect(deletion.status).toBe(200);
    expect((await call(cloudflareUrl, 'GET', `accounts/${account}/cfd_tunnel/${tunnel.id}`)).status).toBe(404);
    expect(standIn.cloudflare.tunnelConfigurations.get(tunnel.id)?.config).toEqual({ ingress: [{ service: 'http_status:404' }] });
  });

  test('gives a tunnel token that carries the account, the tunnel and its secret', async () => {
    // GIVEN
    const tunnel = (await call(cloudflareUrl, 'POST', `accounts/${account}/cfd_tunnel`, { name: 't', tunnel_secret: 'c2VjcmV0' })).body.result;

    // WHEN
    const token = (await call(cloudflareUrl, 'GET', `accounts/${account}/cfd_tunnel/${tunnel.id}/token`)).body.result;

    // THEN
    expect(JSON.parse(Buffer.from(token, 'base64').toString('utf8'))).toEqual({ a: account, t: tunnel.id, s: 'c2VjcmV0' });
  });

  test('refuses to delete an Access policy that an application uses', async () => {
    // GIVEN
    const policy = (await call(cloudflareUrl, 'POST', `accounts/${account}/access/policies`, { name: 'p', decision: 'allow', include: [] })).body.result;
    await call(cloudflareUrl, 'POST', `accounts/${account}/access/apps`, { name: 'app', policies: [{ id: policy.id, precedence: 1 }] });

    // WHEN
    const deletion = await call(cloudflareUrl, 'DELETE', `accounts/${account}/access/policies/${policy.id}`);

    // THEN
    expect(deletion.status).toBe(400);
    expect(standIn.cloudflare.accessPolicies.has(policy.id)).toBe(true);
  });

  test('attaches the volumes a droplet is created with, and refuses to delete a volume still attached', async () => {
    // GIVEN
    const volume = (await call(digitaloceanUrl, 'POST', 'volumes', { name: 'home', region: 'fra1', size_gigabytes: 20 })).body.volume;
    const droplet = (await call(digitaloceanUrl, 'POST', 'droplets', { name: 'd', region: 'fra1', size: 's-2vcpu-4gb', image: 'ubuntu-24-04-x64', volumes: [{ id: volume.id }] })).body.droplet;

    // WHEN
    const deletion = await call(digitaloceanUrl, 'DELETE', `volumes/${volume.id}`);

    // THEN
    expect(droplet).toMatchObject({ status: 'new', vcpus: 2, memory: 4096 });
    expect((await call(digitaloceanUrl, 'GET', `droplets/${droplet.id}`)).body.droplet).toMatchObject({ status: 'active', volume_ids: [volume.id] });
    expect(deletion.status).toBe(409);
    expect(standIn.digitalocean.volumes.get(volume.id)?.droplet_ids).toEqual([droplet.id]);
  });

  test('detaches a volume with a volume action that is completed at once', async () => {
    // GIVEN
    const volume = (await call(digitaloceanUrl, 'POST', 'volumes', { name: 'v', region: 'fra1', size_gigabytes: 1 })).body.volume;
    const droplet = (await call(digitaloceanUrl, 'POST', 'droplets', { name: 'd', region: 'fra1', size: 's-1vcpu-1gb', image: 'x', volumes: [{ id: volume.id }] })).body.droplet;

    // WHEN
    const action = (await call(digitaloceanUrl, 'POST', `volumes/${volume.id}/actions`, { type: 'detach', droplet_id: droplet.id })).body.action;

    // THEN
    expect((await call(digitaloceanUrl, 'GET', `actions/${action.id}`)).body.action).toMatchObject({ status: 'completed', type: 'detach' });
    expect(standIn.digitalocean.volumes.get(volume.id)?.droplet_ids).toEqual([]);
    expect(standIn.digitalocean.droplets.get(droplet.id)?.volume_ids).toEqual([]);
  });

  test('gives an SSH key the MD5 fingerprint of its key blob', async () => {
    // GIVEN
    const blob = Buffer.from('key blob');

    // WHEN
    const key = (await call(digitaloceanUrl, 'POST', 'account/keys', { name: 'k', public_key: `ssh-ed25519 ${blob.toString('base64')}` })).body.ssh_key;

    // THEN
    // md5('key blob'), as `ssh-keygen -E md5 -l` would print it.
    expect(key.fingerprint).toBe('72:68:de:16:c5:07:b4:5d:6b:94:9e:8b:14:16:65:19');
  });

  test('records which firewalls covered a droplet when it was created: by a tag it was born with', async () => {
    // GIVEN
    await call(digitaloceanUrl, 'POST', 'tags', { name: 'ztcs-fw-test' });
    const firewall = (await call(digitaloceanUrl, 'POST', 'firewalls', { name: 'f', tags: ['ztcs-fw-test'], outbound_rules: [] })).body.firewall;

    // WHEN
    const covered = (await call(digitaloceanUrl, 'POST', 'droplets', { name: 'a', region: 'fra1', size: 's-2vcpu-4gb', image: 'x', tags: ['ztcs-fw-test'] })).body.droplet;
    const bare = (await call(digitaloceanUrl, 'POST', 'droplets', { name: 'b', region: 'fra1', size: 's-2vcpu-4gb', image: 'x' })).body.droplet;

    // THEN
    expect(standIn.digitalocean.droplets.get(covered.id)?.firewalls_at_creation).toEqual([firewall.id]);
    expect(standIn.digitalocean.droplets.get(bare.id)?.firewalls_at_creation).toEqual([]);
    expect((await call(digitaloceanUrl, 'GET', 'tags/ztcs-fw-test')).body.tag.resources.droplets.count).toBe(1);
  });

  test('refuses a firewall for a tag that does not exist', async () => {
    // WHEN
    const answer = await call(digitaloceanUrl, 'POST', 'firewalls', { name: 'f', tags: ['nowhere'], outbound_rules: [] });

    // THEN
    expect(answer.status).toBe(422);
  });

  test('shuts a droplet down with a droplet action that is completed at once, and refuses actions it does not model', async () => {
    // GIVEN
    const droplet = (await call(digitaloceanUrl, 'POST', 'droplets', { name: 'd', region: 'fra1', size: 's-2vcpu-4gb', image: 'x' })).body.droplet;

    // WHEN
    const action = await call(digitaloceanUrl, 'POST', `droplets/${droplet.id}/actions`, { type: 'shutdown' });
    const reboot = await call(digitaloceanUrl, 'POST', `droplets/${droplet.id}/actions`, { type: 'reboot' });

    // THEN
    expect(action.body.action).toMatchObject({ status: 'completed', type: 'shutdown', resource_id: droplet.id });
    expect(standIn.digitalocean.droplets.get(droplet.id)?.status).toBe('off');
    expect(reboot.status).toBe(422);
  });

  test('gives an SSH application a certificate authority once, which is read back and deleted', async () => {
    // GIVEN
    const application = (await call(cloudflareUrl, 'POST', `accounts/${account}/access/apps`, { name: 'ssh', type: 'ssh', domain: 'ssh.example.com' })).body.result;

    // WHEN
    const created = await call(cloudflareUrl, 'POST', `accounts/${account}/access/apps/${application.id}/ca`);
    const again = await call(cloudflareUrl, 'POST', `accounts/${account}/access/apps/${application.id}/ca`);
    const read = await call(cloudflareUrl, 'GET', `accounts/${account}/access/apps/${application.id}/ca`);
    const deleted = await call(cloudflareUrl, 'DELETE', `accounts/${account}/access/apps/${application.id}/ca`);

    // THEN
    expect(created.body.result).toMatchObject({ id: application.id, aud: application.aud });
    expect(created.body.result.public_key).toMatch(/^ecdsa-sha2-nistp256 \S+ open-ssh-ca@cloudflareaccess.org$/);
    expect(again.status).toBe(409);
    expect(read.body.result).toEqual(created.body.result);
    expect(deleted.status).toBe(200);
    expect(standIn.cloudflare.shortLivedCertificates.size).toBe(0);
  });

  test('lists the droplets of a tag only (tag_name), off once the droplet powered itself off, and none of a tag no droplet has', async () => {
    // GIVEN: two editors' droplets, each with its own tag
    const create = async (name: string, tag: string) =>
      (await call(digitaloceanUrl, 'POST', 'droplets', { name, region: 'fra1', size: 's-1vcpu-1gb', image: 'x', tags: [tag, 'shared'] })).body.droplet;
    const alice = await create('alice', 'ztcs-fw-alice');
    const bob = await create('bob', 'ztcs-fw-bob');

    // WHEN
    standIn.digitalocean.powerOff(alice.id);
    const ofAlice = await call(digitaloceanUrl, 'GET', 'droplets?tag_name=ztcs-fw-alice&per_page=200');
    const ofBob = await call(digitaloceanUrl, 'GET', 'droplets?tag_name=ztcs-fw-bob');
    const ofNone = await call(digitaloceanUrl, 'GET', 'droplets?tag_name=ztcs-fw-nobody');
    const shared = await call(digitaloceanUrl, 'GET', 'droplets?tag_name=shared&per_page=1');

    // THEN
    expect(ofAlice.body.droplets.map((d: any) => [d.id, d.status])).toEqual([[alice.id, 'off']]);
    expect(ofBob.body.droplets.map((d: any) => [d.id, d.status])).toEqual([[bob.id, 'active']]);
    expect(ofNone.body).toEqual({ droplets: [], links: {}, meta: { total: 0 } });
    expect(shared.body.droplets).toHaveLength(1);
    expect(shared.body.meta.total).toBe(2);
    expect(shared.body.links.pages.next).toMatch(/page=2/);
    expect(() => standIn.digitalocean.powerOff(1)).toThrow('stand-in: no droplet 1 to power off');
  });

  test('keeps a Worker\'s multipart upload (module and metadata), gives back its content, and its settings without a secret\'s text', async () => {
    // GIVEN
    const form = new FormData();
    form.append('worker.mjs', new Blob(['export default { fetch() {}, scheduled() {} };'], { type: 'application/javascript+module' }), 'worker.mjs');
    const bindings = [{ name: 'TOKEN', type: 'secret_text', text: 'do-token' }, { name: 'MODE', type: 'plain_text', text: 'on' }];
    form.append('metadata', new Blob([JSON.stringify({ main_module: 'worker.mjs', compatibility_date: '2025-09-01', bindings })], { type: 'application/json' }));
    const token = (standIn.providerSettings().cloudflare[0] as any).api_token;

    // WHEN
    const upload = await fetch(`${cloudflareUrl}accounts/${account}/workers/scripts/cp`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: form });
    const content = await fetch(`${cloudflareUrl}accounts/${account}/workers/scripts/cp/content/v2`, { headers: { authorization: `Bearer ${token}` } });
    const settings = await call(cloudflareUrl, 'GET', `accounts/${account}/workers/scripts/cp/settings`);
    const service = await call(cloudflareUrl, 'GET', `accounts/${account}/workers/services/cp`);

    // THEN
    expect(upload.status).toBe(200);
    expect(standIn.cloudflare.workerUploads.at(-1)).toMatchObject({ id: 'cp', main_module: 'worker.mjs', content_type: 'application/javascript+module', metadata: { bindings } });
    expect(content.headers.get('content-type')).toBe('application/javascript+module');
    expect(await content.text()).toBe('export default { fetch() {}, scheduled() {} };');
    expect(settings.body.result.bindings).toEqual([{ name: 'TOKEN', type: 'secret_text' }, bindings[1]]);
    expect(service.body.result.default_environment.script.handlers).toEqual(['fetch', 'scheduled']);
  });

  test('keeps a KV value with its metadata (multipart), gives the value back bare and the metadata in the envelope, and forgets it on delete', async () => {
    // GIVEN
    const namespace = (await call(cloudflareUrl, 'POST', `accounts/${account}/storage/kv/namespaces`, { title: 'state' })).body.result;
    const form = new FormData();
    form.append('value', '{"name":"alice"}');
    form.append('metadata', '{"name":"alice"}');
    const token = (standIn.providerSettings().cloudflare[0] as any).api_token;
    const values = `${cloudflareUrl}accounts/${account}/storage/kv/namespaces/${namespace.id}/values`;

    // WHEN
    await fetch(`${values}/editor:alice.example.com`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: form });
    const value = await fetch(`${values}/editor:alice.example.com`, { headers: { authorization: `Bearer ${token}` } });
    const metadata = await call(cloudflareUrl, 'GET', `accounts/${account}/storage/kv/namespaces/${namespace.id}/metadata/editor:alice.example.com`);
    await call(cloudflareUrl, 'DELETE', `accounts/${account}/storage/kv/namespaces/${namespace.id}/values/editor:alice.example.com`);
    const gone = await call(cloudflareUrl, 'GET', `accounts/${account}/storage/kv/namespaces/${namespace.id}/metadata/editor:alice.example.com`);

    // THEN
    expect(await value.text()).toBe('{"name":"alice"}');
    expect(metadata.body.result).toEqual({ name: 'alice' });
    expect(gone.status).toBe(404);
    expect(standIn.cloudflare.kvValues.get(namespace.id)!.size).toBe(0);
  });
});
