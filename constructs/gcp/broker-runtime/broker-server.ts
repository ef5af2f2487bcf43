/**
 * Cloud Run entry point of the GCP credential broker (bundled with its Google clients to
 * dist-handler/gcp-broker/index.js by scripts/build-broker-handler.js; synth never bundles).
 *
 * Environment (written by the gcp `CredentialBroker` construct):
 * - `BROKER_CONFIG`: the `BrokerConfig` JSON
 * - `GCP_PROJECT`: the project of the broker's Firestore databases and topic
 * - `KILL_SWITCH_DATABASE`, `APPROVALS_DATABASE`: the two Firestore database ids
 * - `APPROVALS_TOPIC`: `projects/<p>/topics/<t>` for pending approvals (optional)
 * - `PORT`: set by Cloud Run
 *
 * Only the agent runtime may invoke the service (Cloud Run IAM, `run.invoker`); the server answers
 * `POST /` with a JSON `BrokerRequest` body and a JSON `BrokerResponse`.
 */
import { Firestore } from '@google-cloud/firestore';
import { GoogleAuth } from 'google-auth-library';
import { CredentialBrokerCore } from '../../../lib/broker/credential-broker-core';
import { createBrokerHandler } from '../../../lib/broker/guarded-decide';
import { createBrokerServer } from '../../../lib/broker/http-broker-server';
import type { BrokerPorts, DecisionRecord } from '../../../lib/broker/ports';
import { StdoutDecisionLog } from '../../../lib/broker/stdout-decision-log';
import { FirestoreApprovalStore } from './firestore-approval-store';
import { FirestoreKillSwitchState } from './firestore-kill-switch-state';
import type { IGoogleApi } from './google-api';
import { IamCredentialsMinter } from './iam-credentials-minter';
import { PubSubPendingAnnouncer } from './pubsub-pending-announcer';

/** Cloud Logging reads `severity` and `message` from a JSON line on stdout. */
export function cloudLoggingFields(record: DecisionRecord): Record<string, string> {
  return {
    severity: record.decision === 'granted' ? 'NOTICE' : 'WARNING',
    message: `broker ${record.decision} ${record.tool ?? '-'} for ${record.agent}: ${record.reasonCode}`,
  };
}

/** A Firestore database, as far as the broker's adapters use it. */
export type BrokerFirestore = Pick<Firestore, 'doc' | 'runTransaction'>;

/**
 * The GCP adapters of the broker's ports, from the Cloud Run environment.
 * @param openDatabase opens one Firestore database by id (bench/broker passes in-process fakes)
 */
export function gcpPorts(
  env: NodeJS.ProcessEnv,
  api: IGoogleApi,
  openDatabase: (projectId: string, databaseId: string) => BrokerFirestore = (projectId, databaseId) => new Firestore({ projectId, databaseId }),
): BrokerPorts {
  const projectId = env.GCP_PROJECT;
  const killSwitchDb = env.KILL_SWITCH_DATABASE;
  const approvalsDb = env.APPROVALS_DATABASE;
  if (!projectId || !killSwitchDb || !approvalsDb) throw new Error('GCP_PROJECT, KILL_SWITCH_DATABASE and APPROVALS_DATABASE must be set');
  const topic = env.APPROVALS_TOPIC;
  return {
    killSwitch: new FirestoreKillSwitchState(openDatabase(projectId, killSwitchDb)),
    approvals: new FirestoreApprovalStore(openDatabase(projectId, approvalsDb), topic ? new PubSubPendingAnnouncer(api, topic) : undefined),
    minter: new IamCredentialsMinter(api),
    clock: { now: () => new Date() },
    log: new StdoutDecisionLog(undefined, cloudLoggingFields),
  };
}

let decide: ((event: unknown) => Promise<unknown>) | undefined;
function productionHandler(): (event: unknown) => Promise<unknown> {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  const api: IGoogleApi = { request: async (options) => (await auth.getClient()).request(options) as never };
  return createBrokerHandler(() => new CredentialBrokerCore(process.env.BROKER_CONFIG ?? '', gcpPorts(process.env, api)));
}

/**
 * The Cloud Functions (2nd gen) entry point `broker`: the Functions Framework has parsed the JSON
 * body; the answer is the `BrokerResponse` as JSON.
 */
export async function broker(req: { readonly method?: string; readonly body?: unknown }, res: { status(code: number): { json(body: unknown): void } }): Promise<void> {
  if (req.method !== undefined && req.method !== 'POST') return res.status(405).json({ error: 'Use POST with a JSON broker request.' });
  decide ??= productionHandler();
  res.status(200).json(await decide(req.body));
}

/* istanbul ignore next: a plain Cloud Run container start-up (`node index.js`) */
if (require.main === module) {
  createBrokerServer(productionHandler()).listen(Number(process.env.PORT ?? 8080));
}
