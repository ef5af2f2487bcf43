/**
 * Terraform-side benchmark (not a test; `npm run bench` runs it through bench/tf/run.sh): a CDKTF
 * app with 1,000 GCP and 1,000 Azure tool identities (AgentIdentity constructs). In one run it measures
 *   (a) synth time with `app.synth()` (never `Testing.synth`, which is quadratic) without and with
 *       `GuardrailChecks.of(app).apply()`, and the checks' added time;
 *   (b) the CLI check of the synthesized cdktf.out in its own process: wall time, in-process check
 *       time and peak memory.
 * Writes bench/results/tf-<timestamp>.json and prints a table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'cdktf';
import { GuardrailChecks } from '../../constructs/tf';
import { measureCli } from '../shared/measure-cli';
import { DEFAULT_TF_SIZE, populateTfBenchApp, TfBenchSize } from './bench-app';

const ROOT = path.join(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

type Variant = 'none' | 'guardrail-checks';
interface SynthSample { readonly constructMs: number; readonly synthMs: number; readonly heapMiB: number; readonly failed: boolean }

function main(): void {
  const size: TfBenchSize = { ...DEFAULT_TF_SIZE, ...(process.env.BENCH_AGENTS ? { agents: Number(process.env.BENCH_AGENTS) } : {}) };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bench-tf-'));
  try {
    const outdir = path.join(work, 'cdktf.out');
    const identities = synthOnce('none', size, outdir).identities;
    const cli = measureCli(outdir, work, ['lib']);
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
      machine: { cpus: os.cpus().length, node: process.version, totalMemGiB: Math.round(os.totalmem() / 2 ** 30) },
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
    const rows: [string, string][] = [
      ['tool identities (GCP / Azure), stacks', `${identities.gcp} / ${identities.azure}, ${result.size.stacks}`],
      [`app.synth(), no checks (median of ${REPEATS})`, `${result.synth.medianMs.none} ms`],
      ['app.synth() with GuardrailChecks', `${result.synth.medianMs['guardrail-checks']} ms (+${result.synth.addedMs} ms)`],
      ['CLI check: wall (incl. node start)', `${cli.wallMs} ms`],
      ['CLI check: in-process', `${cli.checkMs} ms`],
      ['CLI peak memory (RSS)', `${cli.peakRssMiB} MiB`],
      ['CLI findings (exit code)', `${cli.findings} (${cli.exitCode})`],
    ];
    for (const [k, v] of rows) console.log(`${k.padEnd(44)} ${v}`);
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

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return round(s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2);
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main();
