import { FirestoreApprovalStore } from '../../constructs/gcp/broker-runtime/firestore-approval-store';
import { FirestoreKillSwitchState } from '../../constructs/gcp/broker-runtime/firestore-kill-switch-state';
import { APPROVALS_COLLECTION, KILL_SWITCH_COLLECTION } from '../../constructs/gcp/broker-runtime/firestore-layout';
import type { IGoogleApi } from '../../constructs/gcp/broker-runtime/google-api';
import { IamCredentialsMinter } from '../../constructs/gcp/broker-runtime/iam-credentials-minter';
import type { IApprovalStore, IKillSwitchState } from '../../lib/broker';
import { AGENT, brokerConformance, ConformanceHarness, HarnessPorts, MintFault } from './broker-conformance';
import { FirestoreEmulator } from './emulators';
import { brokenApprovals, brokenKillSwitch, swappable } from './harness-tools';

const PROJECT = 'prod-project';
const never = () => new Promise<never>(() => undefined);
let emulator: FirestoreEmulator;
let round = 0;

/**
 * GCP: kill switch and approvals on the Node Firestore emulator (`@firestore-emulator/server`);
 * IAM Credentials answered in process at the HTTP-request layer the minter uses.
 *
 * What the emulator cannot prove: it does not isolate transactions (no locks, no read-time
 * conflicts), so two transactions that read the same approval both see it `approved`. Single use
 * does not rest on that: the consume also `create`s `approvalUses/<id>`, and the emulator, like
 * Firestore, refuses the second create of one document (ALREADY_EXISTS); the race test below proves
 * that path. Firestore's own transaction isolation adds to it in production and is not proven here.
 */
const gcp: ConformanceHarness = {
  cloud: 'gcp',
  identities: Object.fromEntries(['read-logs', 'deploy-service', 'rollback-service'].map((t) => [t, `deploy-op-${t}@${PROJECT}.iam.gserviceaccount.com`])),
  scopes: Object.fromEntries(['read-logs', 'deploy-service', 'rollback-service'].map((t) => [t, ['https://www.googleapis.com/auth/cloud-platform']])),
  resources: {
    'read-logs': `projects/${PROJECT}/logs/*`,
    'deploy-service': `projects/${PROJECT}/locations/europe-west1/services/*`,
    'rollback-service': `projects/${PROJECT}/locations/europe-west1/services/*`,
  },
  concreteResource: `projects/${PROJECT}/logs/app`,
  outsideResource: `projects/other-project/logs/app`,
  sessionSeconds: 900,
  human: 'user:alice@example.com',
  human2: 'user:bob@example.com',
  runtime: `serviceAccount:agent-runtime@${PROJECT}.iam.gserviceaccount.com`,
  approveEndpoint: true,
  raceProof: 'Firestore emulator: create of approvalGrants/<id> and approvalUses/<id> in the transactions (the emulator does not hold read-write conflicts by itself)',
  async start() { emulator = await FirestoreEmulator.start(); },
  async stop() { await emulator.stop(); },
  async ports(clock): Promise<HarnessPorts> {
    // A database pair per test: no state leaks between tests.
    round += 1;
    const killDb = emulator.client(`kill-${round}`);
    const approvalsDb = emulator.client(`approvals-${round}`);
    const store = new FirestoreApprovalStore(approvalsDb);
    const approvals = swappable<IApprovalStore>(store);
    const killSwitch = swappable<IKillSwitchState>(new FirestoreKillSwitchState(killDb));
    const minted: string[] = [];
    let fault: MintFault | undefined;
    const api: IGoogleApi = {
      request: async <T>(o: { url: string; data: unknown }) => {
        const email = decodeURIComponent(/serviceAccounts\/([^:]+):generateAccessToken$/.exec(o.url)![1]);
        minted.push(email);
        const lifetime = Number(/^(\d+)s$/.exec((o.data as { lifetime: string }).lifetime)![1]);
        if (fault === 'error') throw Object.assign(new Error('PERMISSION_DENIED'), { code: 403 });
        if (fault === 'hang') return never();
        if (fault === 'malformed') return { data: { accessToken: 42 } as T };
        const at = fault === 'ten-years' ? clock().getTime() + 10 * 365 * 86_400_000 : fault === 'expired' ? clock().getTime() - 60_000 : clock().getTime() + lifetime * 1000;
        return { data: { accessToken: 'ya29.SECRET-TOKEN', expireTime: new Date(at).toISOString().replace('.000Z', 'Z') } as T };
      },
    };
    return {
      killSwitch: killSwitch.port,
      approvals: approvals.port,
      minter: new IamCredentialsMinter(api),
      minted,
      async setKillSwitch(state) {
        const ref = killDb.doc(`${KILL_SWITCH_COLLECTION}/${AGENT}`);
        if (state === undefined) await ref.delete().catch(() => undefined);
        else await ref.set({ state });
      },
      async putApproval(record) {
        await approvalsDb.doc(`${APPROVALS_COLLECTION}/${record.approvalId}`).set(record);
      },
      approver: store,
      approve: (id, approver, now) => store.approve(id, approver, now, [gcp.runtime]),
      readApproval: (id) => store.get(id),
      breakPort(port, f) {
        if (port === 'killSwitch') killSwitch.swap(brokenKillSwitch(f));
        else approvals.swap(brokenApprovals(f));
      },
      breakMinter(f) { fault = f; },
      async close() { /* the emulator's databases are dropped with it */ },
    };
  },
};

brokerConformance(gcp);
