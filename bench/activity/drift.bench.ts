/**
 * `agent-guardrails drift` on 1,000,000 CloudTrail records: generated here (100 `Records` files of
 * 10,000 records each, about 11 MiB apiece like a busy account's delivered files, in the documented record shape), then streamed through the CLI's own path
 * (read → normalize → evaluate → report). Reports wall time and peak RSS (sampled), against the
 * goal: under 30 s with bounded memory, and the ratios (wall and CPU) to only reading and parsing
 * the same files, measured just before and just after in the same run (this machine is shared and
 * its speed varies: the CPU ratio is the steadier figure under load), with the load average.
 *
 *   node -r ts-node/register bench/activity/drift.bench.ts [records]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const FILES = 100;
const ACCOUNT = '111111111111';
const TEMPLATE = path.join(__dirname, '..', '..', 'test', 'fixtures', 'activity', 'agent-template.json');

function record(i: number): string {
  const tools = [['deploy-operator-read-logs', 'read-logs', 's3.amazonaws.com', 'GetObject'], ['deploy-operator-restart-service', 'restart-service', 'ecs.amazonaws.com', 'UpdateService']];
  const [role, tool, source, name] = tools[i % 2];
  const deviation = i % 97 === 0 ? 'DeleteService' : name;
  const time = new Date(Date.parse('2026-03-23T08:00:00Z') + (i % 86_400) * 1000).toISOString();
  const resources = source === 's3.amazonaws.com'
    ? `[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::acme-prod-logs/app/${i}.log"},{"accountId":"${ACCOUNT}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::acme-prod-logs"}]`
    : `[{"ARN":"arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/web"}]`;
  return `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:${tool}","arn":"arn:aws:sts::${ACCOUNT}:assumed-role/${role}/deploy-operator.${tool}.run-${i % 1000}","accountId":"${ACCOUNT}","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::${ACCOUNT}:role/${role}","accountId":"${ACCOUNT}","userName":"${role}"},"attributes":{"creationDate":"2026-03-23T07:59:00Z","mfaAuthenticated":"false"},"sourceIdentity":"deploy-operator"}},"eventTime":"${time}","eventSource":"${source}","eventName":"${source.startsWith('ecs') ? deviation : name}","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-sdk-js/3","requestParameters":{"bucketName":"acme-prod-logs"},"responseElements":null,"requestID":"r${i}","eventID":"e${i}","readOnly":true,"resources":${resources},"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"${ACCOUNT}","eventCategory":"Data"}`;
}

async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-drift-bench-'));
  try {
    const files: string[] = [];
    const per = Math.ceil(RECORDS / FILES);
    let bytes = 0;
    for (let f = 0; f < FILES; f++) {
      const file = path.join(dir, `${ACCOUNT}_CloudTrail_eu-west-1_${f}.json`);
      const fd = fs.openSync(file, 'w');
      fs.writeSync(fd, '{"Records":[');
      for (let i = f * per; i < Math.min(RECORDS, (f + 1) * per); i += 1000) {
        const chunk: string[] = [];
        for (let j = i; j < Math.min(i + 1000, (f + 1) * per, RECORDS); j++) chunk.push(record(j));
        fs.writeSync(fd, (i === f * per ? '' : ',') + chunk.join(','));
      }
      fs.writeSync(fd, ']}');
      fs.closeSync(fd);
      bytes += fs.statSync(file).size;
      files.push(file);
    }
    // Baseline in the same run: only reading and parsing the same files (what any tool must do),
    // once before and once after drift, so a change in the shared machine's load shows up as a
    // difference between the two rather than as a change in the ratio.
    const before = readAndParse(files);
    global.gc?.();
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
    let out = '';
    const load = os.loadavg()[0];
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const code = await main(['drift', TEMPLATE, '--activity', ...files, '--format', 'json'], { stdout: { write: (s: string) => { out += s; } }, stderr: process.stderr, env: {} });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuSeconds = cpuSince(cpu0);
    clearInterval(timer);
    global.gc?.();
    const after = readAndParse(files);
    const baselineSeconds = (before.seconds + after.seconds) / 2;
    const baselineCpuSeconds = (before.cpuSeconds + after.cpuSeconds) / 2;
    const parsed = before.records;
    const report = JSON.parse(out);
    const result = {
      benchmark: 'drift-cloudtrail',
      records: RECORDS,
      inputMiB: Math.round(bytes / 2 ** 20),
      seconds: round1(seconds),
      readAndParseOnlySeconds: [round1(before.seconds), round1(after.seconds)],
      ratioToReadAndParse: Math.round((seconds / baselineSeconds) * 100) / 100,
      cpuSeconds: round1(cpuSeconds),
      readAndParseOnlyCpuSeconds: [round1(before.cpuSeconds), round1(after.cpuSeconds)],
      cpuRatioToReadAndParse: Math.round((cpuSeconds / baselineCpuSeconds) * 100) / 100,
      loadAverage1m: [round1(load), round1(os.loadavg()[0])],
      cores: os.cpus().length,
      parsedRecords: parsed,
      recordsPerSecond: Math.round(RECORDS / seconds),
      peakRssMiB: Math.round(peak / 2 ** 20),
      exitCode: code,
      events: report.events,
      goal: 'under 30 s, bounded memory',
      meetsGoal: seconds < 30,
      node: process.version,
    };
    fs.mkdirSync(path.join(__dirname, '..', 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, '..', 'results', 'drift-cloudtrail.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Read and JSON.parse every file, nothing else: wall and CPU seconds (user + system, all threads: GC included). */
function readAndParse(files: readonly string[]): { seconds: number; cpuSeconds: number; records: number } {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let records = 0;
  for (const file of files) records += (JSON.parse(fs.readFileSync(file, 'utf8')) as { Records: unknown[] }).Records.length;
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: cpuSince(cpu0), records };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

void run();
