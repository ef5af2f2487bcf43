import { CliIo, main } from '../../lib/cli/main';

/** Run the CLI in process with captured output (no TTY, empty environment). */
export async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; }, isTTY: false }, stderr: { write: (s: string) => { stderr += s; } }, env: {} };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
