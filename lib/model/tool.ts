import { fail } from '../errors';
import { AccessLevel } from './access-level';
import { ChangeWindow } from './change-window';

/** The exact AWS permissions of a tool: these actions on these resources, nothing more. */
export interface AwsToolPermissions {
  /** IAM actions, `service:Action`, no wildcards. */
  readonly actions: string[];
  /** Resource ARNs; `*` only for actions that support no resource type. */
  readonly resources: string[];
  /**
   * Extra IAM condition block for the tool's statement, e.g. `{ StringEquals: { 'cloudwatch:namespace': 'App' } }`.
   * @default - no condition
   */
  readonly conditions?: { [operator: string]: { [key: string]: string | string[] } };
}

/** The exact GCP permissions of a tool on one resource. */
export interface GcpToolPermissions {
  /**
   * Predefined or custom roles to bind (`roles/storage.objectViewer`).
   * @default - none; then `permissions` must be set and a per-tool custom role is created
   */
  readonly roles?: string[];
  /**
   * Individual permissions (`storage.objects.get`), put in a per-tool custom role.
   * @default - none
   */
  readonly permissions?: string[];
  /**
   * The resource the grant is on, as a GCP resource name: `projects/p`, `projects/_/buckets/b`,
   * `projects/p/topics/t`, `projects/p/secrets/s`, `projects/p/datasets/d`, …
   */
  readonly resource: string;
  /**
   * The service account the declared resource runs as (a Cloud Run service's or job's service
   * identity), as an email of the environment's project. Deploying or updating such a resource
   * needs `iam.serviceAccounts.actAs` on that account: the tool may act as this one account and no
   * other. Required when the permissions need actAs (`run.services.update`, …), refused otherwise.
   * @default - none: the tool acts as no service account
   */
  readonly runtimeServiceAccount?: string;
}

/** The exact Azure permissions of a tool at one scope. */
export interface AzureToolPermissions {
  /**
   * Built-in roles by name (`Reader`) or role-definition GUID.
   * @default - none; then `actions`/`dataActions` must be set and a per-tool custom role is created
   */
  readonly roles?: string[];
  /**
   * Control-plane actions for a per-tool custom role.
   * @default - none
   */
  readonly actions?: string[];
  /**
   * Data-plane actions for a per-tool custom role.
   * @default - none
   */
  readonly dataActions?: string[];
  /** The scope of the assignment: a resource id or a resource-group id (never a subscription). */
  readonly scope: string;
  /**
   * ABAC condition on the role assignment (version 2.0 syntax).
   * @default - no condition
   */
  readonly condition?: string;
}

export interface ToolProps {
  /**
   * What the tool does, for the AIBOM and reviewers.
   * @default - none
   */
  readonly description?: string;
  /**
   * AWS permissions.
   * @default - the tool has no AWS identity
   */
  readonly aws?: AwsToolPermissions;
  /**
   * GCP permissions.
   * @default - the tool has no GCP identity
   */
  readonly gcp?: GcpToolPermissions;
  /**
   * Azure permissions.
   * @default - the tool has no Azure identity
   */
  readonly azure?: AzureToolPermissions;
  /**
   * When the tool may be used (checked by the broker; written into GCP conditions).
   * @default - always, unless the baseline requires a window for this tier
   */
  readonly window?: ChangeWindow;
  /**
   * Whether each use needs a human approval.
   * @default - true for destructive tools, false otherwise (the baseline may require more)
   */
  readonly requiresApproval?: boolean;
  /**
   * Data sources the tool reads (names or resource ids), declared for the AIBOM.
   * @default - none
   */
  readonly dataSources?: string[];
}

const TOOL_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const TOOL_SYMBOL = Symbol.for('agent-guardrails.Tool');

/**
 * One capability of an agent. One tool = one cloud identity, with exactly the tool's permissions.
 */
export class Tool {
  /** A tool that only reads (get/list/describe). */
  public static read(name: string, props: ToolProps): Tool {
    return new Tool(name, AccessLevel.READ, props);
  }

  /** A tool that writes (for an advisor: proposal actions only). */
  public static write(name: string, props: ToolProps): Tool {
    return new Tool(name, AccessLevel.WRITE, props);
  }

  /** A tool that destroys or rolls back state; needs approval unless `requiresApproval: false`. */
  public static destructive(name: string, props: ToolProps): Tool {
    return new Tool(name, AccessLevel.DESTRUCTIVE, props);
  }

  public static isTool(x: unknown): x is Tool {
    return typeof x === 'object' && x !== null && TOOL_SYMBOL in x;
  }

  public readonly name: string;
  public readonly accessLevel: AccessLevel;
  public readonly description?: string;
  public readonly aws?: AwsToolPermissions;
  public readonly gcp?: GcpToolPermissions;
  public readonly azure?: AzureToolPermissions;
  public readonly window?: ChangeWindow;
  public readonly requiresApproval: boolean;
  public readonly dataSources: string[];

  private constructor(name: string, accessLevel: AccessLevel, props: ToolProps) {
    if (!TOOL_NAME.test(name)) {
      fail('AG_TOOL_NAME', 'Tool.name', 'must be 2–40 chars of [a-z0-9-], starting with a letter', name, 'Use a short kebab-case name such as "read-logs".');
    }
    if (!props.aws && !props.gcp && !props.azure) {
      fail('AG_TOOL_NO_PERMISSIONS', `Tool(${name})`, 'must declare permissions for at least one cloud', props, 'Set aws, gcp or azure.');
    }
    Object.defineProperty(this, TOOL_SYMBOL, { value: true });
    this.name = name;
    this.accessLevel = accessLevel;
    this.description = props.description;
    this.aws = props.aws ? { ...props.aws, actions: [...props.aws.actions], resources: [...props.aws.resources] } : undefined;
    this.gcp = props.gcp;
    this.azure = props.azure;
    this.window = props.window;
    this.requiresApproval = props.requiresApproval ?? accessLevel === AccessLevel.DESTRUCTIVE;
    this.dataSources = [...(props.dataSources ?? [])];
  }
}
