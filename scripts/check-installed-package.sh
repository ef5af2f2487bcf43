#!/usr/bin/env bash
# Proves the package a user installs, not this repository: packs the tarball, installs it into two
# fresh apps in a temporary folder outside the repository (only the npm registry; the cache is warm
# after `npm ci`), type-checks and imports every entry point, synthesizes an agent with the checks
# on, and runs the CLI over the output. Any import, type or synth error fails the run.
#   aws:   aws-cdk-lib + constructs, first WITHOUT cdk-nag (agent-guardrails/aws must load), then with it
#   tf:    cdktf + both providers, no aws-cdk-lib at all (a GCP/Azure-only app must not need it); an Azure
#          broker with apiClientId needs no azuread provider, one without it does (then installed)
# Peers are pinned to the versions this repository is tested with (its devDependencies).
# --prebuilt packs the dist/ and dist-handler/ already built (by `npm ci`, as in .ci/run) instead of
# running `prepare` again (a full build: about 25 s of CPU).
set -euo pipefail
pack_flags=()
[ "${1:-}" = "--prebuilt" ] && pack_flags=(--ignore-scripts)
repo="$(cd "$(dirname "$0")/.." && pwd)"
export CDK_DISABLE_CLI_TELEMETRY=true CDK_DISABLE_VERSION_CHECK=1 AWS_EC2_METADATA_DISABLED=true CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1
work="$(mktemp -d "${TMPDIR:-/tmp}/agent-guardrails-installed.XXXXXX")"
# The apps hold ~700 MB of node_modules; deleting them takes minutes on a disk mounted with
# `discard`, so the removal runs in the background and does not hold up CI.
trap '(rm -rf "$work" > /dev/null 2>&1 &)' EXIT

pin() { node -e 'const p = require(process.argv[1]); const n = process.argv[2]; console.log(`${n}@${p.devDependencies[n]}`);' "$repo/package.json" "$1"; }
npm_install() { npm install --prefer-offline --no-audit --no-fund --loglevel=error "$@"; }
# The repository's TypeScript type-checks the apps (a compiler resolves from the app, not from itself).
tsc() { node "$repo/node_modules/typescript/bin/tsc" "$@"; }
step() { echo "   [${SECONDS}s] $*"; }

echo "== installed package: npm pack"
(cd "$repo" && npm pack --silent "${pack_flags[@]}" --pack-destination "$work" > "$work/pack.log")
tarball="$work/$(tail -n 1 "$work/pack.log")"
step "packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"

new_app() { mkdir -p "$work/$1" && printf '{ "name": "%s-app", "version": "0.0.0", "private": true }\n' "$1" > "$work/$1/package.json"; }

# ------------------------------------------------------------------------------------------------
echo "== installed package: a fresh AWS CDK app"
new_app aws
cd "$work/aws"
npm_install "$tarball" "$(pin aws-cdk-lib)" "$(pin constructs)"
# Without cdk-nag (an optional peer): the constructs, the core and the CLI load; only the pack's own entry point needs it.
node -e '
  for (const entry of ["agent-guardrails", "agent-guardrails/aws", "agent-guardrails/package.json"]) require(entry);
  try { require("agent-guardrails/aws/checks"); throw new Error("agent-guardrails/aws/checks loaded without cdk-nag"); }
  catch (e) { if (e.code !== "MODULE_NOT_FOUND" || !/cdk-nag/.test(e.message)) throw e; }
  for (const sdk of ["@aws-sdk/client-ssm", "@aws-sdk/client-sts", "@aws-sdk/client-dynamodb", "@aws-sdk/client-sns"]) {
    if (Object.keys(require.cache).some((f) => f.includes(`/node_modules/${sdk}/`))) throw new Error(`${sdk} was loaded by construct code`);
  }'
step "agent-guardrails, agent-guardrails/aws load without cdk-nag and without the AWS SDK"
npm_install "$(pin cdk-nag)"
cat > tsconfig.json <<'EOF'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "skipLibCheck": true, "outDir": "build", "types": [] }, "include": ["app.ts"] }
EOF
cat > app.ts <<'EOF'
import { App, Stack, Validations } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AgentTier, Baseline, Environment, Tool } from 'agent-guardrails';
import { AgentIdentity, ApprovalGate, CredentialBroker } from 'agent-guardrails/aws';
import { AgentGuardrailsChecks } from 'agent-guardrails/aws/checks';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Agents', { env: { account: '111111111111', region: 'eu-west-1' } });
const prod = Environment.of({ name: 'prod', aws: { account: '111111111111', regions: ['eu-west-1'] } });
const gate = new ApprovalGate(stack, 'Approvals', { approvers: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/on-call')] });
const broker = new CredentialBroker(stack, 'Broker', { runtime: new iam.ArnPrincipal('arn:aws:iam::111111111111:role/agent-runtime'), approvalGate: gate });
const agent = new AgentIdentity(stack, 'LogReader', {
  agentName: 'log-reader', tier: AgentTier.OBSERVER, environment: prod, broker: broker.role,
  revocationPrincipals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/incident-response')],
  tools: [Tool.read('read-logs', {
    aws: { actions: ['logs:FilterLogEvents'], resources: ['arn:aws:logs:eu-west-1:111111111111:log-group:/app/*'] },
  })],
});
broker.addAgent(agent);
Validations.of(app).addPlugins(new AgentGuardrailsChecks(app, { baseline: Baseline.default() }));
app.synth();
EOF
tsc -p .
step "app.ts type-checks against the installed declarations (NodeNext: package.json exports)"
node build/app.js
test -s cdk.out/Agents.template.json
step "cdk synth with the pack: $(ls cdk.out/*.template.json | wc -l) template(s)"
npx --no-install agent-guardrails check cdk.out
step "agent-guardrails check cdk.out passed"

# ------------------------------------------------------------------------------------------------
echo "== installed package: a fresh GCP + Azure CDKTF app (no aws-cdk-lib)"
new_app tf
cd "$work/tf"
npm_install "$tarball" "$(pin cdktf)" "$(pin constructs)" "$(pin @cdktf/provider-google)" "$(pin @cdktf/provider-azurerm)"
for absent in aws-cdk-lib cdk-nag @aws-sdk/client-ssm; do
  if [ -e "node_modules/$absent" ]; then echo "a GCP/Azure-only app got $absent installed" >&2; exit 1; fi
done
step "no aws-cdk-lib, cdk-nag or AWS SDK installed"
cat > tsconfig.json <<'EOF'
{ "compilerOptions": { "target": "ES2022", "module": "CommonJS", "moduleResolution": "node", "strict": true, "skipLibCheck": true, "outDir": "build", "types": [] }, "include": ["main.ts"] }
EOF
cat > main.ts <<'EOF'
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentTier, Environment, Tool } from 'agent-guardrails';
import { AgentIdentity as AzureAgentIdentity, CredentialBroker as AzureCredentialBroker } from 'agent-guardrails/azure';
import { AgentIdentity as GcpAgentIdentity } from 'agent-guardrails/gcp';
import { GuardrailChecks } from 'agent-guardrails/tf';

const app = new App({ outdir: 'cdktf.out' });
const gcpStack = new TerraformStack(app, 'GcpAgents');
new GoogleProvider(gcpStack, 'google', { project: 'prod-project' });
new GcpAgentIdentity(gcpStack, 'DeployOperator', {
  agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: Environment.of({ name: 'prod', gcp: { project: 'prod-project' } }),
  brokerMember: 'serviceAccount:broker@prod-project.iam.gserviceaccount.com',
  revocationMembers: ['group:incident-response@example.com'],
  tools: [Tool.read('read-logs', { gcp: { roles: ['roles/storage.objectViewer'], resource: 'projects/_/buckets/prod-logs' } })],
});
const azureStack = new TerraformStack(app, 'AzureAgents');
new AzurermProvider(azureStack, 'azurerm', { features: [{}] });
new AzureAgentIdentity(azureStack, 'DeployOperator', {
  agentName: 'deploy-operator', tier: AgentTier.OPERATOR,
  environment: Environment.of({ name: 'prod', azure: { subscriptionId: '00000000-0000-4000-8000-000000000001', resourceGroup: 'rg-prod', location: 'westeurope' } }),
  runtimeIssuer: 'https://token.actions.githubusercontent.com',
  runtimeSubjectTemplate: 'repo:example/agents:environment:{environment}',
  revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
  tools: [Tool.read('read-app', { azure: { roles: ['Reader'], scope: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-prod/providers/Microsoft.App/containerApps/checkout' } })],
});
// An Azure broker with an existing app registration (apiClientId): no azuread provider installed or loaded.
const brokerStack = new TerraformStack(app, 'AzureBroker');
new AzurermProvider(brokerStack, 'azurerm', { features: [{}] });
const staging = Environment.of({ name: 'staging', azure: { subscriptionId: '00000000-0000-4000-8000-000000000001', resourceGroup: 'rg-staging', location: 'westeurope' } });
const broker = new AzureCredentialBroker(brokerStack, 'Broker', {
  environment: staging, tenantId: '00000000-0000-4000-8000-0000000000ee', apiClientId: '00000000-0000-4000-8000-0000000000b1',
  runtime: { clientId: '00000000-0000-4000-8000-0000000000c1', principalId: '00000000-0000-4000-8000-0000000000c2' },
  revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
});
broker.addAgent(new AzureAgentIdentity(brokerStack, 'LogReader', {
  agentName: 'log-reader', tier: AgentTier.OBSERVER, environment: staging, broker, revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
  tools: [Tool.read('read-app', { azure: { actions: ['Microsoft.App/containerApps/read'], scope: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-staging/providers/Microsoft.App/containerApps/checkout' } })],
}));
GuardrailChecks.of(app).apply();
app.synth();
EOF
tsc -p .
step "main.ts type-checks against the installed declarations (node resolution: typesVersions)"
node build/main.js
test -s cdktf.out/stacks/GcpAgents/cdk.tf.json && test -s cdktf.out/stacks/AzureAgents/cdk.tf.json && test -s cdktf.out/stacks/AzureBroker/cdk.tf.json
step "cdktf synth with the validation: GcpAgents, AzureAgents, AzureBroker (apiClientId given, no azuread provider installed)"
node -e '
  try { require("agent-guardrails/aws"); throw new Error("agent-guardrails/aws loaded without aws-cdk-lib?"); }
  catch (e) { if (e.code !== "MODULE_NOT_FOUND" || !/aws-cdk-lib/.test(e.message)) throw e; }'
npx --no-install agent-guardrails check cdktf.out
step "agent-guardrails check cdktf.out passed"
# The bin's bundle with the code cache the build wrote: V8 accepts it here (same Node, same flags as the bin sets).
node -e '
  const dir = require("path").dirname(require.resolve("agent-guardrails/package.json"));
  const loaded = require(`${dir}/bin/load-cli-bundle.js`).loadCliBundle(`${dir}/dist/lib/cli/main.bundle.js`);
  if (typeof loaded.exports.main !== "function" || !loaded.cacheUsed) throw new Error(`the installed CLI bundle loads without its code cache (cacheUsed: ${loaded.cacheUsed})`);'
step "the installed bin loads the CLI bundle with its code cache"

# A broker without apiClientId creates its API's app registration: without the azuread provider that
# is a clear error; with it (installed, and in the stack) the registration is synthesized and checked.
cat > created.ts <<'EOF'
import { App, TerraformStack } from 'cdktf';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AgentTier, Environment, Tool } from 'agent-guardrails';
import { AgentIdentity, CredentialBroker } from 'agent-guardrails/azure';
import { GuardrailChecks } from 'agent-guardrails/tf';

const app = new App({ outdir: 'cdktf-created.out' });
const stack = new TerraformStack(app, 'AzureBroker');
new AzurermProvider(stack, 'azurerm', { features: [{}] });
new AzureadProvider(stack, 'azuread', { tenantId: '00000000-0000-4000-8000-0000000000ee' });
const staging = Environment.of({ name: 'staging', azure: { subscriptionId: '00000000-0000-4000-8000-000000000001', resourceGroup: 'rg-staging', location: 'westeurope' } });
const broker = new CredentialBroker(stack, 'Broker', {
  environment: staging, tenantId: '00000000-0000-4000-8000-0000000000ee',
  runtime: { clientId: '00000000-0000-4000-8000-0000000000c1', principalId: '00000000-0000-4000-8000-0000000000c2' },
  revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
});
broker.addAgent(new AgentIdentity(stack, 'LogReader', {
  agentName: 'log-reader', tier: AgentTier.OBSERVER, environment: staging, broker, revocationPrincipalIds: ['00000000-0000-4000-8000-0000000000aa'],
  tools: [Tool.read('read-app', { azure: { actions: ['Microsoft.App/containerApps/read'], scope: '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-staging/providers/Microsoft.App/containerApps/checkout' } })],
}));
GuardrailChecks.of(app).apply();
app.synth();
EOF
# Without the package: the construct names the missing package and the way out.
node -e '
  const { Testing, TerraformStack } = require("cdktf");
  const { CredentialBroker } = require("agent-guardrails/azure");
  const { Environment } = require("agent-guardrails");
  const environment = Environment.of({ name: "staging", azure: { subscriptionId: "00000000-0000-4000-8000-000000000001", resourceGroup: "rg-staging", location: "westeurope" } });
  try {
    new CredentialBroker(new TerraformStack(Testing.app(), "s"), "Broker", { environment, tenantId: "00000000-0000-4000-8000-0000000000ee",
      runtime: { clientId: "00000000-0000-4000-8000-0000000000c1", principalId: "00000000-0000-4000-8000-0000000000c2" }, revocationPrincipalIds: ["00000000-0000-4000-8000-0000000000aa"] });
  } catch (e) { if (/AG_AZ_BROKER_AZUREAD_MISSING/.test(e.message)) process.exit(0); throw e; }
  throw new Error("a broker without apiClientId was built without @cdktf/provider-azuread");'
step "no apiClientId and no @cdktf/provider-azuread installed: AG_AZ_BROKER_AZUREAD_MISSING"
npm_install "$(pin @cdktf/provider-azuread)"
sed 's/"main.ts"/"created.ts"/' tsconfig.json > tsconfig.created.json
tsc -p tsconfig.created.json
node build/created.js
node -e '
  const j = require("./cdktf-created.out/stacks/AzureBroker/cdk.tf.json");
  const fn = Object.values(j.resource.azurerm_function_app_flex_consumption)[0];
  const [app] = Object.keys(j.resource.azuread_application);
  if (fn.auth_settings_v2.active_directory_v2.client_id !== "${azuread_application." + app + ".client_id}") throw new Error("Entra authentication does not trust the created app registration");
  if (Object.values(j.resource.azuread_service_principal)[0].app_role_assignment_required !== true) throw new Error("the API admits every principal of the tenant");'
npx --no-install agent-guardrails check cdktf-created.out
step "with @cdktf/provider-azuread: the broker creates its app registration; synth and check pass"
echo "   the installed package works"
