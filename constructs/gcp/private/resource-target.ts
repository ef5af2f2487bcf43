/**
 * Where a GCP grant lands, parsed from a tool's declared resource name. The provider has
 * resource-level `*_iam_member` resources for these kinds; anything else under the project is granted
 * at project level with a `resource.name` condition.
 */
export type ResourceTarget =
  | { readonly kind: 'project'; readonly project: string }
  | { readonly kind: 'bucket'; readonly bucket: string }
  | { readonly kind: 'topic'; readonly project: string; readonly topic: string }
  | { readonly kind: 'subscription'; readonly project: string; readonly subscription: string }
  | { readonly kind: 'secret'; readonly project: string; readonly secret: string }
  | { readonly kind: 'dataset'; readonly project: string; readonly dataset: string }
  | { readonly kind: 'run-service'; readonly project: string; readonly location: string; readonly service: string }
  | { readonly kind: 'project-resource'; readonly project: string; readonly name: string };

const SEGMENT = '([a-zA-Z0-9][a-zA-Z0-9._~-]*)';
const PATTERNS: Array<[RegExp, (m: RegExpMatchArray, name: string) => ResourceTarget]> = [
  [new RegExp(`^projects/${SEGMENT}$`), (m) => ({ kind: 'project', project: m[1] })],
  [/^projects\/_\/buckets\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])$/, (m) => ({ kind: 'bucket', bucket: m[1] })],
  [new RegExp(`^projects/${SEGMENT}/topics/${SEGMENT}$`), (m) => ({ kind: 'topic', project: m[1], topic: m[2] })],
  [new RegExp(`^projects/${SEGMENT}/subscriptions/${SEGMENT}$`), (m) => ({ kind: 'subscription', project: m[1], subscription: m[2] })],
  [new RegExp(`^projects/${SEGMENT}/secrets/${SEGMENT}$`), (m) => ({ kind: 'secret', project: m[1], secret: m[2] })],
  [new RegExp(`^projects/${SEGMENT}/datasets/${SEGMENT}$`), (m) => ({ kind: 'dataset', project: m[1], dataset: m[2] })],
  [new RegExp(`^projects/${SEGMENT}/locations/${SEGMENT}/services/${SEGMENT}$`), (m) => ({ kind: 'run-service', project: m[1], location: m[2], service: m[3] })],
  [new RegExp(`^projects/${SEGMENT}/[a-zA-Z]+/.+[^/]$`), (m, name) => ({ kind: 'project-resource', project: m[1], name })],
];

/** Parse a resource name; undefined when it is none of the supported forms (org, folder, `*`, …). */
export function parseResourceTarget(name: string): ResourceTarget | undefined {
  if (name.includes('*') || name.includes('//')) return undefined;
  for (const [pattern, build] of PATTERNS) {
    const m = name.match(pattern);
    if (m) return build(m, name);
  }
  return undefined;
}

/** The project a target belongs to; undefined for buckets (global names, no project in the path). */
export function projectOf(target: ResourceTarget): string | undefined {
  return target.kind === 'bucket' ? undefined : target.project;
}
