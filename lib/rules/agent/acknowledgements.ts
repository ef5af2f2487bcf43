import { Acknowledgement, Cloud } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { bracketTerm } from '../../private/linear-scans';

/** The namespace CDK gives our findings: acknowledge them as `AgentGuardrailsChecks::<finding id>`. */
export const ACKNOWLEDGEMENT_NAMESPACE = 'AgentGuardrailsChecks';

/** Rules of the IAM kind: acknowledging them for a whole stack or app would hide every future grant. */
const IAM_RULE = /^(AWS|GCP|AZ)-\d+/;
const OUR_RULE = /^(AWS|GCP|AZ|AGENT)-\d+/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An acknowledgement id split the way CDK splits it (`namespace::RuleId[detail]`). */
export interface ParsedAcknowledgementId {
  /** `AgentGuardrailsChecks`, `Annotation` (plain ids), or another plugin's name. */
  readonly namespace: string;
  /** The finding id, e.g. `AWS-002[s3:GetObject]`. */
  readonly findingId: string;
  /** The rule part, e.g. `AWS-002`. */
  readonly ruleId: string;
}

/** Split an acknowledgement id; plain ids get the `Annotation` namespace, as CDK records them. */
export function parseAcknowledgementId(id: string): ParsedAcknowledgementId {
  const at = id.indexOf('::');
  const namespace = at < 0 ? 'Annotation' : id.slice(0, at).replace(/ /g, '-');
  const findingId = (at < 0 ? id : id.slice(at + 2)).replace(/ /g, '-');
  const bracket = findingId.indexOf('[');
  return { namespace, findingId, ruleId: bracket < 0 ? findingId : findingId.slice(0, bracket) };
}

/** What a reason says about who owns the exception and until when (`reason [owner: x] [expires: 2027-01-31]`). */
export interface AcknowledgementTerms {
  readonly owner?: string;
  /** The `expires` text as written. */
  readonly expiresText?: string;
  /** The expiry as a UTC date at the end of that day, when `expiresText` is a valid `YYYY-MM-DD`. */
  readonly expires?: Date;
}

/** Read `[owner: …]` and `[expires: YYYY-MM-DD]` from an acknowledgement reason. */
export function parseAcknowledgementTerms(reason: string): AcknowledgementTerms {
  const owner = bracketTerm(reason, /\[owner:/gi, true);
  const expiresText = bracketTerm(reason, /\[expires:/gi, false);
  return { owner, expiresText, expires: expiresText === undefined ? undefined : parseIsoDate(expiresText) };
}
function parseIsoDate(text: string): Date | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d, 23, 59, 59));
  // Date.UTC rolls 2027-02-31 over to March: refuse it instead of guessing.
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : undefined;
}

/**
 * AGENT-007: acknowledgements carry a reason (and, per baseline, an owner and an expiry); a
 * stack-wide or app-wide acknowledgement of an IAM rule, and any acknowledgement of a hard
 * rule, is an error.
 */
export const AGENT_007_ACKNOWLEDGEMENTS: Rule = {
  id: 'AGENT-007',
  cloud: 'all',
  severity: 'error',
  reason: 'Acknowledgements carry a reason (and, per baseline, owner and expiry); IAM rules are never acknowledged stack-wide; hard rules never.',
  explanation:
    'An acknowledgement is an exception to a guardrail that somebody must be able to audit: why it was granted, who owns it and until when. '
    + 'Acknowledging an IAM rule on a whole stack or app hides every grant added later, not only the one reviewed; a hard rule of the baseline '
    + 'is one the security team decided may never be waived.',
  fix:
    'Acknowledge on the resource, with `Validations.of(resource).acknowledge({ id: \'AgentGuardrailsChecks::<finding id>\', '
    + 'reason: \'why [owner: team] [expires: YYYY-MM-DD]\' })`; fix hard-rule findings instead of acknowledging them.',
  controls: [],
  evaluate(inventory, { baseline }) {
    const requireOwner = baseline.document.acknowledgements?.requireOwner ?? false;
    const requireExpiry = baseline.document.acknowledgements?.requireExpiry ?? false;
    const maxDays = baseline.document.acknowledgements?.maxDays;
    const now = Date.now();
    const findings: RawFinding[] = [];
    for (const ack of inventory.acknowledgements ?? []) {
      const parsed = parseAcknowledgementId(ack.id);
      const report = (problem: string, message: string, fix: string, severity?: 'warning') =>
        findings.push(finding(ack, parsed, problem, message, fix, severity));
      if (parsed.namespace !== ACKNOWLEDGEMENT_NAMESPACE) {
        if (parsed.namespace === 'Annotation' && OUR_RULE.test(parsed.ruleId)) {
          report('not-namespaced', `acknowledgement "${ack.id}" has no namespace, so it acknowledges nothing of agent-guardrails and leaves no audit record`,
            `Write the id as "${ACKNOWLEDGEMENT_NAMESPACE}::${parsed.findingId}".`, 'warning');
        }
        continue;
      }
      const reason = ack.reason.trim();
      if (reason === '') {
        report('no-reason', `acknowledgement of ${parsed.findingId} has no reason`, 'Say why the finding is acceptable in the reason.');
      }
      if (parsed.ruleId === 'AGENT-007') {
        report('hard-rule', `acknowledgement of ${parsed.findingId} is refused: AGENT-007 checks acknowledgements and cannot itself be acknowledged`,
          'Remove the acknowledgement and fix the acknowledgement it reports.');
      } else if (baseline.isHard(parsed.ruleId)) {
        report('hard-rule', `acknowledgement of ${parsed.findingId} is refused: the baseline makes ${parsed.ruleId} a hard rule that cannot be acknowledged`,
          'Remove the acknowledgement and fix the finding.');
      }
      if (ack.scope !== 'construct' && IAM_RULE.test(parsed.ruleId)) {
        report('wide-scope', `acknowledgement of IAM rule ${parsed.findingId} is made on the whole ${ack.scope}${ack.path ? ` ${ack.path}` : ''}, so it hides every grant added later`,
          'Acknowledge on the one resource (role, policy) the finding names.');
      }
      const terms = parseAcknowledgementTerms(ack.reason);
      if (requireOwner && !terms.owner) {
        report('no-owner', `acknowledgement of ${parsed.findingId} names no owner; the baseline requires one`, 'Add "[owner: <team or person>]" to the reason.');
      }
      if (terms.expiresText !== undefined && !terms.expires) {
        report('bad-expiry', `acknowledgement of ${parsed.findingId} has expiry "${terms.expiresText}", which is not a YYYY-MM-DD date`, 'Write the expiry as "[expires: YYYY-MM-DD]".');
      } else if (!terms.expires && requireExpiry) {
        report('no-expiry', `acknowledgement of ${parsed.findingId} has no expiry; the baseline requires one`, 'Add "[expires: YYYY-MM-DD]" to the reason.');
      } else if (terms.expires && terms.expires.getTime() < now) {
        report('expired', `acknowledgement of ${parsed.findingId} expired on ${terms.expiresText}`, 'Fix the finding, or renew the acknowledgement with a new review and expiry.');
      } else if (terms.expires && maxDays !== undefined && terms.expires.getTime() - now > maxDays * 86_400_000) {
        report('expiry-too-far', `acknowledgement of ${parsed.findingId} expires on ${terms.expiresText}, more than the baseline's ${maxDays} days away`,
          `Set an expiry within ${maxDays} days.`);
      }
    }
    return findings;
  },
};

function finding(ack: Acknowledgement, parsed: ParsedAcknowledgementId, problem: string, message: string, fix: string, severity?: 'warning'): RawFinding {
  const cloud: Cloud = parsed.ruleId.startsWith('GCP-') ? 'gcp' : parsed.ruleId.startsWith('AZ-') ? 'azure' : 'aws';
  return {
    detail: `${problem}:${parsed.findingId}`,
    cloud,
    resource: ack.resource ?? ack.stack ?? '(app)',
    stack: ack.stack,
    file: ack.file,
    path: ack.path,
    message,
    fix,
    ...(severity ? { severity } : {}),
  };
}
