import { DropletSummary } from './decisions';

/** The calls the control plane makes to the DigitalOcean API, and nothing else. */
export class DigitalOcean {
  constructor(private readonly apiUrl: string, private readonly token: string) {}

  /** The droplets with a tag (the editor's). */
  public async dropletsTagged(tag: string): Promise<DropletSummary[]> {
    const body = (await this.call('GET', `/v2/droplets?tag_name=${encodeURIComponent(tag)}&per_page=200`)) as { droplets?: DropletSummary[] };
    return (body.droplets ?? []).map((droplet) => ({ id: droplet.id, status: droplet.status }));
  }

  /** Creates a tag (the editor's stopped marker); one that exists already is left as it is (422, should the API refuse it). */
  public async createTag(name: string): Promise<void> {
    await this.call('POST', '/v2/tags', { name }, [422]);
  }

  /** Deletes a tag (the marker, when the editor starts); one that is absent already is fine. */
  public async deleteTag(name: string): Promise<void> {
    await this.call('DELETE', `/v2/tags/${encodeURIComponent(name)}`, undefined, [404]);
  }

  /** Deletes a droplet by its id; its volumes are detached and kept. */
  public async deleteDroplet(id: number): Promise<void> {
    await this.call('DELETE', `/v2/droplets/${id}`, undefined, [404]);
  }

  private async call(method: string, path: string, body?: unknown, alsoFine: number[] = []): Promise<unknown> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { 'Authorization': `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok && !alsoFine.includes(response.status)) {
      throw new Error(`DigitalOcean ${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return response.status === 204 || !response.ok ? {} : response.json();
  }
}
