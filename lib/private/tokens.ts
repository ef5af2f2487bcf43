/**
 * Cloud-neutral check for values that are still framework tokens (aws-cdk-lib `${Token[...]}`,
 * cdktf `${TfToken[...]}`, or their encoded numbers). lib/ must not import either framework;
 * constructs may pass their own `Token.isUnresolved` instead.
 */
const STRING_TOKEN = /\$\{(Tf)?Token\[/;

export function looksUnresolved(value: unknown): boolean {
  if (typeof value === 'string') return STRING_TOKEN.test(value);
  if (typeof value === 'number') return value <= -1.8e289 && value >= -1.9e289; // both frameworks encode numbers near -1.8881e289
  return false;
}
