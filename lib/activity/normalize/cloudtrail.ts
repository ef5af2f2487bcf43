import { ActivityEvent } from '../activity-event';
import { parseLogTime } from './log-time';
import { fieldValue, isRecord, LogRecord, textValue } from './record-fields';

/** Event sources whose IAM service prefix is not the first label of the host name. */
const PREFIX_OF_SOURCE: Record<string, string> = {
  monitoring: 'cloudwatch',
  email: 'ses',
  'elasticloadbalancing': 'elasticloadbalancing',
  'execute-api': 'execute-api',
  'apigateway': 'apigateway',
  'ec2messages': 'ec2messages',
  'bedrock-agentcore': 'bedrock-agentcore',
};
const S3_ARN = 'arn:aws:s3:::';
const DENIED = /accessdenied|unauthorized|forbidden|notauthorized/i;
/** STS session names stop at 64 characters. */
const SESSION_NAME_MAX = 64;

/**
 * One CloudTrail record (from a `Records` file, an EventBridge event's `detail`, a Lake row or an
 * Athena JSON row) as an activity event, or undefined when it is not a role session's call.
 * Who: the session's source identity is the agent (the broker sets it and it survives role
 * chaining); the session name `<agent>.<tool>.<lineage>` gives tool and lineage; the role is the
 * identity. What: `<service prefix>:<eventName>`, the record's resources (or the S3 object or bucket
 * of the request), the account of the resource (else of the recipient), the time and whether the
 * call was denied.
 */
export function normalizeCloudTrail(input: unknown): ActivityEvent | undefined {
  // Fields are read at these call sites (documented name, then Athena's lowercase), not through
  // `field`: this runs once per record of exports of millions (see fieldValue).
  const r = lakeRow(input);
  if (!r) return undefined;
  const identity = fieldValue(r.userIdentity ?? r.useridentity);
  if (!isRecord(identity) || textValue(identity.type) !== 'AssumedRole') return undefined;
  const source = textValue(r.eventSource ?? r.eventsource);
  const name = textValue(r.eventName ?? r.eventname);
  const time = parseLogTime(textValue(r.eventTime ?? r.eventtime));
  if (!source || !name || Number.isNaN(time)) return undefined;
  const sessionArn = textValue(identity.arn);
  const sessionContext = fieldValue(identity.sessionContext ?? identity.sessioncontext);
  const issuer = isRecord(sessionContext) ? fieldValue(sessionContext.sessionIssuer ?? sessionContext.sessionissuer) : undefined;
  const role = (isRecord(issuer) ? textValue(issuer.arn) : undefined) ?? sessionArn;
  const agent = isRecord(sessionContext) ? textValue(sessionContext.sourceIdentity ?? sessionContext.sourceidentity) : undefined;
  const session = sessionArn ? sessionArn.slice(sessionArn.lastIndexOf('/') + 1) : undefined;
  let tool: string | undefined;
  let lineage: string | undefined;
  if (agent && session && session.length > agent.length && session.charCodeAt(agent.length) === 0x2e /* . */ && session.startsWith(agent)) {
    const rest = session.slice(agent.length + 1);
    const dot = rest.indexOf('.');
    tool = dot < 0 ? rest : rest.slice(0, dot);
    lineage = dot < 0 ? undefined : rest.slice(dot + 1);
  }
  const resources = resourcesOf(r);
  if (!resources) return undefined; // resources we cannot read: `unreadableReason` reports the record
  const errorCode = textValue(r.errorCode ?? r.errorcode);
  return {
    cloud: 'aws',
    agent,
    tool,
    lineage,
    lineageTruncated: session !== undefined && session.length >= SESSION_NAME_MAX,
    identity: role,
    action: `${servicePrefix(source)}:${operationName(source, name)}`,
    resources: resources.arns,
    location: {
      account: resources.account ?? textValue(r.recipientAccountId ?? r.recipientaccountid) ?? textValue(identity.accountId ?? identity.accountid),
      region: textValue(r.awsRegion ?? r.awsregion),
    },
    time,
    outcome: errorCode !== undefined && DENIED.test(errorCode) ? 'denied' : 'allowed',
    eventId: textValue(r.eventID ?? r.eventid),
  };
}

/** A CloudTrail Lake query row (`[{ "eventID": … }, { "eventName": … }]`) merged into one record; records pass through. */
function lakeRow(input: unknown): LogRecord | undefined {
  if (isRecord(input)) return input;
  if (!Array.isArray(input)) return undefined;
  const out: LogRecord = {};
  for (const cell of input) if (isRecord(cell)) Object.assign(out, cell);
  return out;
}

function servicePrefix(source: string): string {
  const host = source.toLowerCase();
  const first = host.endsWith('.amazonaws.com') ? host.slice(0, host.indexOf('.')) : host;
  return PREFIX_OF_SOURCE[first] ?? first;
}

/** Lambda's event names carry an API version (`UpdateFunctionCode20150331v2`); IAM's action does not. */
function operationName(source: string, name: string): string {
  if (!source.startsWith('lambda.')) return name;
  const m = /^([A-Za-z]+)\d{8}(?:v\d+)?$/.exec(name);
  return m ? m[1] : name;
}

/** The record's resources, or undefined when it lists them in a form that is not JSON (an Athena struct rendering). */
function resourcesOf(r: LogRecord): { arns: string[]; account?: string } | undefined {
  const listed = fieldValue(r.resources);
  if (typeof listed === 'string' && listed.length > 0) return undefined;
  const arns: string[] = [];
  let account: string | undefined;
  if (Array.isArray(listed)) {
    for (const x of listed) {
      if (!isRecord(x)) continue;
      const arn = textValue(x.ARN ?? x.arn) ?? textValue(x.arn);
      if (arn) arns.push(arn);
      account ??= textValue(x.accountId ?? x.accountid);
    }
  }
  if (arns.length > 0) return { arns: dedupeS3(arns), account };
  const params = fieldValue(r.requestParameters ?? r.requestparameters);
  const bucket = isRecord(params) ? textValue(params.bucketName ?? params.bucketname) : undefined;
  if (isRecord(params) && bucket) {
    const key = textValue(params.key);
    return { arns: [key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`] };
  }
  return { arns: [] };
}

/** S3 data events list the object and its bucket; the object is what the action acted on. */
function dedupeS3(arns: string[]): string[] {
  // Loops rather than filter/some: this runs once per record of a million-record export.
  let objects = 0;
  for (const a of arns) if (isS3Object(a)) objects++;
  if (objects === 0) return arns;
  const out: string[] = [];
  for (const a of arns) {
    if (a.startsWith(S3_ARN) && !a.includes('/') && arns.some((o) => o.length > a.length && o.charCodeAt(a.length) === 0x2f /* / */ && o.startsWith(a))) continue;
    out.push(a);
  }
  return out;
}

function isS3Object(arn: string): boolean {
  return arn.startsWith(S3_ARN) && arn.includes('/');
}
