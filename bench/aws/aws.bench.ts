/**
 * AWS benchmark (not a test; `npm run bench`): a generated CDK app with 2,000 tool roles
 * (200 AgentIdentity agents × 10 tools). In one run it measures
 *   (a) the CLI's wall time and peak memory checking the synthesized cdk.out (goal < 2 s), also as
 *       ratios to a process that only reads and parses the same cdk.out (with and without loading
 *       the CLI's modules), and
 *   (b) synth time with no pack, with cdk-nag's AwsSolutionsChecks and with AgentGuardrailsChecks;
 *       our pack's added time is reported as a ratio to AwsSolutions' (goal ≤ 1).
 * Writes bench/results/aws-<timestamp>.json and prints a table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, IPolicyValidationPlugin, Validations } from 'aws-cdk-lib/core';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AgentGuardrailsChecks } from '../../constructs/aws/agent-guardrails-checks';
import { CliMeasurement, measureBaseline, measureCli } from '../shared/measure-cli';
import { BenchAppSize, DEFAULT_SIZE, populateBenchApp } from './bench-app';

const ROOT = path.join(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

type Variant = 'none' | 'aws-solutions' | 'agent-guardrails';

/**
 * One synth: wall times, and the CPU time (user + system) of the process over the same spans. On a machine other jobs share,
 * wall time counts the time the process waits for a core; CPU time does not, so the CPU figures compare far more steadily.
 */
interface SynthSample {
  readonly constructMs: number; readonly synthMs: number; readonly validateMs: number;
  readonly synthCpuMs: number; readonly validateCpuMs: number; readonly violations: number;
}

function main(): void {
  const size: BenchAppSize = {
    ...DEFAULT_SIZE,
    ...(process.env.BENCH_AGENTS ? { agents: Number(process.env.BENCH_AGENTS) } : {}),
  };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-aws-'));
  try {
    // One synth without a pack gives the cdk.out the CLI checks (and warms the JIT for the rest).
    const cdkOut = path.join(work, 'cdk.out');
    const roles = synthOnce('none', size, cdkOut).roles;
    const cli = measureCliWithBaselines(cdkOut, work);

    // Interleave variants and rotate their order so that drift (heat, the garbage one run leaves
    // for the next) spreads evenly; collect garbage before each synth; keep the median.
    const samples: Record<Variant, SynthSample[]> = { 'none': [], 'aws-solutions': [], 'agent-guardrails': [] };
    const variants = Object.keys(samples) as Variant[];
    for (let i = 0; i < REPEATS; i++) {
      for (const variant of [...variants.slice(i % variants.length), ...variants.slice(0, i % variants.length)]) {
        const outdir = path.join(work, `synth-${variant}-${i}`);
        samples[variant].push(synthOnce(variant, size, outdir).sample);
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
    const median = (v: Variant) => medianOf(samples[v].map((s) => s.synthMs));
    const base = median('none');
    const addedAwsSolutions = median('aws-solutions') - base;
    const addedOurs = median('agent-guardrails') - base;
    const validateAwsSolutions = medianOf(samples['aws-solutions'].map((s) => s.validateMs));
    const validateOurs = medianOf(samples['agent-guardrails'].map((s) => s.validateMs));
    // CPU: medians of each variant's synth CPU time, and of the differences to the no-pack synth of the same round.
    const cpuMedian = (v: Variant) => medianOf(samples[v].map((s) => s.synthCpuMs));
    const addedCpu = (v: Variant) => medianOf(samples[v].map((s, i) => s.synthCpuMs - samples.none[i].synthCpuMs));
    const addedCpuAwsSolutions = addedCpu('aws-solutions');
    const addedCpuOurs = addedCpu('agent-guardrails');
    const validateCpuAwsSolutions = medianOf(samples['aws-solutions'].map((s) => s.validateCpuMs));
    const validateCpuOurs = medianOf(samples['agent-guardrails'].map((s) => s.validateCpuMs));
    const result = {
      date: new Date().toISOString(),
      // Other jobs share these cores: the load average says how much the figures are inflated.
      machine: { cpus: os.cpus().length, node: process.version, totalMemGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage1m: round(os.loadavg()[0], 1) },
      size: { ...size, toolRoles: roles, stacks: Math.ceil(size.agents / size.agentsPerStack) },
      cli: { ...cli, goalMs: 2000, meetsGoal: cli.wallMs < 2000 },
      synth: {
        repeats: REPEATS,
        medianMs: { 'none': base, 'aws-solutions': median('aws-solutions'), 'agent-guardrails': median('agent-guardrails') },
        samples,
        addedMs: { 'aws-solutions': addedAwsSolutions, 'agent-guardrails': addedOurs },
        ratioOursToAwsSolutions: addedAwsSolutions > 0 ? round(addedOurs / addedAwsSolutions, 2) : null,
        meetsGoal: addedOurs <= addedAwsSolutions,
        validateMedianMs: { 'aws-solutions': validateAwsSolutions, 'agent-guardrails': validateOurs },
        validateRatioOursToAwsSolutions: validateAwsSolutions > 0 ? round(validateOurs / validateAwsSolutions, 2) : null,
        cpu: {
          medianMs: { 'none': cpuMedian('none'), 'aws-solutions': cpuMedian('aws-solutions'), 'agent-guardrails': cpuMedian('agent-guardrails') },
          addedMs: { 'aws-solutions': addedCpuAwsSolutions, 'agent-guardrails': addedCpuOurs },
          ratioOursToAwsSolutions: addedCpuAwsSolutions > 0 ? round(addedCpuOurs / addedCpuAwsSolutions, 2) : null,
          validateMedianMs: { 'aws-solutions': validateCpuAwsSolutions, 'agent-guardrails': validateCpuOurs },
          validateRatioOursToAwsSolutions: validateCpuAwsSolutions > 0 ? round(validateCpuOurs / validateCpuAwsSolutions, 2) : null,
        },
      },
    };
    fs.mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, `aws-${result.date.replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    printTable(result);
    console.log(`results: ${path.relative(ROOT, file)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The CLI, each run next to its two baselines in the same conditions (`REPEATS` times, interleaved;
 * medians): a process that only reads and JSON-parses the cdk.out (Node start-up and parsing, the
 * floor of any check), and one that also loads the CLI's modules. The wall times are reported as
 * ratios to them, since on a loaded machine the absolute figures say little.
 */
function measureCliWithBaselines(cdkOut: string, work: string) {
  const runs: Record<'cli' | 'parseOnly' | 'loadAndParse', CliMeasurement[]> = { cli: [], parseOnly: [], loadAndParse: [] };
  for (let i = 0; i < Math.max(REPEATS, 3); i++) {
    runs.parseOnly.push(measureBaseline(cdkOut, work, { loadCli: false }));
    runs.loadAndParse.push(measureBaseline(cdkOut, work));
    runs.cli.push(measureCli(cdkOut, work));
  }
  const median = (xs: CliMeasurement[]): CliMeasurement => ({
    ...xs[0], wallMs: medianOf(xs.map((x) => x.wallMs)), checkMs: medianOf(xs.map((x) => x.checkMs)), cpuMs: medianOf(xs.map((x) => x.cpuMs)), peakRssMiB: medianOf(xs.map((x) => x.peakRssMiB)),
  });
  const cli = median(runs.cli);
  const parseOnly = median(runs.parseOnly);
  const loadAndParse = median(runs.loadAndParse);
  return {
    ...cli,
    baselines: { parseOnlyWallMs: parseOnly.wallMs, loadAndParseWallMs: loadAndParse.wallMs, parseOnlyCpuMs: parseOnly.cpuMs },
    ratios: { toParseOnly: round(cli.wallMs / parseOnly.wallMs, 2), toLoadAndParse: round(cli.wallMs / loadAndParse.wallMs, 2), cpuToParseOnly: round(cli.cpuMs / parseOnly.cpuMs, 2) },
    samples: runs,
  };
}

function synthOnce(variant: Variant, size: BenchAppSize, outdir: string): { roles: number; sample: SynthSample } {
  const t0 = performance.now();
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const plugin: IPolicyValidationPlugin | undefined = variant === 'aws-solutions' ? new AwsSolutionsChecks(app)
    : variant === 'agent-guardrails' ? new AgentGuardrailsChecks(app) : undefined;
  // The plugin's own time inside synth: steadier than the synth difference when the machine is busy.
  let validateMs = 0;
  let validateCpuMs = 0;
  if (plugin) {
    const validate = plugin.validate.bind(plugin);
    plugin.validate = (context) => {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      try {
        return validate(context);
      } finally {
        validateMs += performance.now() - start;
        validateCpuMs += cpuMsSince(cpuStart);
      }
    };
    Validations.of(app).addPlugins(plugin);
  }
  const roles = populateBenchApp(app, size);
  (globalThis as { gc?: () => void }).gc?.();
  const t1 = performance.now();
  const cpu1 = process.cpuUsage();
  // The validation report goes to stderr when there are violations: keep the table readable.
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    app.synth();
  } finally {
    process.stderr.write = write;
  }
  const t2 = performance.now();
  const synthCpuMs = cpuMsSince(cpu1);
  return {
    roles,
    sample: {
      constructMs: round(t1 - t0), synthMs: round(t2 - t1), validateMs: round(validateMs),
      synthCpuMs: round(synthCpuMs), validateCpuMs: round(validateCpuMs), violations: countViolations(outdir, plugin?.name),
    },
  };
}

/** CPU time (user + system) of this process since `start`, in ms. */
function cpuMsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function countViolations(outdir: string, pluginName: string | undefined): number {
  const file = path.join(outdir, 'validation-report.json');
  if (!pluginName || !fs.existsSync(file)) return 0;
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports?: { pluginName: string; violations: { violatingConstructs: unknown[] }[] }[] };
  return (report.pluginReports ?? []).filter((r) => r.pluginName === pluginName)
    .reduce((n, r) => n + r.violations.reduce((m, v) => m + v.violatingConstructs.length, 0), 0);
}

function printTable(r: {
  machine: { cpus: number; loadAverage1m: number };
  size: { toolRoles: number; stacks: number };
  cli: {
    wallMs: number; checkMs: number; cpuMs: number; peakRssMiB: number; findings: number; meetsGoal: boolean;
    baselines: { parseOnlyWallMs: number; loadAndParseWallMs: number; parseOnlyCpuMs: number }; ratios: { toParseOnly: number; toLoadAndParse: number; cpuToParseOnly: number };
  };
  synth: {
    medianMs: Record<Variant, number>; addedMs: Record<string, number>; ratioOursToAwsSolutions: number | null; meetsGoal: boolean; repeats: number;
    validateMedianMs: Record<string, number>; validateRatioOursToAwsSolutions: number | null;
    cpu: { addedMs: Record<string, number>; ratioOursToAwsSolutions: number | null; validateMedianMs: Record<string, number>; validateRatioOursToAwsSolutions: number | null };
  };
}): void {
  const rows: [string, string][] = [
    ['tool roles / stacks', `${r.size.toolRoles} / ${r.size.stacks}`],
    ['load average (1 min) on CPUs', `${r.machine.loadAverage1m} on ${r.machine.cpus}`],
    ['CLI check: wall (incl. node start)', `${r.cli.wallMs} ms ${r.cli.meetsGoal ? '(< 2 s goal: met)' : '(< 2 s goal: MISSED)'}`],
    ['baseline: node reads + parses cdk.out', `${r.cli.baselines.parseOnlyWallMs} ms (CLI / it: ${r.cli.ratios.toParseOnly})`],
    ['baseline: + loads the CLI modules', `${r.cli.baselines.loadAndParseWallMs} ms (CLI / it: ${r.cli.ratios.toLoadAndParse})`],
    ['CLI check: in-process', `${r.cli.checkMs} ms`],
    ['CPU time (user+sys): CLI / parse-only', `${r.cli.cpuMs} / ${r.cli.baselines.parseOnlyCpuMs} ms (CLI / it: ${r.cli.ratios.cpuToParseOnly})`],
    ['CLI peak memory (RSS)', `${r.cli.peakRssMiB} MiB`],
    ['CLI findings', String(r.cli.findings)],
    [`synth, no pack (median of ${r.synth.repeats})`, `${r.synth.medianMs.none} ms`],
    ['synth, AwsSolutionsChecks', `${r.synth.medianMs['aws-solutions']} ms (+${round(r.synth.addedMs['aws-solutions'])} ms)`],
    ['synth, AgentGuardrailsChecks', `${r.synth.medianMs['agent-guardrails']} ms (+${round(r.synth.addedMs['agent-guardrails'])} ms)`],
    ['our added time / AwsSolutions\' added time', `${r.synth.ratioOursToAwsSolutions ?? 'n/a'} ${r.synth.meetsGoal ? '(≤ 1 goal: met)' : '(≤ 1 goal: MISSED)'}`],
    ['plugin validate: AwsSolutions / ours', `${r.synth.validateMedianMs['aws-solutions']} ms / ${r.synth.validateMedianMs['agent-guardrails']} ms (ratio ${r.synth.validateRatioOursToAwsSolutions ?? 'n/a'})`],
    ['CPU: synth added, AwsSolutions / ours', `+${r.synth.cpu.addedMs['aws-solutions']} ms / +${r.synth.cpu.addedMs['agent-guardrails']} ms (ratio ${r.synth.cpu.ratioOursToAwsSolutions ?? 'n/a'})`],
    ['CPU: plugin validate, AwsSolutions / ours', `${r.synth.cpu.validateMedianMs['aws-solutions']} ms / ${r.synth.cpu.validateMedianMs['agent-guardrails']} ms (ratio ${r.synth.cpu.validateRatioOursToAwsSolutions ?? 'n/a'})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('\nAWS benchmark');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return round(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main();
