import { Cloud, Identity, Inventory, SourceLocation } from '../../../inventory/inventory';
import { TerraformBlock } from './terraform-blocks';
import { Resolved, TerraformReferences } from './terraform-references';

/** What the per-cloud readers share while they fill one inventory from one configuration. */
export class BuildContext {
  /** Identities by block address, so references and members find them. */
  public readonly identitiesByAddress = new Map<string, Identity>();

  constructor(
    public readonly inventory: Inventory,
    public readonly refs: TerraformReferences,
    public readonly blocks: readonly TerraformBlock[],
    public readonly file: string | undefined,
    public readonly stack: string | undefined,
  ) {}

  public source(block: TerraformBlock, path?: string): SourceLocation {
    const location: { file?: string; stack?: string; resource: string; path?: string } = { resource: block.address };
    if (this.file !== undefined) location.file = this.file;
    if (this.stack !== undefined) location.stack = this.stack;
    const p = path ?? block.constructPath;
    if (p !== undefined) location.path = p;
    return location;
  }

  public identityId(cloud: Cloud, block: TerraformBlock): string {
    return `${cloud}:${this.stack ?? ''}/${block.address}`;
  }

  /** Resolve an argument; a value that cannot be known offline is recorded as unresolved (fail closed). */
  public resolve(cloud: Cloud, block: TerraformBlock, field: string, value: unknown): Resolved | undefined {
    const r = this.refs.resolve(value);
    if (r) this.recordProblem(cloud, block, field, r);
    return r;
  }

  /**
   * Resolve who a grant is for. A principal that is only a module's output, of a kind that can name neither the public
   * nor one of our (agent) identities, hides no grant the rules do not judge (they judge the role and the scope): a
   * warning, not an error. `typed` says whether the resolved text is such a principal.
   */
  public resolvePrincipal(cloud: Cloud, block: TerraformBlock, field: string, value: unknown, typed: (text: string) => boolean): Resolved | undefined {
    const r = this.refs.resolve(value);
    if (r) this.recordProblem(cloud, block, field, r, typed);
    return r;
  }

  /** `resolvePrincipal` for each element of a list of principals. */
  public resolvePrincipalList(cloud: Cloud, block: TerraformBlock, field: string, value: unknown, typed: (text: string) => boolean): Resolved[] {
    const rs = this.refs.resolveList(value);
    for (const r of rs) this.recordProblem(cloud, block, field, r, typed);
    return rs;
  }

  public resolveList(cloud: Cloud, block: TerraformBlock, field: string, value: unknown): Resolved[] {
    const rs = this.refs.resolveList(value);
    for (const r of rs) this.recordProblem(cloud, block, field, r);
    return rs;
  }

  /** Record a resolved value's problem, if any: a warning only for a typed principal (`resolvePrincipal`) from a module. */
  private recordProblem(cloud: Cloud, block: TerraformBlock, field: string, r: Resolved, typedPrincipal?: (text: string) => boolean): void {
    if (r.problem) this.unresolved(cloud, block, field, r.problem, r.fromModule && typedPrincipal?.(r.text) ? 'warning' : undefined);
  }

  /** Record a value that cannot be known offline: an error unless `severity` says it can only hide grants not ours to see. */
  public unresolved(cloud: Cloud, block: TerraformBlock, field: string, problem: string, severity?: 'warning'): void {
    this.inventory.unresolved.push({ cloud, what: `${block.address}.${field} ${problem}`, ...(severity ? { severity } : {}), source: this.source(block) });
  }

  /** The identity a resolved value refers to (by reference to the identity's block). */
  public identityReferenced(r: Resolved | undefined): Identity | undefined {
    for (const ref of r?.refs ?? []) {
      const id = this.identitiesByAddress.get(ref.address);
      if (id) return id;
    }
    return undefined;
  }
}
