import { DataDigitaloceanTags } from '@cdktf/provider-digitalocean/lib/data-digitalocean-tags';
import { DataResource, Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ProviderOptions } from '../providers';
import { identityAddress } from '../validation';

/** Props of {@link IdleStopMarker}. */
export interface IdleStopMarkerProps extends ProviderOptions {
  /**
   * The name of the tag that the droplet creates when it stops itself.
   * @default - a name of this marker's own, kept in the Terraform state (see `IdleStopMarker`)
   */
  readonly markerTag?: string;
  /**
   * A secret mixed into the default name, so that no one without it can compute the name: the
   * idle stop's DigitalOcean token (whoever holds it may delete the droplet anyway). Only its hash
   * is used, and only when the name is first made.
   * @default - none: the name is still unique to the deployment, but not secret
   */
  readonly nameSecret?: string;
}

/**
 * Reads whether an editor stopped itself: the droplet creates a DigitalOcean tag of this name
 * before it deletes itself, and Terraform reads the tag back on every plan. While the tag
 * exists, the droplet's count is 0, so a deploy neither recreates the droplet nor reports it as
 * drift; deleting the tag and deploying starts the editor again.
 *
 * Its default name belongs to one deployment and cannot be guessed: `ztcs-idle-` and 20 hex
 * digits of the SHA-256 of the construct's identity, the time of the plan that first made it
 * (`plantimestamp()`) and `nameSecret`, held by a `terraform_data` resource whose `input` is
 * never changed afterwards (`ignore_changes`). Two apps with the same names in one account get
 * two names; the name stays the same across deploys, token rotations and the move of the editor
 * into a fleet's stack (its state moves with the editor's). Unlike a random key of the tls
 * provider, the name is known when the plan is made, as the droplet's count needs it to be.
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
  /** The state's record of the default name, when no `markerTag` is given. */
  public readonly name?: DataResource;

  constructor(scope: Construct, id: string, props: IdleStopMarkerProps) {
    super(scope, id);
    if (props.markerTag !== undefined) {
      this.markerTag = props.markerTag;
    } else {
      const seed = Fn.join(':', [identityAddress(this), Fn.plantimestamp(), ...(props.nameSecret !== undefined ? [props.nameSecret] : [])]);
      this.name = new DataResource(this, 'Name', {
        // nonsensitive: a hash of the token, not the token; the droplet's count is made of it.
        input: { tag: `ztcs-idle-${Fn.substr(Fn.nonsensitive(Fn.sha256(seed)), 0, 20)}` },
        lifecycle: { ignoreChanges: ['input'] },
      });
      this.markerTag = Token.asString(Fn.lookup(this.name.input, 'tag'));
    }
    this.tags = new DataDigitaloceanTags(this, 'Marker', {
      provider: props.digitaloceanProvider,
      filter: [{ key: 'name', values: [this.markerTag] }],
    });
    // Written out: cdktf's Op.eq renders a literal 0 as `undefined`.
    const absent = `length(${this.tags.fqn}.tags) == 0`;
    this.dropletCount = Token.asNumber(`\${${absent} ? 1 : 0}`);
    this.stopped = `\${${absent} ? "false" : "true"}`;
  }
}
