import { DataDigitaloceanTags, DataDigitaloceanTagsFilter } from '@cdktf/provider-digitalocean/lib/data-digitalocean-tags';
import { DataResource, Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { IDLE_MARKER_PREFIX, identityAddress } from '../private/naming';
import { ProviderOptions } from '../providers';

/** Props of {@link IdleStopMarker}. */
export interface IdleStopMarkerProps extends ProviderOptions {
  /**
   * The name of the tag that the control plane creates when it stops the powered-off editor.
   * @default - a name of this marker's own, kept in the Terraform state (see `IdleStopMarker`)
   */
  readonly markerTag?: string;
}

/**
 * Reads whether an editor is stopped by its idle stop: the control plane creates a DigitalOcean
 * tag of this name before it deletes the powered-off droplet, and Terraform reads the tag back on
 * every plan. While the tag exists, the droplet's count is 0, so a deploy neither recreates the
 * droplet nor reports it as drift; deleting the tag and deploying starts the editor again. The
 * droplet itself never creates it: it holds no cloud credential.
 *
 * Its default name belongs to one deployment: `ztcs-idle-` and 20 hex digits of the SHA-256 of
 * the construct's identity and the time of the plan that first made it (`plantimestamp()`), held
 * by a `terraform_data` resource whose `input` is never changed afterwards (`ignore_changes`).
 * Two apps with the same names in one account get two names; the name stays the same across
 * deploys and the move of the editor into a fleet's stack (its state moves with the editor's), and
 * an editor deployed when the name also hashed the idle stop's former token keeps that name. Only
 * a holder of a DigitalOcean token (the control plane, an administrator) can create the tag.
 * Unlike a random key of the tls provider, the name is known when the plan is made, as the
 * droplet's count needs it to be.
 */
export class IdleStopMarker extends Construct {
  /** The name of the tag that marks the editor stopped. */
  public readonly markerTag: string;
  /**
   * The tags read: with a `markerTag` given, those of that name (one while the editor is stopped,
   * none otherwise); with the default name, every tag of the account whose name starts `ztcs-idle-`.
   */
  public readonly tags: DataDigitaloceanTags;
  /** The number of droplets the editor has: 1, or 0 while the marker exists. */
  public readonly dropletCount: number;
  /** "true" while the editor is stopped by its idle stop, else "false". */
  public readonly stopped: string;
  /** The state's record of the default name, when no `markerTag` is given. */
  public readonly name?: DataResource;

  constructor(scope: Construct, id: string, props: IdleStopMarkerProps) {
    super(scope, id);
    let stopped: string;
    if (props.markerTag !== undefined) {
      this.markerTag = props.markerTag;
      this.tags = this.readTags(props, { key: 'name', values: [this.markerTag] });
      stopped = `length(${this.tags.fqn}.tags) > 0`;
    } else {
      // Terraform's format() with each part an argument of its own: a template string would put
      // "${…}" inside a function's argument, which cdktf warns of on every synthesis, and Fn.join's
      // list would write a token bare.
      const seed = Fn.format('%s:%s', [identityAddress(this), Fn.plantimestamp()]);
      this.name = new DataResource(this, 'Name', {
        // ignore_changes: the name of a deployed editor never changes (one made when the seed also
        // held the idle stop's token keeps it).
        input: { tag: `${IDLE_MARKER_PREFIX}${Fn.substr(Fn.sha256(seed), 0, 20)}` },
        lifecycle: { ignoreChanges: ['input'] },
      });
      this.markerTag = Token.asString(Fn.lookup(this.name.input, 'tag'));
      // The tags are read by prefix, not by the name: a data source that refers to a resource
      // being created is read only at apply, and the droplet's count must be known at plan. The
      // resource's input, compared here, is known at plan even while it is being created.
      this.tags = this.readTags(props, { key: 'name', values: [IDLE_MARKER_PREFIX], matchBy: 'substring' });
      stopped = `contains(${this.tags.fqn}.tags[*].name, ${this.name.fqn}.input.tag)`;
    }
    // Written out: cdktf's Op.eq renders a literal 0 as `undefined`.
    this.dropletCount = Token.asNumber(`\${${stopped} ? 0 : 1}`);
    this.stopped = `\${${stopped} ? "true" : "false"}`;
  }

  private readTags(props: IdleStopMarkerProps, filter: DataDigitaloceanTagsFilter): DataDigitaloceanTags {
    return new DataDigitaloceanTags(this, 'Marker', { provider: props.digitaloceanProvider, filter: [filter] });
  }
}
