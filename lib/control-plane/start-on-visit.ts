import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import type { ControlPlane, ControlPlaneOwner, ICodeServerControlPlane } from './control-plane';
import { ControlPlaneRegistration } from './registration';
import type { CodeServerDroplet } from '../droplet/code-server-droplet';
import type { IdleStop, IdleStopMarker } from '../idle-stop';
import { idleStopOn } from '../private/idle-stop';
import { controlPlaneEditorNameOf } from '../private/naming';
import { PropContext, rejectProp } from '../private/validation';

/** The construct id of an editor's registration with its control plane. */
export const START_ON_VISIT_ID = 'StartOnVisit';

/** What an editor's or a team's props say of the control plane. */
export interface ControlPlaneUse extends ControlPlaneOwner {
  readonly controlPlane?: ControlPlane;
  readonly idleStop?: IdleStop;
}

/**
 * Refuses an idle stop without a control plane: a droplet only powers off, and only the control
 * plane turns a powered-off editor into a stopped one (and starts it again on a visit).
 */
export function checkIdleStopHasControlPlane(ctx: PropContext, props: ControlPlaneUse): void {
  if (!idleStopOn(props.idleStop) || props.controlPlane !== undefined) return;
  rejectProp(ctx, 'idleStop.idleMinutes', props.idleStop.idleMinutes,
    'needs a controlPlane: an idle editor only powers off, and the control plane stops it and starts it again when its URL is opened; ' +
    'give controlPlane: ControlPlane.create({ digitaloceanToken, startHook }) (docs/start-on-visit.md), or idleMinutes: 0 to turn idle stop off');
}

/** The control plane of an editor or a team: the one it makes (`<owner>/ControlPlane`, once per app) or the one it is given; none without `controlPlane`. */
export function bindControlPlane(owner: Construct, props: ControlPlaneUse): ICodeServerControlPlane | undefined {
  return props.controlPlane?._bind(owner, props);
}

/** The parts of an editor that its registration names. */
export interface StartOnVisitParts {
  readonly controlPlane?: ICodeServerControlPlane;
  readonly accessAudience: string;
  readonly droplet?: CodeServerDroplet;
  readonly idleStopMarker?: IdleStopMarker;
}

/**
 * Registers a running editor with an idle stop with its control plane (`<editor>/StartOnVisit`),
 * in the editor's own stack: name = a slug of its id (a member's name), stack = its stack's id,
 * droplet tag = its firewall's tag, marker = its idle stop marker's tag. An editor stopped by its
 * idle stop stays registered: it is the one a visit starts. None without an idle stop, or while
 * `running` is false (there is nothing for a visit to start).
 */
export function registerStartOnVisit(
  editor: Construct, props: { readonly hostname: string; readonly cloudflareZoneId: string } & ControlPlaneUse, parts: StartOnVisitParts,
): ControlPlaneRegistration | undefined {
  const { controlPlane, droplet, idleStopMarker } = parts;
  if (controlPlane === undefined || droplet === undefined || idleStopMarker === undefined) return undefined;
  return new ControlPlaneRegistration(editor, START_ON_VISIT_ID, {
    controlPlane,
    cloudflareZoneId: props.cloudflareZoneId,
    cloudflareProvider: props.providers?.cloudflareProvider,
    editor: {
      name: controlPlaneEditorNameOf(editor.node.id),
      hostname: props.hostname,
      accessAudience: parts.accessAudience,
      dropletTag: droplet.firewallTag.name,
      markerTag: idleStopMarker.markerTag,
      stack: TerraformStack.of(editor).node.id,
    },
  });
}
