const GUARDRAIL_ERROR_SYMBOL = Symbol.for('agent-guardrails.GuardrailError');

/**
 * The one error class of agent-guardrails.
 *
 * Messages read `<field> <rule>; got <value>. <how to fix>` and carry a stable `code`
 * (e.g. `AG_TOOL_WILDCARD_ACTION`) that tests and callers can match on.
 */
export class GuardrailError extends Error {
  /** Whether `x` is a GuardrailError (works across copies of this package). */
  public static isGuardrailError(x: unknown): x is GuardrailError {
    return typeof x === 'object' && x !== null && GUARDRAIL_ERROR_SYMBOL in x;
  }

  /**
   * Build the standard message: `<field> <rule>; got <value>. <fix>`.
   */
  public static format(field: string, rule: string, value: unknown, fix: string): string {
    return `${field} ${rule}; got ${describeValue(value)}. ${fix}`;
  }

  /** Stable code of the rule that was broken. */
  public readonly code: string;

  constructor(code: string, message: string) {
    super(`[${code}] ${message}`);
    this.code = code;
    this.name = 'GuardrailError';
    Object.defineProperty(this, GUARDRAIL_ERROR_SYMBOL, { value: true });
  }
}

/** Throw a GuardrailError with the standard message shape. */
export function fail(code: string, field: string, rule: string, value: unknown, fix: string): never {
  throw new GuardrailError(code, GuardrailError.format(field, rule, value, fix));
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 197)}...` : text;
  } catch {
    return String(value);
  }
}
