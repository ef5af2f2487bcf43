import { spawnSync } from 'child_process';
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
 * fresh build of the sources made and loaded as the bin loads dist/ (the one-file bundle and its
 * code cache, scripts/build-cli-bundle.js and bin/load-cli-bundle.js), so a stale dist/ never skews
 * the figures. Wall time includes Node start-up.
 */
export function measureCli(input: string, work: string, extraArgs: readonly string[] = []): CliMeasurement {
  const build = buildCli(work);
  const report = path.join(work, 'report.json');
  const script = [
    `const t = process.hrtime.bigint();`,
    `${loadCli(build)}.main(${JSON.stringify(['check', input, '--format', 'json', '--output', report, ...extraArgs])}, { stdout: { write() {} }, stderr: process.stderr, env: {} })`,
    `.then((code) => process.stdout.write(JSON.stringify({ code, checkMs: Number(process.hrtime.bigint() - t) / 1e6, maxRssKiB: process.resourceUsage().maxRSS, ...cpu() })));`,
  ].join('\n');
  const measured = runMeasuredScript(script, 'CLI run');
  const findings = (JSON.parse(fs.readFileSync(report, 'utf8')) as { findings: unknown[] }).findings.length;
  return { ...measured, findings };
}

/**
 * The floor any check of `input` pays, measured the same way as `measureCli`: a fresh process that
 * loads the same CLI build (the bundle, as the bin does: every module's code, run only on use) and
 * reads and parses every JSON file of the input, and does nothing else.
 * The CLI's time is reported as a ratio to it, so a loaded machine skews both alike. With
 * `loadCli: false` the process only reads and parses (Node start-up and JSON, no module of ours).
 */
export function measureBaseline(input: string, work: string, options: { loadCli?: boolean } = {}): CliMeasurement {
  const build = buildCli(work);
  const script = [
    `const t = process.hrtime.bigint();`,
    ...(options.loadCli === false ? [] : [`${loadCli(build)};`]),
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

/** An expression that loads the build's CLI as bin/agent-guardrails.js loads dist/ (bundle and code cache): its exports. */
function loadCli(build: string): string {
  return `require(${JSON.stringify(path.join(ROOT, 'bin', 'load-cli-bundle.js'))}).loadCliBundle(${JSON.stringify(path.join(build, 'lib', 'cli', 'main.bundle.js'))}).exports`;
}

/**
 * The CLI built from the sources as `npm run build` builds the bundle (scripts/build-cli-bundle.js), made once
 * per work folder, beside the package's policies/, package.json and node_modules, as in dist/.
 */
function buildCli(work: string): string {
  const build = path.join(work, 'cli-build');
  const bundle = path.join(build, 'lib', 'cli', 'main.bundle.js');
  if (fs.existsSync(bundle)) return build;
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'policies'), path.join(build, 'policies'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(build, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(build, 'node_modules'));
  const { buildCliBundle } = require(path.join(ROOT, 'scripts', 'build-cli-bundle.js')) as { buildCliBundle(sourceRoot: string, outfile: string): void };
  buildCliBundle(ROOT, bundle);
  return build;
}
