import { Command, Option } from 'commander';
import { azureDefaultToken, FetchJson, gcpDefaultToken, httpsFetchJson, pullAzureRoles, pullGcpRoles, TokenSource, writeRoleData } from '../role-data/pull-role-data';

/** How `data pull` reaches the clouds (tests pass recorded answers and a fixed token). */
export interface DataPullPorts {
  readonly fetchJson: FetchJson;
  readonly gcpToken: TokenSource;
  readonly azureToken: TokenSource;
  readonly now?: () => Date;
}

const REAL_PORTS: DataPullPorts = { fetchJson: httpsFetchJson, gcpToken: gcpDefaultToken, azureToken: azureDefaultToken };

interface PullFlags {
  readonly out: string;
  readonly project?: string;
  readonly organization?: string;
  readonly scope?: string;
}

/**
 * `agent-guardrails data pull gcp|azure [--out DIR]`: read the full role definitions from the
 * cloud's API with the user's credentials and write the role data the checks read with
 * `--role-data DIR` (or a baseline's `roleData`).
 */
export function registerDataCommand(program: Command, io: { stdout: { write(text: string): unknown } }, ports: DataPullPorts = REAL_PORTS): void {
  program.command('data')
    .description('Role data the GCP and Azure checks judge roles with.')
    .command('pull')
    .description('Read full role definitions with your credentials (GCP IAM roles.list view=FULL; Azure role definitions at a scope) and write them to --out.')
    .addArgument(new Command().createArgument('<cloud>', 'gcp or azure').choices(['gcp', 'azure']))
    .option('--out <dir>', 'folder to write gcp-roles.json / azure-builtin-roles.json into', 'role-data')
    .option('--project <id>', 'GCP: also read this project\'s custom roles')
    .option('--organization <id>', 'GCP: also read this organization\'s custom roles')
    .addOption(new Option('--scope <scope>', 'Azure: scope to read role definitions at (e.g. /subscriptions/<id>)'))
    .exitOverride()
    .action(async (cloud: 'gcp' | 'azure', flags: PullFlags) => {
      const now = ports.now?.() ?? new Date();
      const doc = cloud === 'gcp'
        ? await pullGcpRoles({ project: flags.project, organization: flags.organization }, ports.fetchJson, ports.gcpToken, now)
        : await pullAzureRoles(flags.scope ?? '', ports.fetchJson, ports.azureToken, now);
      const file = writeRoleData(flags.out, cloud, doc);
      const count = cloud === 'gcp' ? Object.keys(doc.roles as object).length : (doc.roles as unknown[]).length;
      io.stdout.write(`wrote ${count} ${cloud === 'gcp' ? 'roles' : 'role definitions'} to ${file}; check with --role-data ${flags.out} (or set "roleData" in the baseline)\n`);
    });
}
