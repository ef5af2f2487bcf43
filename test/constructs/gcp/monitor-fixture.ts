import { GCP_PROD } from '../../../examples/tf/agents';

/**
 * GCP audit log entries in the shape Google documents for `LogEntry` with a
 * `google.cloud.audit.AuditLog` payload (https://cloud.google.com/logging/docs/audit/understanding-audit-logs,
 * https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog): the
 * principal in `authenticationInfo.principalEmail`, a token obtained through impersonation in
 * `authenticationInfo.serviceAccountDelegationInfo[].firstPartyPrincipal.principalEmail`, one
 * `authorizationInfo` entry per permission checked, `status.code` 7 when denied.
 */
export interface AuditEntryOptions {
  readonly principal?: string;
  /** The first party of the delegation chain (the account whose token was used to impersonate `principal`). */
  readonly delegatedBy?: string;
  readonly log?: 'activity' | 'data_access' | 'policy' | 'system_event';
  readonly project?: string;
  readonly method?: string;
  readonly permission?: string;
  readonly resource?: string;
  readonly denied?: boolean;
  readonly time?: string;
  readonly insertId?: string;
  /** More permissions checked by the same call. */
  readonly morePermissions?: string[];
}

export function auditLogEntry(o: AuditEntryOptions): Record<string, unknown> {
  const project = o.project ?? GCP_PROD.gcp!.project;
  const resource = o.resource ?? `projects/${project}/locations/europe-west1/services/checkout`;
  const permissions = [o.permission ?? 'run.services.update', ...(o.morePermissions ?? [])];
  return {
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: o.denied ? { code: 7, message: 'Permission denied' } : {},
      authenticationInfo: {
        ...(o.principal !== undefined ? { principalEmail: o.principal } : {}),
        ...(o.delegatedBy !== undefined ? { serviceAccountDelegationInfo: [{ firstPartyPrincipal: { principalEmail: o.delegatedBy } }] } : {}),
      },
      requestMetadata: { callerIp: '203.0.113.7', callerSuppliedUserAgent: 'google-api-nodejs-client/9.0.0,gzip(gfe)' },
      serviceName: 'run.googleapis.com',
      methodName: o.method ?? 'google.cloud.run.v2.Services.UpdateService',
      authorizationInfo: permissions.map((permission) => ({ resource, permission, granted: !o.denied, resourceAttributes: {} })),
      resourceName: resource,
    },
    insertId: o.insertId ?? '-abc123def456',
    resource: { type: 'cloud_run_revision', labels: { project_id: project, location: 'europe-west1', service_name: 'checkout' } },
    timestamp: o.time ?? '2026-03-25T11:00:00.123456Z',
    severity: o.denied ? 'ERROR' : 'NOTICE',
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2F${o.log ?? 'activity'}`,
    receiveTimestamp: o.time ?? '2026-03-25T11:00:01.234567Z',
  };
}

/** A broker decision record as the GCP broker writes it (one JSON line on stdout → `jsonPayload` of its Cloud Run service's stdout log). */
export function brokerDecisionEntry(o: { decision?: string; service?: string; approvalId?: string; decisionId?: string; tool?: string; lineageId?: string; time?: string; expiresAt?: string }): Record<string, unknown> {
  const project = GCP_PROD.gcp!.project;
  return {
    insertId: `decision-${o.decisionId ?? 'd-1'}`,
    jsonPayload: {
      type: 'agent-guardrails.broker-decision', decisionId: o.decisionId ?? 'd-1', time: o.time ?? '2026-03-25T10:58:00.000Z', agent: 'deploy-operator',
      tool: o.tool ?? 'rollback-deployment', environment: 'prod', lineageId: o.lineageId ?? 'incident-7', decision: o.decision ?? 'granted', reasonCode: 'GRANTED',
      approvalId: o.approvalId ?? 'ap-1', approver: 'user:alice@acme.example', resource: null, expiresAt: o.expiresAt ?? '2026-03-25T11:13:00.000Z', invalidFields: null,
      severity: 'NOTICE', message: 'broker granted rollback-deployment for deploy-operator: GRANTED',
    },
    resource: { type: 'cloud_run_revision', labels: { project_id: project, service_name: o.service ?? 'ag-broker-deploy-operator', location: 'europe-west1' } },
    timestamp: '2026-03-25T10:58:00.100Z',
    severity: 'NOTICE',
    logName: `projects/${project}/logs/run.googleapis.com%2Fstdout`,
  };
}
