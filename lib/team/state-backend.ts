import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformBackend, TerraformStack } from 'cdktf';
import { checkPattern, contextOf, PropContext, rejectProp } from '../private/validation';

/** The defaults of the state backends, for documentation and tests. */
export const STATE_BACKEND_DEFAULTS = {
  /** Prefix of each stack's state object in a bucket: `<keyPrefix><stack>.tfstate`. */
  keyPrefix: 'ztcs/',
  lock: true,
} as const;

/** The host of HCP Terraform, unless another is given. */
export const HCP_TERRAFORM_HOSTNAME = 'app.terraform.io';

/** The region that Spaces' S3 API takes in signatures, whatever the bucket's region. */
const SPACES_SIGNING_REGION = 'us-east-1';

/** Where one DigitalOcean Spaces bucket keeps the state of every stack. */
export interface SpacesStateOptions {
  /** The bucket's name. */
  readonly bucket: string;
  /** The bucket's region (its endpoint is `https://<region>.digitaloceanspaces.com`), e.g. `fra1`. */
  readonly region: string;
  /**
   * Prefix of each stack's state object: the state of stack `team-alice` is `<keyPrefix>team-alice.tfstate`.
   * @default "ztcs/"
   */
  readonly keyPrefix?: string;
  /**
   * Lock each state while a plan or apply runs, with a lock object next to it (`use_lockfile`,
   * S3 conditional writes, Terraform 1.10 or newer). Turn it off only for a store that refuses
   * conditional writes, and then never run two deploys of one stack at once.
   * @default true
   */
  readonly lock?: boolean;
}

/** Where an S3-compatible bucket (AWS S3, MinIO, Ceph…) keeps the state of every stack. */
export interface S3StateOptions {
  /** The bucket's name. */
  readonly bucket: string;
  /** The bucket's region (for a store other than AWS, the region its signatures expect). */
  readonly region: string;
  /**
   * The S3 API's endpoint, for a store other than AWS; AWS's own checks (credentials through
   * STS, account id, region name, instance metadata) are then skipped.
   * @default - AWS S3
   */
  readonly endpoint?: string;
  /**
   * Prefix of each stack's state object: the state of stack `team-alice` is `<keyPrefix>team-alice.tfstate`.
   * @default "ztcs/"
   */
  readonly keyPrefix?: string;
  /**
   * Lock each state while a plan or apply runs, with a lock object next to it (`use_lockfile`,
   * S3 conditional writes, Terraform 1.10 or newer).
   * @default true
   */
  readonly lock?: boolean;
  /**
   * Address buckets by path (`<endpoint>/<bucket>`) rather than by host name, as MinIO needs.
   * @default false
   */
  readonly usePathStyle?: boolean;
}

/** Where HCP Terraform (or Terraform Enterprise) keeps the state of every stack: a workspace each. */
export interface HcpTerraformStateOptions {
  /** The organization of the workspaces. */
  readonly organization: string;
  /**
   * Prefix of each stack's workspace name: stack `team-alice` runs in workspace `<workspacePrefix>team-alice`.
   * @default - the stack's name alone
   */
  readonly workspacePrefix?: string;
  /**
   * The HCP Terraform project of the workspaces.
   * @default - the organization's default project
   */
  readonly project?: string;
  /**
   * The host of HCP Terraform, or of your Terraform Enterprise.
   * @default "app.terraform.io"
   */
  readonly hostname?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SPACES_REGION = /^[a-z]{3}[0-9]$/;
const KEY_PREFIX = /^(?:[A-Za-z0-9!_.*'()-]+\/)*(?:[A-Za-z0-9!_.*'()-]+)?$/;
const ORGANIZATION = /^[A-Za-z0-9_-]+$/;

/**
 * Where the stacks of a fleet keep their Terraform state: each stack its own state (an object, a
 * workspace), named after the stack. Cross-stack references read the base stack's state from the
 * same place.
 */
export abstract class StateBackend {
  /** Each stack's state in a local file, `terraform.<stack>.tfstate` in the cdktf project's folder: cdktf's default, for one person. */
  public static local(): StateBackend {
    return new LocalState();
  }

  /** Each stack's state in a DigitalOcean Spaces bucket, locked while a plan or apply runs. */
  public static digitaloceanSpaces(options: SpacesStateOptions): StateBackend {
    return new S3State('digitaloceanSpaces', {
      bucket: options.bucket,
      region: SPACES_SIGNING_REGION,
      endpoint: `https://${options.region}.digitaloceanspaces.com`,
      keyPrefix: options.keyPrefix,
      lock: options.lock,
    }, () => options.region);
  }

  /** Each stack's state in an S3-compatible bucket, locked while a plan or apply runs. */
  public static s3(options: S3StateOptions): StateBackend {
    return new S3State('s3', options);
  }

  /** Each stack's state in a workspace of its own in HCP Terraform, which locks it. */
  public static hcpTerraform(options: HcpTerraformStateOptions): StateBackend {
    return new HcpTerraformState(options);
  }

  /**
   * Configures a stack to keep its state here; its name makes the state's key or workspace.
   * Checks the options first: an error names the stack and the option.
   */
  public abstract bind(stack: TerraformStack): void;

  /** Checks the options for the construct at `ctx`, before any stack exists. @internal */
  public _check(_ctx: PropContext): void {
    // Nothing to check by default.
  }
}

class LocalState extends StateBackend {
  public bind(stack: TerraformStack): void {
    // cdktf's own default, written out: terraform.<stack>.tfstate in the folder cdktf runs in.
    new LocalBackend(stack);
  }
}

class S3State extends StateBackend {
  constructor(
    private readonly kind: string,
    private readonly options: S3StateOptions,
    private readonly spacesRegion?: () => string,
  ) {
    super();
  }

  /** @internal */
  public _check(ctx: PropContext): void {
    const prop = (name: string) => `backend.${this.kind}.${name}`;
    checkPattern(ctx, prop('bucket'), this.options.bucket, BUCKET, 'expected a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens, e.g. "acme-terraform-state"');
    const region = this.spacesRegion?.() ?? this.options.region;
    if (this.spacesRegion) checkPattern(ctx, prop('region'), region, SPACES_REGION, 'expected the region slug of a Spaces bucket, e.g. "fra1"');
    else if (region.trim() === '') rejectProp(ctx, prop('region'), region, 'expected the bucket\'s region, e.g. "eu-central-1"');
    const keyPrefix = this.options.keyPrefix ?? STATE_BACKEND_DEFAULTS.keyPrefix;
    checkKeyPrefix(ctx, prop('keyPrefix'), keyPrefix);
    const endpoint = this.options.endpoint;
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
      rejectProp(ctx, prop('endpoint'), endpoint, 'expected the URL of the S3 API, e.g. "https://fra1.digitaloceanspaces.com"');
    }
  }

  public bind(stack: TerraformStack): void {
    this._check(contextOf(stack));
    const keyPrefix = this.options.keyPrefix ?? STATE_BACKEND_DEFAULTS.keyPrefix;
    const endpoint = this.options.endpoint;
    const backend: TerraformBackend = new S3Backend(stack, {
      bucket: this.options.bucket,
      key: `${keyPrefix}${stack.node.id}.tfstate`,
      region: this.options.region,
      ...(this.options.usePathStyle ? { usePathStyle: true } : {}),
      ...(endpoint !== undefined ? {
        endpoints: { s3: endpoint },
        // AWS's own checks, which another store cannot answer.
        skipCredentialsValidation: true,
        skipRequestingAccountId: true,
        skipMetadataApiCheck: true,
        skipRegionValidation: true,
        skipS3Checksum: true,
      } : {}),
    });
    // cdktf 0.21's S3 backend predates use_lockfile (Terraform 1.10): set it on the block.
    if (this.options.lock ?? STATE_BACKEND_DEFAULTS.lock) backend.addOverride('use_lockfile', true);
  }
}

class HcpTerraformState extends StateBackend {
  constructor(private readonly options: HcpTerraformStateOptions) {
    super();
  }

  /** @internal */
  public _check(ctx: PropContext): void {
    checkPattern(ctx, 'backend.hcpTerraform.organization', this.options.organization, ORGANIZATION, 'expected an organization name of letters, digits, "_" and "-", e.g. "acme"');
    const prefix = this.options.workspacePrefix ?? '';
    if (prefix !== '') checkPattern(ctx, 'backend.hcpTerraform.workspacePrefix', prefix, ORGANIZATION, 'expected letters, digits, "_" and "-", e.g. "editors-"');
  }

  public bind(stack: TerraformStack): void {
    this._check(contextOf(stack));
    const prefix = this.options.workspacePrefix ?? '';
    new CloudBackend(stack, {
      organization: this.options.organization,
      hostname: this.options.hostname ?? HCP_TERRAFORM_HOSTNAME,
      workspaces: new NamedCloudWorkspace(`${prefix}${stack.node.id}`, this.options.project),
    });
  }
}

function checkKeyPrefix(ctx: PropContext, prop: string, keyPrefix: string): void {
  if (keyPrefix !== '' && !KEY_PREFIX.test(keyPrefix)) {
    rejectProp(ctx, prop, keyPrefix, 'expected folders of letters, digits and !_.*\'()- separated and ended by "/", e.g. "ztcs/" (or "" for none)');
  }
}
