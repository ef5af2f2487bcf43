import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { findingAt } from './private/azure-rule-helpers';

/** A reference left in a resolved value (no nested braces: linear, no backtracking). */
const AFTER_APPLY = /\$\{[^{}]*\}/g;

/** Client secrets and certificates of app registrations: long-lived credentials. */
const AZURE_SECRET_TYPES: readonly string[] = ['azuread_application_password', 'azuread_service_principal_password', 'azuread_application_certificate', 'azuread_service_principal_certificate'];

/**
 * AZ-006: federated identity credentials name an exact issuer and subject, and an identity's
 * credentials serve one environment; app registrations get no client secrets.
 */
export const AZURE_FEDERATED_CREDENTIALS_RULE: Rule = {
  id: 'AZ-006',
  cloud: 'azure',
  severity: 'error',
  reason: 'A federated identity credential has a missing or wildcard issuer or subject, serves another environment, or a client secret is created instead.',
  explanation: 'The federated credential is the whole trust of a managed identity: the issuer must be one exact https URL and the subject one '
    + 'exact workload (e.g. repo:org/repo:environment:prod). A subject naming another environment than the identity\'s lets that '
    + 'environment\'s workload act in this one. App registrations\' credentials (azuread_application_federated_identity_credential) are judged '
    + 'the same way. Client secrets (azuread_*_password) are long-lived credentials that federation replaces.',
  fix: 'Set issuer to the exact issuer URL and subject to the one workload of the identity\'s environment; remove client secrets and federate instead.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    const ownerOf = new Map<string, { environment?: string; id: string; issuer?: string; subject?: string }>();
    for (const identity of inventory.identities.filter((i) => i.cloud === 'azure')) {
      for (const f of identity.federations) {
        ownerOf.set(`${f.source.stack}/${f.source.resource}`, { environment: identity.labels.environment, id: identity.id, issuer: f.issuer, subject: f.subject });
      }
    }
    const environments = new Set(inventory.identities.map((i) => i.labels.environment).filter((e): e is string => e !== undefined && e !== ''));
    for (const o of inventory.others.filter((x) => x.cloud === 'azure')) {
      if (AZURE_SECRET_TYPES.includes(o.type)) {
        findings.push(findingAt('azure', o.source, {
          detail: 'client-secret',
          message: `${o.source.resource} creates a long-lived client credential (${o.type}).`,
          fix: AZURE_FEDERATED_CREDENTIALS_RULE.fix,
        }));
        continue;
      }
      const appCredential = o.type === 'azuread_application_federated_identity_credential';
      if (o.type !== 'azurerm_federated_identity_credential' && !appCredential) continue;
      const owner = ownerOf.get(`${o.source.stack}/${o.source.resource}`);
      // Resolved values when the adapter matched the credential to its identity, else as written.
      const issuer = owner?.issuer ?? (typeof o.properties.issuer === 'string' ? o.properties.issuer : '');
      const subject = owner?.subject ?? (typeof o.properties.subject === 'string' ? o.properties.subject : '');
      const problems: string[] = [];
      // A `${…}` left in a resolved value is one attribute of one resource of the configuration, known after apply
      // (an AKS cluster's oidc_issuer_url): one exact value, not a pattern. Values that cannot be resolved are AZ-007's.
      const issuerShape = issuer.replace(AFTER_APPLY, 'after-apply');
      const issuerIsReference = /^\$\{[^{}]*\}$/.test(issuer.trim());
      if (!issuerIsReference && !/^https:\/\/[^*?\s]+$/.test(issuerShape)) problems.push(`issuer ${JSON.stringify(issuer)} is not one exact https URL`);
      const subjectShape = subject.replace(AFTER_APPLY, 'after-apply');
      if (subjectShape.trim() === '' || /[*?]/.test(subjectShape)) problems.push(`subject ${JSON.stringify(subject)} is not one exact subject`);
      const env = /(?:^|:)environment:([^:]+)/.exec(subject)?.[1];
      if (env && owner?.environment && env !== owner.environment) {
        problems.push(`subject serves environment "${env}" but the identity belongs to "${owner.environment}"`);
      } else if (!env && owner?.environment) {
        // Other subject formats (Kubernetes namespaces such as agents-staging): another environment's name as a word, and not its own.
        const words = subject.split(/[^A-Za-z0-9]+/);
        const other = [...environments].find((e) => e !== owner.environment && words.includes(e));
        if (other && !words.includes(owner.environment)) problems.push(`subject names environment "${other}" but the identity belongs to "${owner.environment}"`);
      }
      // An app registration's credential has no managed identity of ours to belong to.
      if (!owner && !appCredential) problems.push('its parent identity is not in the configuration');
      for (const p of problems) {
        findings.push(findingAt('azure', o.source, {
          detail: p.split(' ')[0],
          identity: owner?.id,
          message: `${o.source.resource}: ${p}.`,
          fix: AZURE_FEDERATED_CREDENTIALS_RULE.fix,
        }));
      }
    }
    return findings;
  },
};
