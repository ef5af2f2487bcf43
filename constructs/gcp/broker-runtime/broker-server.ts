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
 *
 * The same bundle is the approve endpoint (entry point `approve`, its own function under its own
 * service account, `run.invoker` for the declared approvers only), with
 * `GCP_PROJECT`, `APPROVALS_DATABASE` and `APPROVE_CONFIG` (the `ApproveEndpointConfig` JSON).
 */
import { Firestore } from '@google-cloud/firestore';
import { GoogleAuth } from 'google-auth-library';
import { ApproveReply, createApproveEndpoint, parseApproveEndpointConfig } from '../../../lib/broker/approve-endpoint';
import { CredentialBrokerCore } from '../../../lib/broker/credential-broker-core';
import { createBrokerHandler } from '../../../lib/broker/guarded-decide';
import { createBrokerServer } from '../../../lib/broker/http-broker-server';
import type { BrokerPorts, DecisionRecord } from '../../../lib/broker/ports';
import { StdoutDecisionLog } from '../../../lib/broker/stdout-decision-log';
import { cloudRunCaller } from './cloud-run-caller';
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

/** An HTTP request as the Functions Framework hands it over (Express): headers and the parsed JSON body. */
export interface FunctionsRequest {
  readonly method?: string;
  readonly headers?: { readonly [name: string]: string | string[] | undefined };
  readonly body?: unknown;
}

/**
 * The approve endpoint's handler: the approver is the caller Cloud Run verified (`cloudRunCaller`),
 * never a field of the body. A misconfigured endpoint approves nothing (503).
 * @param openDatabase opens the approvals database (tests pass the Firestore emulator)
 */
export function createGcpApproveHandler(
  env: NodeJS.ProcessEnv,
  openDatabase: (projectId: string, databaseId: string) => BrokerFirestore = (projectId, databaseId) => new Firestore({ projectId, databaseId }),
  now?: () => Date,
): (req: FunctionsRequest) => Promise<ApproveReply> {
  let endpoint: ((caller: string | undefined, body: unknown) => Promise<ApproveReply>) | undefined;
  try {
    if (!env.GCP_PROJECT || !env.APPROVALS_DATABASE) throw new Error('GCP_PROJECT and APPROVALS_DATABASE must be set');
    const config = parseApproveEndpointConfig(env.APPROVE_CONFIG ?? '');
    endpoint = createApproveEndpoint(config, new FirestoreApprovalStore(openDatabase(env.GCP_PROJECT, env.APPROVALS_DATABASE)), { now });
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ type: 'agent-guardrails.approve-error', error: (e as Error).message })}\n`);
  }
  return async (req) => {
    if (req.method !== undefined && req.method !== 'POST') return { statusCode: 405, body: { error: 'Use POST with a JSON body { "approvalId": "..." }.' } };
    if (!endpoint) return { statusCode: 503, body: { error: 'The approve endpoint is misconfigured; nothing was approved.' } };
    return endpoint(cloudRunCaller(req.headers ?? {}), req.body);
  };
}

let approveHandler: ((req: FunctionsRequest) => Promise<ApproveReply>) | undefined;
/** The Cloud Functions (2nd gen) entry point `approve` of the approve endpoint. */
export async function approve(req: FunctionsRequest, res: { status(code: number): { json(body: unknown): void } }): Promise<void> {
  approveHandler ??= createGcpApproveHandler(process.env);
  const out = await approveHandler(req);
  res.status(out.statusCode).json(out.body);
}

/* istanbul ignore next: a plain Cloud Run container start-up (`node index.js`) */
if (require.main === module) {
  createBrokerServer(productionHandler()).listen(Number(process.env.PORT ?? 8080));
}
