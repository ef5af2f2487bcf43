import * as fs from 'fs';
import * as path from 'path';
import { confinedPath, readJsonFile, realPath } from '../private/input-files';
import { Acknowledgement } from '../inventory/inventory';
import { asSourceLine, SOURCE_LINE_METADATA_KEY, SourceLine, userSourceLine } from '../report/source-line';
import { EMBEDDED_BASELINE_KEY, EmbeddedBaselineSighting } from '../baseline/embedded-baseline';

const ACKNOWLEDGED_RULES = 'aws:cdk:acknowledged-rules';
/**
 * Stack metadata the pack writes with the acknowledgements made above the stack (on the app or
 * a stage): CDK records those in no stack, so the CLI would not see them otherwise.
 */
export const ACKNOWLEDGEMENTS_ABOVE_METADATA_KEY = 'agent-guardrails:acknowledgements-above';
const LOGICAL_ID = 'aws:cdk:logicalId';
/** CDK's rendered creation stack of a construct (recorded unless `aws:cdk:disable-creation-stack-traces`). */
const CREATION_STACK = 'aws:cdk:creationStack';

interface MetadataEntry { readonly type?: string; readonly data?: unknown }
type MetadataMap = Record<string, MetadataEntry[] | undefined>;
interface ManifestArtifact {
  readonly type?: string;
  readonly displayName?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly directoryName?: string };
  readonly metadata?: MetadataMap;
  readonly additionalMetadataFile?: string;
}
interface SuppressedViolation { readonly acknowledgedId?: string; readonly reason?: string; readonly acknowledgedAt?: string }

/**
 * What a cloud assembly (`cdk.out`) records beyond its templates: construct paths per logical id
 * and the acknowledgements made with `Validations.of(x).acknowledge(...)`.
 *
 * CDK writes each stack's construct metadata (including `aws:cdk:acknowledged-rules`) to the
 * manifest or to the stack's `<stack>.metadata.json`; acknowledgements made on the app or a
 * stage are in no stack, so they are also read from `validation-report.json`
 * (`suppressedViolations`), which exists when the pack ran during synth.
 */
export class CloudAssemblyMetadata {
  /** Read a cloud assembly folder and its nested assemblies (stages). */
  public static read(dir: string): CloudAssemblyMetadata {
    const out = new CloudAssemblyMetadata();
    out.readAssembly(path.resolve(dir), new Set());
    return out;
  }

  /** Nothing recorded (for template files). */
  public static empty(): CloudAssemblyMetadata {
    return new CloudAssemblyMetadata();
  }

  /** Acknowledgements found, de-duplicated by id and path. */
  public readonly acknowledgements: Acknowledgement[] = [];
  /** Baselines the pack recorded on stacks (`agent-guardrails:baseline` metadata), not yet validated. */
  public readonly baselines: EmbeddedBaselineSighting[] = [];
  private readonly paths = new Map<string, string>();
  private readonly knownPaths = new Set<string>();
  private readonly stackPaths = new Map<string, string>();
  private readonly ackKeys = new Set<string>();
  /** Construct path → the user's line that created it: recorded by our constructs, and from CDK's creation stacks. */
  private readonly recordedSources = new Map<string, SourceLine>();
  private readonly creationSources = new Map<string, SourceLine>();

  private constructor() {}

  /** Construct path of a resource (`Stack/Role/Resource`), when recorded. */
  public constructPathOf(stack: string | undefined, logicalId: string): string | undefined {
    return stack === undefined ? undefined : this.paths.get(`${stack}\u0000${logicalId}`);
  }

  /** Construct path of a stack (`Stage/Stack`), when recorded. */
  public stackPathOf(stack: string | undefined): string | undefined {
    return stack === undefined ? undefined : this.stackPaths.get(stack);
  }

  /** Whether nothing was read (template files only): findings keep the paths they name. */
  public get isEmpty(): boolean {
    return this.knownPaths.size === 0;
  }

  /** Whether the assembly records a construct at this path. */
  public hasConstructPath(constructPath: string): boolean {
    return this.knownPaths.has(constructPath);
  }

  /**
   * The line of the user's code that created the construct at `constructPath`: CDK's creation
   * stack of that construct when it reaches user code, else the line our nearest enclosing
   * construct recorded (CDK's stack is cut after 10 frames), else undefined.
   */
  public sourceOf(constructPath: string): SourceLine | undefined {
    const own = this.creationSources.get(constructPath);
    if (own) return own;
    for (let p = constructPath; p !== ''; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '') {
      const recorded = this.recordedSources.get(p);
      if (recorded) return recorded;
    }
    return undefined;
  }

  /** Add another assembly's metadata (several inputs). */
  public addAll(other: CloudAssemblyMetadata): void {
    for (const [k, v] of other.paths) this.paths.set(k, v);
    for (const [k, v] of other.stackPaths) this.stackPaths.set(k, v);
    for (const p of other.knownPaths) this.knownPaths.add(p);
    for (const [k, v] of other.recordedSources) this.recordedSources.set(k, v);
    for (const [k, v] of other.creationSources) this.creationSources.set(k, v);
    for (const a of other.acknowledgements) this.addAcknowledgement(a);
    this.baselines.push(...other.baselines);
  }

  private readAssembly(dir: string, seen: Set<string>): void {
    // Keyed by the real folder, as the inventory reader does: links can name one folder by many paths.
    const key = realPath(dir);
    if (seen.has(key)) return;
    seen.add(key);
    const manifest = readJson(path.join(dir, 'manifest.json')) as { artifacts?: Record<string, ManifestArtifact> };
    const stacks: { stack: string; stackPath: string; file?: string; metadata: MetadataMap }[] = [];
    for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
      if (artifact.type === 'aws:cloudformation:stack') {
        const metadata: MetadataMap = { ...(artifact.metadata ?? {}) };
        if (artifact.additionalMetadataFile) Object.assign(metadata, readJson(confinedPath(dir, artifact.additionalMetadataFile, 'manifest.json additionalMetadataFile')));
        const stack = artifact.properties?.stackName ?? artifactId;
        const stackPath = artifact.displayName ?? artifactId;
        const file = artifact.properties?.templateFile ? confinedPath(dir, artifact.properties.templateFile, 'manifest.json templateFile') : undefined;
        stacks.push({ stack, stackPath, file, metadata });
        // Findings may name the stack by stack name or by artifact id: answer both.
        for (const name of new Set([stack, artifactId])) this.stackPaths.set(name, stackPath);
        this.knownPaths.add(stackPath);
        for (const [constructPath, entries] of Object.entries(metadata)) {
          this.knownPaths.add(trimSlash(constructPath));
          for (const e of entries ?? []) {
            if (e.type === LOGICAL_ID && typeof e.data === 'string') {
              for (const name of new Set([stack, artifactId])) this.paths.set(`${name}\u0000${e.data}`, trimSlash(constructPath));
            }
            this.readSource(trimSlash(constructPath), e);
            if (e.type === EMBEDDED_BASELINE_KEY) this.baselines.push({ record: e.data, where: `${path.join(dir, 'manifest.json')} (stack ${stackPath})` });
          }
        }
      } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
        this.readAssembly(confinedPath(dir, artifact.properties.directoryName, 'manifest.json directoryName'), seen);
      }
    }
    for (const s of stacks) this.readStackAcknowledgements(s.stack, s.stackPath, s.file, s.metadata);
    this.readValidationReport(dir, stacks);
  }

  private readStackAcknowledgements(stack: string, stackPath: string, file: string | undefined, metadata: MetadataMap): void {
    for (const [rawPath, entries] of Object.entries(metadata)) {
      const at = trimSlash(rawPath);
      for (const e of entries ?? []) {
        if (e.type === ACKNOWLEDGEMENTS_ABOVE_METADATA_KEY && Array.isArray(e.data)) {
          for (const a of e.data as Partial<Acknowledgement>[]) {
            if (typeof a.id !== 'string' || typeof a.path !== 'string') continue;
            this.addAcknowledgement({ id: a.id, reason: typeof a.reason === 'string' ? a.reason : '', path: a.path, scope: a.scope === 'stage' ? 'stage' : 'app' });
          }
        }
        if (e.type !== ACKNOWLEDGED_RULES || typeof e.data !== 'object' || e.data === null) continue;
        for (const [id, reason] of Object.entries(e.data as Record<string, unknown>)) {
          this.addAcknowledgement({
            id, reason: typeof reason === 'string' ? reason : '', path: at, scope: at === stackPath ? 'stack' : 'construct',
            stack, file, resource: this.resourceAt(stack, at),
          });
        }
      }
    }
  }

  private readValidationReport(dir: string, stacks: { stack: string; stackPath: string; file?: string }[]): void {
    const file = path.join(dir, 'validation-report.json');
    if (!fs.existsSync(file)) return;
    const report = readJson(file) as { pluginReports?: { suppressedViolations?: SuppressedViolation[] }[] };
    for (const plugin of report.pluginReports ?? []) {
      for (const v of plugin.suppressedViolations ?? []) {
        if (!v.acknowledgedId || v.acknowledgedAt === undefined) continue;
        const at = trimSlash(v.acknowledgedAt);
        const inStack = stacks.find((s) => at === s.stackPath || at.startsWith(`${s.stackPath}/`));
        const scope = at === '' ? 'app' : inStack ? (at === inStack.stackPath ? 'stack' : 'construct') : 'stage';
        this.addAcknowledgement({
          id: v.acknowledgedId, reason: v.reason ?? '', path: at, scope, stack: inStack?.stack, file: inStack?.file,
          resource: inStack ? this.resourceAt(inStack.stack, at) : undefined,
        });
      }
    }
  }

  private readSource(constructPath: string, e: MetadataEntry): void {
    if (e.type === SOURCE_LINE_METADATA_KEY) {
      const location = asSourceLine(e.data);
      if (location) this.recordedSources.set(constructPath, location);
    } else if (e.type === CREATION_STACK && Array.isArray(e.data)) {
      const location = userSourceLine(e.data.filter((f): f is string => typeof f === 'string'));
      if (location) this.creationSources.set(constructPath, location);
    }
  }

  /** The logical id of the resource at a construct path, or of its default child (`Role` → `Role/Resource`). */
  private resourceAt(stack: string, at: string): string | undefined {
    for (const [key, p] of this.paths) {
      if (key.startsWith(`${stack}\u0000`) && (p === at || p === `${at}/Resource` || p === `${at}/Default`)) return key.slice(stack.length + 1);
    }
    return undefined;
  }

  private addAcknowledgement(a: Acknowledgement): void {
    const key = `${a.id}\u0000${a.path}`;
    if (this.ackKeys.has(key)) return;
    this.ackKeys.add(key);
    // The construct an acknowledgement sits on exists (AGENT-007 reports on it), even above any stack.
    if (a.path !== '') this.knownPaths.add(a.path);
    this.acknowledgements.push(a);
  }
}

function trimSlash(p: string): string {
  return p.replace(/^\//, '');
}

function readJson(file: string): unknown {
  return readJsonFile(file, 'cloud assembly file', 'Run cdk synth again.');
}
