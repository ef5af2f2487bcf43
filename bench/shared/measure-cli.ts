import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';

const ROOT = path.join(__dirname, '..', '..');

/** What one CLI run cost, in whole milliseconds and MiB. */
export interface CliMeasurement {
  readonly wallMs: number;
  readonly checkMs: number;
  /** CPU time of the whole process (user + system, all threads, start-up included): steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly peakRssMiB: number;
  readonly exitCode: number;
  readonly findings: number;
}

/**
 * Run `agent-guardrails check <input> --format json` as a user does, in its own process, from a
 * fresh JavaScript build of the sources (esbuild, no bundling: the same module layout as dist/),
 * so a stale dist/ never skews the figures. Wall time includes Node start-up.
 *
 * @param sourceDirs the top-level source folders the CLI needs (`lib`, and `constructs` for AWS)
 */
export function measureCli(input: string, work: string, sourceDirs: string[], extraArgs: readonly string[] = []): CliMeasurement {
  const build = buildCli(work, sourceDirs);
  const report = path.join(work, 'report.json');
  const script = [
    `const t = process.hrtime.bigint();`,
    `require(${JSON.stringify(path.join(build, 'lib', 'cli', 'main.js'))}).main(${JSON.stringify(['check', input, '--format', 'json', '--output', report, ...extraArgs])}, { stdout: { write() {} }, stderr: process.stderr, env: {} })`,
    `.then((code) => process.stdout.write(JSON.stringify({ code, checkMs: Number(process.hrtime.bigint() - t) / 1e6, maxRssKiB: process.resourceUsage().maxRSS, ...cpu() })));`,
  ].join('\n');
  const measured = runMeasuredScript(script, 'CLI run');
  const findings = (JSON.parse(fs.readFileSync(report, 'utf8')) as { findings: unknown[] }).findings.length;
  return { ...measured, findings };
}

/**
 * The floor any check of `input` pays, measured the same way as `measureCli`: a fresh process that
 * loads the same CLI build (its entry point and the `check` command's modules, which load the
 * adapters and rules) and reads and parses every JSON file of the input, and does nothing else.
 * The CLI's time is reported as a ratio to it, so a loaded machine skews both alike. With
 * `loadCli: false` the process only reads and parses (Node start-up and JSON, no module of ours).
 */
export function measureBaseline(input: string, work: string, sourceDirs: string[], options: { loadCli?: boolean } = {}): CliMeasurement {
  const build = buildCli(work, sourceDirs);
  const script = [
    `const t = process.hrtime.bigint();`,
    ...(options.loadCli === false ? [] : ['main.js', 'check-command.js'].map((m) => `require(${JSON.stringify(path.join(build, 'lib', 'cli', m))});`)),
    `const fs = require('fs'); const path = require('path');`,
    `const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.json') ? [path.join(d, e.name)] : []);`,
    `let n = 0; for (const f of walk(${JSON.stringify(input)})) { JSON.parse(fs.readFileSync(f, 'utf8')); n++; }`,
    `process.stdout.write(JSON.stringify({ code: 0, files: n, checkMs: Number(process.hrtime.bigint() - t) / 1e6, maxRssKiB: process.resourceUsage().maxRSS, ...cpu() }));`,
  ].join('\n');
  return { ...runMeasuredScript(script, 'baseline run'), findings: 0 };
}

/** Defines `cpu()` in a measured script: the process's CPU time so far, `{ cpuMs }`. */
const CPU = 'const cpu = () => { const u = process.cpuUsage(); return { cpuMs: (u.user + u.system) / 1000 }; };';

/** Runs `script` in a fresh Node process that prints `{ code, checkMs, maxRssKiB, cpuMs }`; wall time includes start-up. */
function runMeasuredScript(script: string, what: string): Omit<CliMeasurement, 'findings'> {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, ['-e', `${CPU}\n${script}`], { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (child.status !== 0 || !child.stdout) throw new Error(`${what} failed: ${child.stderr}`);
  const out = JSON.parse(child.stdout) as { code: number; checkMs: number; maxRssKiB: number; cpuMs: number };
  return { wallMs: Math.round(wallMs), checkMs: Math.round(out.checkMs), cpuMs: Math.round(out.cpuMs), peakRssMiB: Math.round(out.maxRssKiB / 1024), exitCode: out.code };
}

/** A JavaScript build of the sources (esbuild, no bundling: dist/'s module layout), made once per work folder. */
function buildCli(work: string, sourceDirs: string[]): string {
  const build = path.join(work, 'cli-build');
  if (fs.existsSync(path.join(build, 'lib', 'cli', 'main.js'))) return build;
  const sources = sourceDirs.flatMap((d) => listTs(path.join(ROOT, d)));
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'), [...sources, `--outdir=${build}`, `--outbase=${ROOT}`, '--platform=node', '--format=cjs', '--log-level=error']);
  fs.symlinkSync(path.join(ROOT, 'policies'), path.join(build, 'policies'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(build, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(build, 'node_modules'));
  return build;
}

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}
