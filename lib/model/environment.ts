import { fail } from '../errors';
import { looksUnresolved } from '../private/tokens';
import { CrossAccountAccess } from './cross-account-access';

/** Where an environment lives on AWS. */
export interface AwsEnvironmentProps {
  /** The 12-digit account id of this environment. */
  readonly account: string;
  /** The regions this environment may use; requests to any other region are denied by the boundary. */
  readonly regions: string[];
}

/** Where an environment lives on GCP: one project per environment. */
export interface GcpEnvironmentProps {
  /** The project id (6–30 chars, lowercase letters, digits and hyphens). */
  readonly project: string;
}

/** Where an environment lives on Azure: one resource group, in a subscription, per environment. */
export interface AzureEnvironmentProps {
  /** The subscription id (a GUID). */
  readonly subscriptionId: string;
  /** The resource group holding this environment's resources. */
  readonly resourceGroup: string;
  /** The Azure location of that resource group (e.g. `westeurope`). */
  readonly location: string;
}

export interface EnvironmentProps {
  /** Environment name (`dev`, `staging`, `prod`, …): lowercase, 1–32 chars, `[a-z][a-z0-9-]*`. */
  readonly name: string;
  /**
   * AWS placement.
   * @default - the environment cannot be used by AWS constructs
   */
  readonly aws?: AwsEnvironmentProps;
  /**
   * GCP placement.
   * @default - the environment cannot be used by GCP constructs
   */
  readonly gcp?: GcpEnvironmentProps;
  /**
   * Azure placement.
   * @default - the environment cannot be used by Azure constructs
   */
  readonly azure?: AzureEnvironmentProps;
  /**
   * A deliberate cross-account set-up: the other AWS accounts (or GCP projects) whose principals
   * this environment trusts as broker runtime, revocation principals or approvers, with the reason.
   * The permissions boundary and every report show it.
   * @default - principals of another account or project are refused
   */
  readonly crossAccount?: CrossAccountAccess;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A deployment environment (dev / staging / prod). One environment per identity: an identity of
 * one environment never reaches another's resources.
 */
export class Environment {
  /** Define an environment. */
  public static of(props: EnvironmentProps): Environment {
    return new Environment(props);
  }

  public readonly name: string;
  public readonly aws?: AwsEnvironmentProps;
  public readonly gcp?: GcpEnvironmentProps;
  public readonly azure?: AzureEnvironmentProps;
  /** The stated cross-account opt-in, when any. */
  public readonly crossAccount?: CrossAccountAccess;

  private constructor(props: EnvironmentProps) {
    if (!NAME.test(props.name)) {
      fail('AG_ENV_NAME', 'Environment.name', 'must be 1–32 chars of [a-z0-9-] starting with a letter', props.name, 'Use a short lowercase name such as "prod".');
    }
    if (props.aws) {
      const { account, regions } = props.aws;
      if (!looksUnresolved(account) && !ACCOUNT.test(account)) {
        fail('AG_ENV_ACCOUNT', `Environment(${props.name}).aws.account`, 'must be a 12-digit AWS account id', account, 'Pass the account id as a string of 12 digits.');
      }
      if (regions.length === 0) {
        fail('AG_ENV_REGIONS', `Environment(${props.name}).aws.regions`, 'must name at least one region', regions, 'List the regions this environment uses, e.g. ["eu-west-1"].');
      }
      for (const r of regions) {
        if (!looksUnresolved(r) && !REGION.test(r)) {
          fail('AG_ENV_REGIONS', `Environment(${props.name}).aws.regions`, 'must hold region names', r, 'Use region codes such as "us-east-1".');
        }
      }
    }
    if (props.gcp && !looksUnresolved(props.gcp.project) && !GCP_PROJECT.test(props.gcp.project)) {
      fail('AG_ENV_GCP_PROJECT', `Environment(${props.name}).gcp.project`, 'must be a GCP project id (6–30 chars, [a-z0-9-], starts with a letter)', props.gcp.project, 'Use the project id, not its number or display name.');
    }
    if (props.azure) {
      if (!looksUnresolved(props.azure.subscriptionId) && !GUID.test(props.azure.subscriptionId)) {
        fail('AG_ENV_AZURE_SUBSCRIPTION', `Environment(${props.name}).azure.subscriptionId`, 'must be a GUID', props.azure.subscriptionId, 'Use the subscription id (not its name).');
      }
      if (!props.azure.resourceGroup) {
        fail('AG_ENV_AZURE_RG', `Environment(${props.name}).azure.resourceGroup`, 'must not be empty', props.azure.resourceGroup, 'Name the resource group of this environment.');
      }
    }
    const own = [props.aws?.account, props.gcp?.project].filter((v): v is string => v !== undefined);
    const listed = [...(props.crossAccount?.accounts ?? []), ...(props.crossAccount?.projects ?? [])].filter((v) => own.includes(v));
    if (listed.length > 0) {
      fail('AG_CROSS_ACCOUNT_OWN', `Environment(${props.name}).crossAccount`, 'must list other accounts or projects only, not the environment\'s own', listed, 'Drop the environment\'s own account or project from the opt-in: it is always trusted.');
    }
    this.name = props.name;
    this.aws = props.aws ? { account: props.aws.account, regions: [...props.aws.regions] } : undefined;
    this.gcp = props.gcp;
    this.azure = props.azure;
    this.crossAccount = props.crossAccount;
  }

  /** The AWS placement, or a clear error naming the construct that needs it. */
  public requireAws(forWhat: string): AwsEnvironmentProps {
    if (!this.aws) fail('AG_ENV_NO_AWS', `Environment(${this.name}).aws`, `is required by ${forWhat}`, undefined, 'Give the environment an aws: { account, regions } placement.');
    return this.aws;
  }

  public requireGcp(forWhat: string): GcpEnvironmentProps {
    if (!this.gcp) fail('AG_ENV_NO_GCP', `Environment(${this.name}).gcp`, `is required by ${forWhat}`, undefined, 'Give the environment a gcp: { project } placement.');
    return this.gcp;
  }

  public requireAzure(forWhat: string): AzureEnvironmentProps {
    if (!this.azure) fail('AG_ENV_NO_AZURE', `Environment(${this.name}).azure`, `is required by ${forWhat}`, undefined, 'Give the environment an azure: { subscriptionId, resourceGroup, location } placement.');
    return this.azure;
  }
}
