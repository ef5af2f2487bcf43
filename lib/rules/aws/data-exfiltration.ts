import { loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { ActionHit, actionsOf, byWrittenEntry, listActions } from './private/by-written-entry';
import { arnFields, expandPattern, globCovers, isWildcardResource, serviceOf } from './private/effective-permissions';
import { judgedSubjects } from './private/admin';
import { holdsAwsStatement } from './private/grant-findings';

/** The catalog of data-read actions (`policies/catalogs/aws-data-read.json`). */
export const DATA_READ_CATALOG = 'aws-data-read';

/**
 * AWS-008: data reads (s3:GetObject, ssm:GetParameter*, dynamodb:Scan, snapshot copies and shares,
 * ...) only on declared data sources. An agent identity with a declaration may read only what it
 * declared (resources or data sources; a declared `bucket/prefix/*` covers reads under it). Other
 * identities are flagged only for reads on a store they do not name (`*`, `bucket-*`, `table/*`).
 * One finding per identity and policy entry as written (a wildcard names every read it reaches).
 */
export const DATA_EXFILTRATION: Rule = {
  id: 'AWS-008',
  cloud: 'aws',
  severity: 'error',
  reason: 'A data-read action (s3:GetObject, ssm:GetParameter, dynamodb:Scan, snapshot sharing, ...) reaches data that was not declared.',
  explanation: 'Reading objects, items, parameters or snapshots is how data leaves an account. An agent tool may read only the data '
    + 'sources it declared (its `agent-guardrails:declaration` resources and dataSources); anything else widens what a prompt '
    + 'injection can take. Identities without a declaration are flagged when a read does not name its store (`*`, a wildcard '
    + 'bucket or table name). The list is policies/catalogs/aws-data-read.json (after Cloudsplaining\'s DataExfiltration).',
  fix: 'Grant the read only on the declared ARNs (a declared `arn:aws:s3:::bucket/prefix/*` covers reads under that prefix), '
    + 'or add the data source to the tool\'s declaration so reviewers see it.',
  controls: ['Cloudsplaining DataExfiltration', 'CKV_AWS_108', 'AwsSolutions-IAM5'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    if (!holdsAwsStatement(inventory)) return [];
    const actions = (loadCatalog(DATA_READ_CATALOG).aws ?? []).flatMap(expandPattern);
    const findings: RawFinding[] = [];
    for (const perms of judgedSubjects(inventory, context)) {
      const declaration = perms.subject.isAgent ? perms.subject.identity?.declaration : undefined;
      // A declared `*` (or `arn:aws:s3:::*`) names no data source: it cannot make a read declared. Read on the
      // first data read the identity holds (most hold none).
      let declared: string[] | undefined;
      const declaredOf = (d: NonNullable<typeof declaration>) => (declared ??= [...d.resources, ...d.dataSources].filter((r) => !readsUnnamedStore(r)));
      const undeclaredHits: ActionHit<string[]>[] = [];
      const broadHits: ActionHit<string[]>[] = [];
      for (const info of perms.reachable(actions, serviceOf)) {
        const uses = perms.usesOf(info.action);
        const resources = [...new Set(uses.flatMap((u) => u.resources))];
        if (resources.length === 0) continue;
        if (declaration) {
          const sources = declaredOf(declaration);
          const undeclared = resources.filter((r) => !sources.some((d) => globCovers(d, r)));
          if (undeclared.length > 0) undeclaredHits.push({ info, uses, data: undeclared });
          continue;
        }
        // A condition that narrows in IAM semantics (a resource tag, kms:ViaService) confines the read.
        const open = uses.filter((u) => !u.narrowed);
        const broad = [...new Set(open.flatMap((u) => u.resources))].filter(readsUnnamedStore);
        if (broad.length > 0) broadHits.push({ info, uses: open, data: broad });
      }
      if (undeclaredHits.length === 0 && broadHits.length === 0) continue;
      // One finding per policy entry as written (`dynamodb:*` reaching seven reads is one finding).
      for (const [written, hits] of byWrittenEntry(undeclaredHits)) {
        const what = listActions(hits);
        const undeclared = [...new Set(hits.flatMap((h) => h.data))];
        findings.push(perms.finding(written,
          `agent identity ${perms.subject.resource} can ${what} on ${undeclared.map((r) => `\`${r}\``).join(', ')}, which its declaration does not list.`,
          `Limit ${hits.length === 1 ? what : written} to the declared data sources, or declare ${undeclared.length === 1 ? 'it' : 'them'} (dataSources) so the AIBOM shows the read.`,
          undefined, actionsOf(hits)));
      }
      for (const [written, hits] of byWrittenEntry(broadHits)) {
        const what = listActions(hits);
        const broad = [...new Set(hits.flatMap((h) => h.data))];
        // For identities that are not agents this is a warning: AWS-003 reports reads on every store of a type (`*`, `table/*`) as errors.
        const byAws = hits.every((h) => h.uses.every((u) => u.statement.grant?.via === 'aws-managed-policy'));
        findings.push(perms.finding(written,
          `${perms.subject.isAgent ? 'agent identity' : 'identity'} ${perms.subject.resource} can ${what} on ${broad.map((r) => `\`${r}\``).join(', ')}, which names no single data store${byAws ? ' (through an AWS-managed policy written for its service)' : ''}.`,
          `Grant ${hits.length === 1 ? what : `the reads ${written} brings in`} on the ARNs of the buckets, tables, parameters or snapshots ${perms.subject.resource} needs${perms.subject.isAgent ? ', and declare them as data sources' : ''}.`,
          perms.subject.isAgent ? undefined : 'warning', actionsOf(hits)));
      }
    }
    return findings;
  },
};

/**
 * True when a resource does not name one store: `*`, something that is not an ARN, a wildcard in
 * the partition or service, or a wildcard in the store's name (the bucket, or the part after the
 * resource type: `table/*`, `parameter/*`). A wildcard below a named store (`bucket/prefix/*`,
 * `parameter/app/*`, `${Bucket.Arn}/*`) names the store.
 */
export function readsUnnamedStore(resource: string): boolean {
  if (resource === '*' || resource.includes('{{unresolved:')) return true;
  // `${Table.Arn}`, `${Bucket.Arn}/*`: the adapter's placeholder for one resource of the template.
  if (/^\$\{(?!AWS::)[A-Za-z0-9]+(\.[A-Za-z0-9.]+)?\}/.test(resource)) return false;
  const fields = arnFields(resource);
  if (!fields) return true;
  const [, partition, service, region, account, rest] = fields;
  if (isWildcardResource(partition) || isWildcardResource(service)) return true;
  const segments = rest.split(/[/:]/);
  // S3 bucket and object ARNs (no region, no account) carry no resource type: the first segment is the bucket.
  const bucketForm = service === 's3' && region === '' && account === '';
  const name = bucketForm || segments.length === 1 ? segments[0] : segments[1];
  if (bucketForm) return name === '' || isWildcardResource(name);
  return name === '' || isWildcardResource(name) || (segments.length > 1 && isWildcardResource(segments[0]));
}
