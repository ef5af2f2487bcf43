/** STS role session names: 2–64 chars of `[\w+=,.@-]`. */
const MAX = 64;

/**
 * The session name for a minted credential: `<agent>.<tool>.<lineage>`, with every character STS
 * does not accept replaced by `-` and cut to 64 chars (the lineage id is cut first, so agent and
 * tool stay readable in CloudTrail; the full lineage id is in the session tags).
 */
export function sessionName(agent: string, tool: string, lineageId: string): string {
  const clean = (s: string) => s.replace(/[^\w+=,.@-]/g, '-');
  const head = clean(`${agent}.${tool}.`).slice(0, MAX - 2);
  const name = `${head}${clean(lineageId)}`.slice(0, MAX);
  return name.length >= 2 ? name : `${name}--`.slice(0, 2);
}
