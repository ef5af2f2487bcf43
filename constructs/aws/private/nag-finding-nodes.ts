import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';
import { Finding } from '../../../lib/rules/rule';

/** Where a finding is reported: a construct path, and the resource's template when known. */
export interface FindingNode {
  readonly constructPath: string;
  readonly logicalId?: string;
  readonly stackPath?: string;
}

/**
 * Maps engine findings to construct nodes, built in one walk of the tree: the node whose
 * logical id the finding names; else the construct path it names, when that exists; else its
 * stack (findings that name no resource, e.g. unresolved values); else the app (`''`).
 * The CLI applies the same order to the cloud assembly, so both front doors agree.
 */
export class FindingNodes {
  /** Whether the tree holds nested stacks. */
  public readonly hasNestedStacks: boolean;
  /** Every construct of the tree (`scope.node.findAll()`, pre-order), for other readers of the same tree. */
  public readonly constructs: readonly IConstruct[];
  private readonly byLogicalId = new Map<string, { path: string; stackPath: string }>();
  private readonly stackPaths = new Map<string, string>();
  private readonly stacks = new Map<string, Stack>();
  private readonly pathsByStack = new Map<Stack, Record<string, string>>();
  /** Construct paths of the tree, built when a finding first needs them (most findings name a resource). */
  private paths?: Set<string>;

  /**
   * @param scope the tree to map findings onto
   * @param knownLogicalIds construct path → logical id already known (from the cloud assembly
   * just written); other resources' logical ids are resolved from the tree
   */
  constructor(public readonly scope: IConstruct, knownLogicalIds: ReadonlyMap<string, string> = new Map()) {
    let nested = false;
    // A construct's path is joined from its scopes on every read, and a stack's name is a getter: each is read once here.
    const stackKeys = new Map<Stack, { readonly name: string; readonly path: string; readonly paths: Record<string, string> }>();
    this.constructs = scope.node.findAll();
    for (const c of this.constructs) {
      if (Stack.isStack(c)) {
        const constructPath = c.node.path;
        nested ||= NestedStack.isNestedStack(c);
        this.stackPaths.set(stackNameOf(c), constructPath);
        this.stacks.set(constructPath, c);
      } else if (CfnResource.isCfnResource(c)) {
        const constructPath = c.node.path;
        const stack = Stack.of(c);
        let of = stackKeys.get(stack);
        if (!of) {
          of = { name: stackNameOf(stack), path: stack.node.path, paths: this.pathsByStack.get(stack) ?? {} };
          stackKeys.set(stack, of);
          this.pathsByStack.set(stack, of.paths);
        }
        const logicalId = knownLogicalIds.get(constructPath) ?? stack.resolve(c.logicalId) as string;
        this.byLogicalId.set(key(of.name, logicalId), { path: constructPath, stackPath: of.path });
        of.paths[logicalId] = constructPath;
      }
    }
    this.hasNestedStacks = nested;
  }

  /** The stack at a construct path, when there is one. */
  public stackAt(constructPath: string): Stack | undefined {
    return this.stacks.get(constructPath);
  }

  /** Logical id → construct path of a stack's resources. */
  public constructPathsOf(stack: Stack): Record<string, string> {
    return this.pathsByStack.get(stack) ?? {};
  }

  public nodeOf(f: Finding): FindingNode {
    const resource = f.stack === undefined ? undefined : this.byLogicalId.get(key(f.stack, f.resource));
    if (resource) return { constructPath: resource.path, logicalId: f.resource, stackPath: resource.stackPath };
    if (f.path !== undefined) {
      this.paths ??= new Set(this.constructs.map((c) => c.node.path));
      if (this.paths.has(f.path)) return { constructPath: f.path };
    }
    const stackPath = f.stack === undefined ? undefined : this.stackPaths.get(f.stack);
    return { constructPath: stackPath ?? '', stackPath };
  }
}

/** The stack name the adapters use: the stack name, or `<parent>/<logicalId>` for a nested stack. */
export function stackNameOf(stack: Stack): string {
  if (NestedStack.isNestedStack(stack) && stack.nestedStackResource) {
    const parent = Stack.of(stack.nestedStackResource);
    return `${stackNameOf(parent)}/${parent.resolve(stack.nestedStackResource.logicalId)}`;
  }
  return stack.stackName;
}

function key(stack: string, logicalId: string): string {
  return `${stack}\u0000${logicalId}`;
}
