/**
 * The Microsoft Entra app registration that represents the Azure broker's API, for a broker created
 * without `apiClientId`. Its own module because it is the only code that needs
 * `@cdktf/provider-azuread`: `CredentialBroker` requires it lazily, so an app that passes its own
 * `apiClientId` never loads (nor installs) that provider.
 */
import { Construct } from 'constructs';
import { TerraformProvider, TerraformResource, TerraformStack } from 'cdktf';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationIdentifierUri } from '@cdktf/provider-azuread/lib/application-identifier-uri';
import { ApplicationPreAuthorized } from '@cdktf/provider-azuread/lib/application-pre-authorized';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { GuardrailError } from '../../../lib/errors';
import { stableUuid } from '../../gcp/private/names';

/** The app role the agent runtime holds (an application permission): the only way an application gets a token for the API. */
export const BROKER_INVOKE_ROLE = 'Broker.Invoke';
/** The app role each approver holds (users only). */
export const BROKER_APPROVER_ROLE = 'Broker.Approver';
/** The delegated scope the approvers' client (Azure CLI by default) is pre-authorized for. */
export const BROKER_APPROVE_SCOPE = 'Broker.Approve';

export interface BrokerApiRegistrationProps {
  readonly displayName: string;
  /** The agent runtime's object id: assigned the invoke role. */
  readonly runtimePrincipalId: string;
  /** The approvers' object ids: assigned the approver role. */
  readonly approverPrincipalIds: readonly string[];
  /** The client applications pre-authorized for the approve scope (no consent prompt). */
  readonly approverClientIds: readonly string[];
  /** Stable inputs for the role and scope ids (GUIDs the app registration keeps across deployments). */
  readonly seed: readonly string[];
}

/**
 * The app registration, its service principal and who may get a token for it.
 *
 * - **Only assigned principals get a token at all**: the service principal requires an app role
 *   assignment (`app_role_assignment_required`), so Entra refuses to issue a token for the API to any
 *   other principal of the tenant. The runtime holds `Broker.Invoke`; each approver `Broker.Approver`.
 * - Access tokens are v2 (`requested_access_token_version = 2`): audience = the client id, issuer =
 *   `https://login.microsoftonline.com/<tenant>/v2.0`, matching the broker's Entra authentication.
 * - The identifier URI is `api://<client id>` (the form Entra's app-id-URI policy always allows).
 * - With approvers, a delegated scope the approvers' client (Azure CLI by default) is pre-authorized for.
 */
export class BrokerApiRegistration extends Construct {
  /** The API's application (client) id: the audience of the runtime's and approvers' tokens. */
  public readonly clientId: string;
  /** Every resource made here, for the owner labels. */
  public readonly resources: TerraformResource[] = [];

  constructor(scope: Construct, id: string, props: BrokerApiRegistrationProps) {
    super(scope, id);
    const approvers = props.approverPrincipalIds.length > 0;
    const invokeRoleId = stableUuid([...props.seed, BROKER_INVOKE_ROLE]);
    const approverRoleId = stableUuid([...props.seed, BROKER_APPROVER_ROLE]);
    const approveScopeId = stableUuid([...props.seed, BROKER_APPROVE_SCOPE]);
    const app = new Application(this, 'Application', {
      displayName: props.displayName,
      signInAudience: 'AzureADMyOrg',
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScope: approvers ? [{
          id: approveScopeId, value: BROKER_APPROVE_SCOPE, type: 'Admin', enabled: true,
          adminConsentDisplayName: 'Approve the agent\'s pending broker requests',
          adminConsentDescription: 'Lets a declared approver approve one pending request of the agent through the broker\'s approve route.',
        }] : [],
      },
      appRole: [
        {
          id: invokeRoleId, value: BROKER_INVOKE_ROLE, allowedMemberTypes: ['Application'], enabled: true,
          displayName: 'Invoke the credential broker', description: 'The agent runtime: asks the broker for a tool credential.',
        },
        ...(approvers ? [{
          id: approverRoleId, value: BROKER_APPROVER_ROLE, allowedMemberTypes: ['User'], enabled: true,
          displayName: 'Approve broker requests', description: 'A person who approves the agent\'s pending requests.',
        }] : []),
      ],
      // The identifier URI is its own resource (it names the client id, known only after creation).
      lifecycle: { ignoreChanges: ['identifier_uris'] },
    });
    this.clientId = app.clientId;
    const uri = new ApplicationIdentifierUri(this, 'IdentifierUri', { applicationId: app.id, identifierUri: `api://${app.clientId}` });
    const sp = new ServicePrincipal(this, 'ServicePrincipal', { clientId: app.clientId, appRoleAssignmentRequired: true });
    this.resources.push(app, uri, sp);
    this.resources.push(new AppRoleAssignment(this, 'RuntimeInvokes', { appRoleId: invokeRoleId, principalObjectId: props.runtimePrincipalId, resourceObjectId: sp.objectId }));
    props.approverPrincipalIds.forEach((principalId, i) => {
      this.resources.push(new AppRoleAssignment(this, `Approver${i}`, { appRoleId: approverRoleId, principalObjectId: principalId, resourceObjectId: sp.objectId }));
    });
    props.approverClientIds.forEach((clientId, i) => {
      this.resources.push(new ApplicationPreAuthorized(this, `ApproverClient${i}`, { applicationId: app.id, authorizedClientId: clientId, permissionIds: [approveScopeId] }));
    });
    this.node.addValidation({ validate: () => this.providerProblems() });
  }

  /** The stack must configure the azuread provider (pinned in required_providers, pointed at the tenant), not leave Terraform to guess one. */
  private providerProblems(): string[] {
    const stack = TerraformStack.of(this);
    const configured = stack.node.findAll().some((c) => TerraformProvider.isTerraformProvider(c) && c.terraformResourceType === 'azuread');
    return configured ? [] : [GuardrailError.format(
      `azure.CredentialBroker(${this.node.scope!.node.path}).apiClientId`,
      'is absent, so the broker creates its API\'s app registration, which needs the azuread provider in the stack',
      undefined,
      'Add `new AzureadProvider(stack, \'azuread\', { tenantId })` (import from \'@cdktf/provider-azuread/lib/provider\'), or pass apiClientId.',
    )];
  }
}

