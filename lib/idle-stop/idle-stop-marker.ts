import { DataDigitaloceanTags } from '@cdktf/provider-digitalocean/lib/data-digitalocean-tags';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ProviderOptions } from '../providers';

/** Props of {@link IdleStopMarker}. */
export interface IdleStopMarkerProps extends ProviderOptions {
  /** The name of the tag that the droplet creates when it stops itself. */
  readonly markerTag: string;
}

/**
 * Reads whether an editor stopped itself: the droplet creates a DigitalOcean tag of this name
 * before it deletes itself, and Terraform reads the tag back on every plan. While the tag
 * exists, the droplet's count is 0, so a deploy neither recreates the droplet nor reports it as
 * drift; deleting the tag and deploying starts the editor again.
 */
export class IdleStopMarker extends Construct {
  /** The name of the tag that marks the editor stopped. */
  public readonly markerTag: string;
  /** The tags named as the marker: one while the editor is stopped, none otherwise. */
  public readonly tags: DataDigitaloceanTags;
  /** The number of droplets the editor has: 1, or 0 while the marker exists. */
  public readonly dropletCount: number;
  /** "true" while the editor is stopped by its idle stop, else "false". */
  public readonly stopped: string;

  constructor(scope: Construct, id: string, props: IdleStopMarkerProps) {
    super(scope, id);
    this.markerTag = props.markerTag;
    this.tags = new DataDigitaloceanTags(this, 'Marker', {
      provider: props.digitaloceanProvider,
      filter: [{ key: 'name', values: [props.markerTag] }],
    });
    // Written out: cdktf's Op.eq renders a literal 0 as `undefined`.
    const absent = `length(${this.tags.fqn}.tags) == 0`;
    this.dropletCount = Token.asNumber(`\${${absent} ? 1 : 0}`);
    this.stopped = `\${${absent} ? "false" : "true"}`;
  }
}
