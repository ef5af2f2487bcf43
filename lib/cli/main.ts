import { Command, CommanderError } from 'commander';
import { GuardrailError } from '../errors';
import type { DataPullPorts } from './data-pull';
import { packageVersion } from '../private/package-version';

/** Exit codes of `agent-guardrails`: a contract for CI. */
export const EXIT_PASS = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_INPUT = 2;

/** Where the CLI writes and what it knows of its terminal (tests pass their own). */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: Record<string, string | undefined>;
}

/**
 * Run the CLI with `argv` (without `node` and the script) and return the exit code:
 * 0 when no finding reaches `--fail-on`, 1 when one does, 2 for unreadable or invalid input
 * and usage errors (one line on stderr, no stack trace).
 */
export async function main(argv: readonly string[], io: CliIo = processIo(), dataPorts?: DataPullPorts): Promise<number> {
  let exitCode = EXIT_PASS;
  const program = new Command('agent-guardrails')
    .description('Synth-time guardrail checks for AI agent identities in cloud infrastructure.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  try {
    for (const command of commandsFor(argv)) command.register(program, { io, dataPorts, setExit: (code) => { exitCode = code; } });
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every usage error is 2 (commander already printed it).
      return e.exitCode === 0 ? EXIT_PASS : EXIT_INPUT;
    }
    io.stderr.write(`agent-guardrails: ${oneLine(e)}\n`);
    if (io.env.AGENT_GUARDRAILS_DEBUG) io.stderr.write(`${(e as Error).stack}\n`);
    return EXIT_INPUT;
  }
}

function oneLine(e: unknown): string {
  const message = GuardrailError.isGuardrailError(e) || e instanceof Error ? e.message : String(e);
  return message.replace(/(?<!\s)\s*\n\s*/g, ' ');
}

/** What a command needs from `main`. */
interface CommandContext {
  readonly io: CliIo;
  readonly dataPorts?: DataPullPorts;
  readonly setExit: (code: number) => void;
}

/** A command (or two) and how to add it to the program; its module is loaded only then. */
interface LazyCommand {
  readonly names: readonly string[];
  readonly register: (program: Command, context: CommandContext) => void;
}

/**
 * Every command, in help order. Each module is loaded only when its command is registered, so a
 * `check` does not load the drift, map or data-pull code (nor what they import) at start-up.
 * `require`, not `import()`: builds that keep `import()` as it is (esbuild's CommonJS output) would
 * load the module through the ES module loader.
 */
const COMMANDS: readonly LazyCommand[] = [
  { names: ['check'], register: (program, c) => (require('./check-command') as typeof import('./check-command')).registerCheckCommand(program, c.io, c.setExit) },
  { names: ['rules', 'explain'], register: (program, c) => (require('./rules-command') as typeof import('./rules-command')).registerRulesCommands(program, c.io) },
  { names: ['map'], register: (program, c) => (require('./map-command') as typeof import('./map-command')).registerMapCommand(program, c.io) },
  { names: ['drift'], register: (program, c) => (require('./drift') as typeof import('./drift')).registerDrift(program, c.io, c.setExit, packageVersion()) },
  { names: ['data'], register: (program, c) => (require('./data-pull') as typeof import('./data-pull')).registerDataCommand(program, c.io, c.dataPorts) },
];

/**
 * The commands to register: only the one `argv` runs when its first word names one (its options,
 * help and errors are the same either way); all of them otherwise (`--help`, `help`, an unknown
 * command), so help lists every command and commander words the errors.
 */
function commandsFor(argv: readonly string[]): readonly LazyCommand[] {
  const named = COMMANDS.find((c) => c.names.includes(argv[0] ?? ''));
  return named ? [named] : COMMANDS;
}

function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
