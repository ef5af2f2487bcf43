import { TerraformStack, Testing } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentIdentity, AgentIdentityProps } from '../../../constructs/gcp';
import { inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { Baseline } from '../../../lib/baseline/baseline';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../../lib/model';
import { AGENT_RULES } from '../../../lib/rules/agent';
import { GCP_RULES } from '../../../lib/rules/gcp';
import { runRules } from '../../../lib/rules/run-rules';
import { evaluateCondition } from '../../helpers/gcp-cel';

export const PROJECT = 'acme-prod';
export const prod = Environment.of({ name: 'prod', gcp: { project: PROJECT } });
/** The Cloud Run service's own runtime service account (its service identity). */
export const API_RUNTIME = `api-runtime@${PROJECT}.iam.gserviceaccount.com`;
export const WINDOW = ChangeWindow.workdays('Europe/Berlin', '09:00', '17:30', '2027-12-31T00:00:00Z');

export function readLogs(): Tool {
  return Tool.read('read-logs', { gcp: { permissions: ['logging.logEntries.list', 'logging.logs.list'], resource: `projects/${PROJECT}` } });
}

export function restartService(window: ChangeWindow | undefined = WINDOW): Tool {
  return Tool.write('restart-service', {
    gcp: {
      permissions: ['run.services.get', 'run.services.update'],
      resource: `projects/${PROJECT}/locations/europe-west1/services/api`,
      runtimeServiceAccount: API_RUNTIME,
    },
    window,
  });
}

export function baseProps(overrides: Partial<AgentIdentityProps> = {}): AgentIdentityProps {
  return {
    agentName: 'deploy-operator',
    tier: AgentTier.OPERATOR,
    environment: prod,
    tools: [readLogs(), restartService()],
    brokerMember: `serviceAccount:broker@${PROJECT}.iam.gserviceaccount.com`,
    revocationMembers: ['group:oncall@example.com'],
    ...overrides,
  };
}

export interface Synthesized {
  /** `Testing.synth(stack, true)` (validations on; `"//"` metadata removed by cdktf). */
  readonly json: any;
  /** `stack.toTerraform()`: the cdk.tf.json shape, with `"//"` metadata. */
  readonly raw: any;
  readonly agent: AgentIdentity;
}

export function synthGcp(props: AgentIdentityProps = baseProps()): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'gcp');
  new GoogleProvider(stack, 'google', { project: PROJECT });
  const agent = new AgentIdentity(stack, 'Agent', props);
  const json = JSON.parse(Testing.synth(stack, true));
  return { json, raw: stack.toTerraform(), agent };
}

/** Error findings of the GCP and agent rules on a synthesized stack (`stack.toTerraform()`). */
export function checkErrors(raw: any): string[] {
  return runRules(inventoryFromTerraformJson(raw), [...GCP_RULES, ...AGENT_RULES], Baseline.default())
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.ruleId} ${f.resource}: ${f.message}`);
}

/** All resources of a type, as a list. */
export function resourcesOf(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** Evaluate a GCP IAM condition expression at `at` (and, optionally, on `resourceName`) with @bufbuild/cel. */
export function evaluate(expression: string, at: Date, resourceName = ''): boolean {
  return evaluateCondition(expression, at, resourceName);
}
