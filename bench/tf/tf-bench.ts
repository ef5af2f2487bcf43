/**
 * Terraform-side benchmark (not a test; `npm run bench` runs it through bench/tf/run.sh): a CDKTF
 * app with 1,000 GCP and 1,000 Azure tool identities (AgentIdentity constructs). In one run it measures
 *   (a) synth time with `app.synth()` (never `Testing.synth`, which is quadratic) without and with
 *       `GuardrailChecks.of(app).apply()`, and the checks' added time;
 *   (b) the CLI check of the synthesized cdktf.out in its own process: wall time, in-process check
 *       time and peak memory, with the shipped role catalog and with the full role data (`--role-data`,
 *       written from ../shared/data when it is on the machine; goal < 1 s), each as ratios to two
 *       baselines measured in the same run: a process that only reads and parses the same files, and
 *       one that also loads the CLI's check modules.
 * Writes bench/results/tf-<timestamp>.json and prints a table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdktf';
import { GuardrailChecks } from '../../constructs/tf';
import { CliMeasurement, measureBaseline, measureCli } from '../shared/measure-cli';
import { fullRoleDataAvailable, writeFullRoleData } from '../../test/helpers/full-role-data';
import { DEFAULT_TF_SIZE, populateTfBenchApp, TfBenchSize } from './bench-app';

const ROOT = path.join(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CLI_REPEATS = Number(process.env.BENCH_CLI_REPEATS ?? 3);

type Variant = 'none' | 'guardrail-checks';
interface SynthSample { readonly constructMs: number; readonly synthMs: number; readonly heapMiB: number; readonly failed: boolean }

function main(): void {
  const size: TfBenchSize = { ...DEFAULT_TF_SIZE, ...(process.env.BENCH_AGENTS ? { agents: Number(process.env.BENCH_AGENTS) } : {}) };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-tf-'));
  try {
    const outdir = path.join(work, 'cdktf.out');
    const identities = synthOnce('none', size, outdir).identities;
    const cli = measureCliVariants(outdir, work);
    const samples: Record<Variant, SynthSample[]> = { 'none': [], 'guardrail-checks': [] };
    for (let i = 0; i < REPEATS; i++) {
      for (const variant of Object.keys(samples) as Variant[]) {
        const dir = path.join(work, `synth-${variant}-${i}`);
        samples[variant].push(synthOnce(variant, size, dir).sample);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const median = (v: Variant) => medianOf(samples[v].map((s) => s.synthMs));
    const result = {
      date: new Date().toISOString(),
      // Other jobs share these cores: the load average says how much the figures are inflated.
      machine: { cpus: os.cpus().length, node: process.version, totalMemGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage1m: round(os.loadavg()[0]), loadAverageDuringCli: cli.loadAverage1m },
      size: { ...size, toolIdentities: identities, stacks: 2 * Math.ceil(size.agents / size.agentsPerStack) },
      synth: {
        repeats: REPEATS,
        medianMs: { 'none': median('none'), 'guardrail-checks': median('guardrail-checks') },
        addedMs: round(median('guardrail-checks') - median('none')),
        samples,
      },
      cli,
    };
    fs.mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, `tf-${result.date.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    const goal = (ms: number) => (ms < 1000 ? '< 1 s goal: met' : '< 1 s goal: MISSED');
    const rows: [string, string][] = [
      ['tool identities (GCP / Azure), stacks', `${identities.gcp} / ${identities.azure}, ${result.size.stacks}`],
      ['load average (1 min) during the CLI runs / at the end', `${cli.loadAverage1m} / ${result.machine.loadAverage1m} on ${result.machine.cpus} CPUs`],
      [`app.synth(), no checks (median of ${REPEATS})`, `${result.synth.medianMs.none} ms`],
      ['app.synth() with GuardrailChecks', `${result.synth.medianMs['guardrail-checks']} ms (+${result.synth.addedMs} ms)`],
      [`baseline: node reads + parses the input (median of ${CLI_REPEATS})`, `${cli.parseOnly.wallMs} ms wall`],
      ['baseline: + loads the CLI (bundle, code cache)', `${cli.baseline.wallMs} ms wall, ${cli.baseline.checkMs} ms in-process`],
      ['CLI check, shipped catalog: wall / in-process', `${cli.shipped.wallMs} ms / ${cli.shipped.checkMs} ms (${goal(cli.shipped.wallMs)}; wall ${cli.ratios.shippedToParseOnly}× parse-only, ${cli.ratios.shippedToBaseline}× load+parse)`],
      ...(cli.roleData ? [['CLI check, --role-data (full data): wall / in-process', `${cli.roleData.wallMs} ms / ${cli.roleData.checkMs} ms (${goal(cli.roleData.wallMs)}; wall ${cli.ratios.roleDataToParseOnly}× parse-only, ${cli.ratios.roleDataToBaseline}× load+parse, ${cli.ratios.roleDataToShipped}× shipped)`] as [string, string]] : []),
      ['CPU time (user+sys): parse-only / shipped / role data', `${cli.parseOnly.cpuMs} / ${cli.shipped.cpuMs} / ${cli.roleData?.cpuMs ?? 'n/a'} ms (${cli.ratios.cpuShippedToParseOnly}× / ${cli.ratios.cpuRoleDataToParseOnly ?? 'n/a'}× parse-only)`],
      ['CLI peak memory (RSS), shipped / role data', `${cli.shipped.peakRssMiB} / ${cli.roleData?.peakRssMiB ?? 'n/a'} MiB`],
      ['CLI findings (exit code), shipped / role data', `${cli.shipped.findings} (${cli.shipped.exitCode}) / ${cli.roleData ? `${cli.roleData.findings} (${cli.roleData.exitCode})` : 'n/a'}`],
    ];
    for (const [k, v] of rows) console.log(`${k.padEnd(54)} ${v}`);
    console.log(`results: ${path.relative(ROOT, file)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function synthOnce(variant: Variant, size: TfBenchSize, outdir: string): { identities: { gcp: number; azure: number }; sample: SynthSample } {
  const t0 = performance.now();
  const app = new App({ outdir, skipValidation: variant === 'none' });
  if (variant === 'guardrail-checks') GuardrailChecks.of(app).apply();
  const identities = populateTfBenchApp(app, size);
  const t1 = performance.now();
  let failed = false;
  try {
    app.synth();
  } catch (e) {
    // A finding fails synth; the time until it is still the cost of the checks. Report it.
    failed = true;
    console.error(`synth (${variant}) failed: ${(e as Error).message.split('\n').slice(0, 4).join(' | ')}`);
  }
  const t2 = performance.now();
  return { identities, sample: { constructMs: round(t1 - t0), synthMs: round(t2 - t1), heapMiB: round(process.memoryUsage().heapUsed / 2 ** 20), failed } };
}

/**
 * The CLI over the synthesized output, interleaved with its baseline and (when ../shared/data is on the
 * machine) with the full role data, `CLI_REPEATS` times each; medians and ratios of wall time.
 */
function measureCliVariants(outdir: string, work: string) {
  const roleDataDir = fullRoleDataAvailable() ? fs.mkdtempSync(path.join(work, 'role-data-')) : undefined;
  if (roleDataDir) writeFullRoleData(roleDataDir);
  const runs: { parseOnly: CliMeasurement[]; baseline: CliMeasurement[]; shipped: CliMeasurement[]; roleData: CliMeasurement[] } = { parseOnly: [], baseline: [], shipped: [], roleData: [] };
  for (let i = 0; i < CLI_REPEATS; i++) {
    runs.parseOnly.push(measureBaseline(outdir, work, { loadCli: false }));
    runs.baseline.push(measureBaseline(outdir, work));
    runs.shipped.push(measureCli(outdir, work));
    if (roleDataDir) runs.roleData.push(measureCli(outdir, work, ['--role-data', roleDataDir]));
  }
  const median = (xs: CliMeasurement[]): CliMeasurement => ({
    ...xs[0], wallMs: medianOf(xs.map((x) => x.wallMs)), checkMs: medianOf(xs.map((x) => x.checkMs)), cpuMs: medianOf(xs.map((x) => x.cpuMs)), peakRssMiB: medianOf(xs.map((x) => x.peakRssMiB)),
  });
  const loadAverage1m = round(os.loadavg()[0]);
  const parseOnly = median(runs.parseOnly);
  const baseline = median(runs.baseline);
  const shipped = median(runs.shipped);
  const roleData = roleDataDir ? median(runs.roleData) : undefined;
  return {
    repeats: CLI_REPEATS, loadAverage1m, parseOnly, baseline, shipped, roleData,
    ratios: {
      shippedToParseOnly: round(shipped.wallMs / parseOnly.wallMs, 2),
      roleDataToParseOnly: roleData ? round(roleData.wallMs / parseOnly.wallMs, 2) : null,
      shippedToBaseline: round(shipped.wallMs / baseline.wallMs, 2),
      roleDataToBaseline: roleData ? round(roleData.wallMs / baseline.wallMs, 2) : null,
      roleDataToShipped: roleData ? round(roleData.wallMs / shipped.wallMs, 2) : null,
      cpuShippedToParseOnly: round(shipped.cpuMs / parseOnly.cpuMs, 2),
      cpuRoleDataToParseOnly: roleData ? round(roleData.cpuMs / parseOnly.cpuMs, 2) : null,
    },
    samples: runs,
  };
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return round(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main();
