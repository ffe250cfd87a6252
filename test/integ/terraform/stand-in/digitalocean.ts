import { createHash, randomUUID } from 'crypto';
import { Reply, Route, StandInApi } from './server';

/** A droplet as the DigitalOcean API returns it (the fields godo reads). */
export interface Droplet {
  id: number;
  name: string;
  status: string;
  locked: boolean;
  memory: number;
  vcpus: number;
  disk: number;
  region: { slug: string };
  image: { slug: string };
  size: { slug: string; memory: number; vcpus: number; disk: number };
  size_slug: string;
  features: string[];
  networks: { v4: { ip_address: string; type: string }[]; v6: { ip_address: string; type: string }[] };
  volume_ids: string[];
  tags: string[];
  created_at: string;
  vpc_uuid: string;
  /** Kept to let tests read what the droplet boots with; not part of the API's droplet. */
  user_data: string;
  /** The firewalls that covered the droplet when it was created; not part of the API's droplet. */
  firewalls_at_creation: string[];
}

/** How many resources of a kind a tag is on. */
interface Count {
  count: number;
}

export interface Tag {
  name: string;
  resources: Count & { droplets: Count; images: Count; volumes: Count; volume_snapshots: Count; databases: Count };
}

export interface Volume {
  id: string;
  name: string;
  region: { slug: string };
  size_gigabytes: number;
  description: string;
  droplet_ids: number[];
  filesystem_type: string;
  filesystem_label: string;
  tags: string[];
  created_at: string;
}

export interface Firewall {
  id: string;
  name: string;
  status: string;
  inbound_rules: unknown[];
  outbound_rules: unknown[];
  droplet_ids: number[];
  tags: string[];
  created_at: string;
  pending_changes: unknown[];
}

export interface SshKey {
  id: number;
  name: string;
  public_key: string;
  fingerprint: string;
}

interface Action {
  id: number;
  status: string;
  type: string;
  started_at: string;
  completed_at: string;
  resource_id: number;
  resource_type: string;
  region_slug: string;
}

function emptyCounts(): Tag['resources'] {
  return { count: 0, droplets: { count: 0 }, images: { count: 0 }, volumes: { count: 0 }, volume_snapshots: { count: 0 }, databases: { count: 0 } };
}

const NOT_FOUND: Reply = { status: 404, body: { id: 'not_found', message: 'The resource you were accessing could not be found.' } };

/** A size slug such as `s-2vcpu-4gb`: its vCPUs and memory; other slugs are refused like the API does. */
const SIZE_SLUG = /^s-(\d+)vcpu-(\d+)gb$/;

/**
 * The parts of the DigitalOcean API that the examples' resources use: droplets, volumes and their
 * attach/detach actions, firewalls and SSH keys. It keeps what it is sent and answers in godo's
 * shapes. Actions complete at once; a droplet is active from its first read on.
 */
export class DigitalOceanStandIn implements StandInApi {
  public readonly prefix = '/v2/';
  public readonly droplets = new Map<number, Droplet>();
  public readonly volumes = new Map<string, Volume>();
  public readonly firewalls = new Map<string, Firewall>();
  public readonly sshKeys = new Map<number, SshKey>();
  public readonly tags = new Map<string, Tag>();
  private readonly actions = new Map<number, Action>();
  private nextId = 1000;

  /**
   * Each moment a droplet ran outside every firewall: after which call (method, route, its
   * parameters), and the droplet's name. Every write is followed by the check.
   */
  public readonly uncovered: string[] = [];

  public readonly routes: Route[] = this.watched([
    { method: 'POST', path: /^account\/keys$/, handle: (_, body) => this.createSshKey(body) },
    { method: 'GET', path: /^account\/keys\/(\d+)$/, handle: ([id]) => this.found(this.sshKeys.get(Number(id)), 'ssh_key') },
    { method: 'PUT', path: /^account\/keys\/(\d+)$/, handle: ([id], body) => this.renameSshKey(Number(id), body) },
    { method: 'DELETE', path: /^account\/keys\/(\d+)$/, handle: ([id]) => this.remove(this.sshKeys, Number(id)) },

    { method: 'POST', path: /^volumes$/, handle: (_, body) => this.createVolume(body) },
    { method: 'GET', path: /^volumes\/([0-9a-f-]+)$/, handle: ([id]) => this.found(this.volumes.get(id), 'volume') },
    { method: 'DELETE', path: /^volumes\/([0-9a-f-]+)$/, handle: ([id]) => this.deleteVolume(id) },
    { method: 'POST', path: /^volumes\/([0-9a-f-]+)\/actions$/, handle: ([id], body) => this.volumeAction(id, body) },
    { method: 'GET', path: /^actions\/(\d+)$/, handle: ([id]) => this.found(this.actions.get(Number(id)), 'action') },

    { method: 'POST', path: /^droplets$/, handle: (_, body) => this.createDroplet(body) },
    { method: 'GET', path: /^droplets$/, handle: (_, _body, { query }) => this.listDroplets(query) },
    { method: 'GET', path: /^droplets\/(\d+)$/, handle: ([id]) => this.found(this.droplets.get(Number(id)), 'droplet') },
    { method: 'DELETE', path: /^droplets\/(\d+)$/, handle: ([id]) => this.deleteDroplet(Number(id)) },
    { method: 'POST', path: /^droplets\/(\d+)\/actions$/, handle: ([id], body) => this.dropletAction(Number(id), body) },

    { method: 'POST', path: /^tags$/, handle: (_, body) => this.createTag(body) },
    { method: 'GET', path: /^tags$/, handle: () => this.listTags() },
    { method: 'GET', path: /^tags\/([A-Za-z0-9:_-]+)$/, handle: ([name]) => this.found(this.tagWithCounts(name), 'tag') },
    { method: 'DELETE', path: /^tags\/([A-Za-z0-9:_-]+)$/, handle: ([name]) => this.deleteTag(name) },

    { method: 'POST', path: /^firewalls$/, handle: (_, body) => this.createFirewall(body) },
    { method: 'GET', path: /^firewalls\/([0-9a-f-]+)$/, handle: ([id]) => this.found(this.firewalls.get(id), 'firewall') },
    { method: 'PUT', path: /^firewalls\/([0-9a-f-]+)$/, handle: ([id], body) => this.updateFirewall(id, body) },
    { method: 'DELETE', path: /^firewalls\/([0-9a-f-]+)$/, handle: ([id]) => this.remove(this.firewalls, id) },
  ]);

  constructor(public readonly token: string) {}

  /** The routes, each write followed by a look for droplets outside every firewall (see `uncovered`). */
  private watched(routes: Route[]): Route[] {
    return routes.map((route) => route.method === 'GET' ? route : {
      ...route,
      handle: (params, body, request) => {
        const reply = route.handle(params, body, request);
        for (const droplet of this.droplets.values()) {
          if (this.firewallsCovering(droplet).length === 0) this.uncovered.push(`${route.method} ${route.path.source} (${params.join(', ')}): ${droplet.name}`);
        }
        return reply;
      },
    });
  }

  public error(message: string): unknown {
    return { id: 'not_implemented', message };
  }

  private found(item: unknown, key: string): Reply {
    return item === undefined ? NOT_FOUND : { status: 200, body: { [key]: item } };
  }

  private remove<K>(items: Map<K, unknown>, id: K): Reply {
    return items.delete(id) ? { status: 204 } : NOT_FOUND;
  }

  private createSshKey(body: { name: string; public_key: string }): Reply {
    const blob = Buffer.from(body.public_key.trim().split(/\s+/)[1] ?? '', 'base64');
    const fingerprint = createHash('md5').update(blob).digest('hex').match(/../g)!.join(':');
    const key: SshKey = { id: this.nextId++, name: body.name, public_key: body.public_key, fingerprint };
    this.sshKeys.set(key.id, key);
    return { status: 201, body: { ssh_key: key } };
  }

  private renameSshKey(id: number, body: { name: string }): Reply {
    const key = this.sshKeys.get(id);
    if (!key) return NOT_FOUND;
    key.name = body.name;
    return { status: 200, body: { ssh_key: key } };
  }

  private createVolume(body: any): Reply {
    const volume: Volume = {
      id: randomUUID(),
      name: body.name,
      region: { slug: body.region },
      size_gigabytes: body.size_gigabytes,
      description: body.description ?? '',
      droplet_ids: [],
      filesystem_type: body.filesystem_type ?? '',
      filesystem_label: body.filesystem_label ?? '',
      tags: body.tags ?? [],
      created_at: new Date().toISOString(),
    };
    this.volumes.set(volume.id, volume);
    return { status: 201, body: { volume } };
  }

  private deleteVolume(id: string): Reply {
    const volume = this.volumes.get(id);
    if (!volume) return NOT_FOUND;
    if (volume.droplet_ids.length > 0) {
      return { status: 409, body: { id: 'conflict', message: `volume ${id} is attached to droplet ${volume.droplet_ids.join(', ')}` } };
    }
    this.volumes.delete(id);
    return { status: 204 };
  }

  private volumeAction(id: string, body: { type: string; droplet_id: number }): Reply {
    const volume = this.volumes.get(id);
    const droplet = this.droplets.get(body.droplet_id);
    if (!volume || !droplet) return NOT_FOUND;
    if (body.type === 'attach') {
      this.attach(volume, droplet);
    } else if (body.type === 'detach') {
      volume.droplet_ids = volume.droplet_ids.filter((d) => d !== droplet.id);
      droplet.volume_ids = droplet.volume_ids.filter((v) => v !== volume.id);
    } else {
      return { status: 422, body: { id: 'unprocessable_entity', message: `stand-in: volume action ${body.type} is not modelled` } };
    }
    return { status: 202, body: { action: this.completedAction(body.type, volume.region.slug, droplet.id, 'volume') } };
  }

  private attach(volume: Volume, droplet: Droplet): void {
    if (!volume.droplet_ids.includes(droplet.id)) volume.droplet_ids.push(droplet.id);
    if (!droplet.volume_ids.includes(volume.id)) droplet.volume_ids.push(volume.id);
  }

  private completedAction(type: string, region: string, resourceId: number, resourceType: string): Action {
    const now = new Date().toISOString();
    const action: Action = {
      id: this.nextId++,
      status: 'completed',
      type,
      started_at: now,
      completed_at: now,
      resource_id: resourceId,
      resource_type: resourceType,
      region_slug: region,
    };
    this.actions.set(action.id, action);
    return action;
  }

  private createDroplet(body: any): Reply {
    const size = SIZE_SLUG.exec(body.size);
    if (!size) return { status: 422, body: { id: 'unprocessable_entity', message: `stand-in: unknown size ${body.size}` } };
    const volumes = (body.volumes ?? []).map((v: { id: string }) => this.volumes.get(v.id));
    if (volumes.some((v: Volume | undefined) => v === undefined)) {
      return { status: 422, body: { id: 'unprocessable_entity', message: 'a volume to attach does not exist' } };
    }
    const id = this.nextId++;
    const [vcpus, memory] = [Number(size[1]), Number(size[2]) * 1024];
    const disk = Number(size[2]) * 20;
    const features = ['backups', 'ipv6', 'monitoring', 'private_networking'].filter((f) => body[f] === true);
    const droplet: Droplet = {
      id,
      name: body.name,
      status: 'active',
      locked: false,
      memory,
      vcpus,
      disk,
      region: { slug: body.region },
      image: { slug: body.image },
      size: { slug: body.size, memory, vcpus, disk },
      size_slug: body.size,
      features,
      networks: {
        v4: [
          { ip_address: `203.0.113.${id % 250}`, type: 'public' },
          { ip_address: `10.110.0.${id % 250}`, type: 'private' },
        ],
        v6: body.ipv6 ? [{ ip_address: `2001:db8::${id.toString(16)}`, type: 'public' }] : [],
      },
      volume_ids: [],
      tags: body.tags ?? [],
      created_at: new Date().toISOString(),
      vpc_uuid: '5a4981aa-9653-4bd1-bef5-d6bff52042e4',
      user_data: body.user_data ?? '',
      firewalls_at_creation: [],
    };
    // The API makes the tags a droplet is created with; a firewall of one of them covers it at once.
    for (const tag of droplet.tags) if (!this.tags.has(tag)) this.tags.set(tag, { name: tag, resources: emptyCounts() });
    droplet.firewalls_at_creation = this.firewallsCovering(droplet).map((f) => f.id);
    this.droplets.set(id, droplet);
    for (const volume of volumes) this.attach(volume, droplet);
    // The API answers a creation with a droplet that is still "new".
    return { status: 202, body: { droplet: { ...droplet, status: 'new' } } };
  }

  private deleteDroplet(id: number): Reply {
    const droplet = this.droplets.get(id);
    if (!droplet) return NOT_FOUND;
    for (const volume of this.volumes.values()) volume.droplet_ids = volume.droplet_ids.filter((d) => d !== id);
    for (const firewall of this.firewalls.values()) firewall.droplet_ids = firewall.droplet_ids.filter((d) => d !== id);
    this.droplets.delete(id);
    return { status: 204 };
  }

  /**
   * The droplets, or those with a tag (`?tag_name=`), a page of them (`page`, `per_page`, at most
   * 200), as the control plane's cron looks for an editor's droplet.
   */
  private listDroplets(query: URLSearchParams): Reply {
    const tag = query.get('tag_name');
    const all = [...this.droplets.values()].filter((d) => tag === null || d.tags.includes(tag));
    const perPage = Math.min(Number(query.get('per_page') ?? 20), 200);
    const page = Number(query.get('page') ?? 1);
    const droplets = all.slice((page - 1) * perPage, page * perPage);
    const links = page * perPage < all.length ? { pages: { next: `${this.prefix}droplets?page=${page + 1}&per_page=${perPage}` } } : {};
    return { status: 200, body: { droplets, links, meta: { total: all.length } } };
  }

  /**
   * A droplet powered off from inside (the idle watcher's `systemctl poweroff`): off, as the API
   * then lists it, with its volumes still attached. No API call: the droplet did it itself.
   */
  public powerOff(id: number): void {
    const droplet = this.droplets.get(id);
    if (!droplet) throw new Error(`stand-in: no droplet ${id} to power off`);
    droplet.status = 'off';
  }

  /** The firewalls that apply to a droplet: by its id or by one of its tags. */
  public firewallsCovering(droplet: Droplet): Firewall[] {
    return [...this.firewalls.values()].filter((f) => f.droplet_ids.includes(droplet.id) || f.tags.some((t) => droplet.tags.includes(t)));
  }

  /** Droplet actions: the shutdown that `graceful_shutdown` sends and a power-off (the droplet is off at once), and a rename. */
  private dropletAction(id: number, body: { type: string; name?: string }): Reply {
    const droplet = this.droplets.get(id);
    if (!droplet) return NOT_FOUND;
    if (body.type === 'shutdown' || body.type === 'power_off') {
      droplet.status = 'off';
    } else if (body.type === 'rename' && body.name) {
      droplet.name = body.name;
    } else {
      return { status: 422, body: { id: 'unprocessable_entity', message: `stand-in: droplet action ${body.type} is not modelled` } };
    }
    return { status: 201, body: { action: this.completedAction(body.type, droplet.region.slug, id, 'droplet') } };
  }

  private createTag(body: { name: string }): Reply {
    if (!/^[A-Za-z0-9:_-]{1,255}$/.test(body.name ?? '')) {
      return { status: 422, body: { id: 'unprocessable_entity', message: `invalid tag name ${body.name}` } };
    }
    if (!this.tags.has(body.name)) this.tags.set(body.name, { name: body.name, resources: emptyCounts() });
    return { status: 201, body: { tag: this.tagWithCounts(body.name) } };
  }

  /** Every tag, on one page (the provider's `digitalocean_tags` data source reads them all and filters). */
  private listTags(): Reply {
    const tags = [...this.tags.keys()].map((name) => this.tagWithCounts(name));
    return { status: 200, body: { tags, links: {}, meta: { total: tags.length } } };
  }

  private tagWithCounts(name: string): Tag | undefined {
    if (!this.tags.has(name)) return undefined;
    const droplets = [...this.droplets.values()].filter((d) => d.tags.includes(name)).length;
    return { name, resources: { ...emptyCounts(), count: droplets, droplets: { count: droplets } } };
  }

  private deleteTag(name: string): Reply {
    if (!this.tags.delete(name)) return NOT_FOUND;
    // As the API does: the tag leaves every resource that had it.
    for (const droplet of this.droplets.values()) droplet.tags = droplet.tags.filter((t) => t !== name);
    for (const firewall of this.firewalls.values()) firewall.tags = firewall.tags.filter((t) => t !== name);
    return { status: 204 };
  }

  private createFirewall(body: any): Reply {
    const unknownDroplet = (body.droplet_ids ?? []).find((d: number) => !this.droplets.has(d));
    if (unknownDroplet !== undefined) {
      return { status: 422, body: { id: 'unprocessable_entity', message: `droplet ${unknownDroplet} does not exist` } };
    }
    const unknownTag = (body.tags ?? []).find((t: string) => !this.tags.has(t));
    if (unknownTag !== undefined) {
      return { status: 422, body: { id: 'unprocessable_entity', message: `tag ${unknownTag} does not exist` } };
    }
    const firewall: Firewall = {
      id: randomUUID(),
      name: body.name,
      status: 'succeeded',
      inbound_rules: body.inbound_rules ?? [],
      outbound_rules: body.outbound_rules ?? [],
      droplet_ids: body.droplet_ids ?? [],
      tags: body.tags ?? [],
      created_at: new Date().toISOString(),
      pending_changes: [],
    };
    this.firewalls.set(firewall.id, firewall);
    return { status: 202, body: { firewall } };
  }

  private updateFirewall(id: string, body: any): Reply {
    const firewall = this.firewalls.get(id);
    if (!firewall) return NOT_FOUND;
    Object.assign(firewall, {
      name: body.name,
      inbound_rules: body.inbound_rules ?? [],
      outbound_rules: body.outbound_rules ?? [],
      droplet_ids: body.droplet_ids ?? [],
      tags: body.tags ?? [],
    });
    return { status: 200, body: { firewall } };
  }
}
