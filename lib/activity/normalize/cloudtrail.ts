import { ActivityEvent } from '../activity-event';
import { field, isRecord, LogRecord, text, textAt } from './record-fields';

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
  const r = lakeRow(input);
  if (!r) return undefined;
  const identity = field(r, 'userIdentity');
  if (text(identity, 'type') !== 'AssumedRole') return undefined;
  const source = text(r, 'eventSource');
  const name = text(r, 'eventName');
  const time = Date.parse(text(r, 'eventTime') ?? '');
  if (!source || !name || Number.isNaN(time)) return undefined;
  const sessionArn = text(identity, 'arn');
  const role = textAt(identity, 'sessionContext', 'sessionIssuer', 'arn') ?? sessionArn;
  const agent = textAt(identity, 'sessionContext', 'sourceIdentity');
  const session = sessionArn ? sessionArn.slice(sessionArn.lastIndexOf('/') + 1) : undefined;
  let tool: string | undefined;
  let lineage: string | undefined;
  if (agent && session && session.startsWith(`${agent}.`)) {
    const rest = session.slice(agent.length + 1);
    const dot = rest.indexOf('.');
    tool = dot < 0 ? rest : rest.slice(0, dot);
    lineage = dot < 0 ? undefined : rest.slice(dot + 1);
  }
  const resources = resourcesOf(r);
  const errorCode = text(r, 'errorCode');
  return {
    cloud: 'aws',
    agent,
    tool,
    lineage,
    lineageTruncated: session !== undefined && session.length >= SESSION_NAME_MAX,
    identity: role,
    action: `${servicePrefix(source)}:${operationName(source, name)}`,
    resources: resources.arns,
    location: { account: resources.account ?? text(r, 'recipientAccountId') ?? text(identity, 'accountId'), region: text(r, 'awsRegion') },
    time,
    outcome: errorCode !== undefined && DENIED.test(errorCode) ? 'denied' : 'allowed',
    eventId: text(r, 'eventID'),
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

function resourcesOf(r: LogRecord): { arns: string[]; account?: string } {
  const listed = field(r, 'resources');
  const arns: string[] = [];
  let account: string | undefined;
  if (Array.isArray(listed)) {
    for (const x of listed) {
      const arn = text(x, 'ARN') ?? text(x, 'arn');
      if (arn) arns.push(arn);
      account ??= text(x, 'accountId');
    }
  }
  if (arns.length > 0) return { arns: dedupeS3(arns), account };
  const params = field(r, 'requestParameters');
  const bucket = text(params, 'bucketName');
  if (bucket) {
    const key = text(params, 'key');
    return { arns: [key ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`] };
  }
  return { arns: [] };
}

/** S3 data events list the object and its bucket; the object is what the action acted on. */
function dedupeS3(arns: string[]): string[] {
  const objects = arns.filter((a) => a.startsWith('arn:aws:s3:::') && a.includes('/'));
  if (objects.length === 0) return arns;
  return arns.filter((a) => !(a.startsWith('arn:aws:s3:::') && !a.includes('/') && objects.some((o) => o.startsWith(`${a}/`))));
}
