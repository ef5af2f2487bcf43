import { TemplateResolver, containsUnresolved } from './intrinsics';
import { setOwn } from '../../../private/own';
import { isObject } from './policy-document';

/**
 * The parameter values a parent template passes to one of its nested stacks
 * (`AWS::CloudFormation::Stack` `Parameters`), resolved in the parent's context, and the names
 * of those the parent itself cannot resolve (the caller reports them on the parent's resource).
 */
export function nestedStackParameters(parentTemplate: unknown, parentParameterValues: Record<string, unknown>, nestedLogicalId: string, exports: Record<string, unknown> = {}): { values: Record<string, unknown>; open: string[] } {
  const resources = isObject(parentTemplate) && isObject(parentTemplate.Resources) ? parentTemplate.Resources : {};
  const resource = resources[nestedLogicalId];
  const props = isObject(resource) && isObject(resource.Properties) ? resource.Properties : {};
  const resolved = new TemplateResolver(parentTemplate, parentParameterValues, {}, exports).resolve(props.Parameters ?? {}, () => undefined);
  const values = isObject(resolved) ? resolved : {};
  return { values, open: Object.entries(values).filter(([, v]) => containsUnresolved(v)).map(([k, v]) => `${k}: ${String(v)}`) };
}

/**
 * A template's resolved `Outputs` (name → value), for the parent's `Fn::GetAtt [Nested, Outputs.X]`.
 * Open values stay placeholders; they are reported where the nested template uses them.
 */
export function stackOutputs(template: unknown, parameterValues: Record<string, unknown>, nestedOutputs: Record<string, Record<string, unknown>>, exports: Record<string, unknown> = {}): Record<string, unknown> {
  const outputs = isObject(template) && isObject(template.Outputs) ? template.Outputs : {};
  const resolver = new TemplateResolver(template, parameterValues, nestedOutputs, exports);
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(outputs)) {
    if (isObject(o) && o.Value !== undefined) setOwn(out, name, resolver.resolve(o.Value, () => undefined));
  }
  return out;
}

/**
 * What a template exports (`Outputs.*.Export.Name` → resolved value), for `Fn::ImportValue` in the
 * other stacks of the same app. Names or values it cannot resolve are left out (the importer then
 * reports its `Fn::ImportValue` as unresolved).
 */
export function stackExports(template: unknown, parameterValues: Record<string, unknown> = {}, nestedOutputs: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  const outputs = isObject(template) && isObject(template.Outputs) ? template.Outputs : {};
  const resolver = new TemplateResolver(template, parameterValues, nestedOutputs);
  const out: Record<string, unknown> = {};
  for (const o of Object.values(outputs)) {
    if (!isObject(o) || !isObject(o.Export) || o.Value === undefined) continue;
    const name = resolver.resolve(o.Export.Name, () => undefined);
    const value = resolver.resolve(o.Value, () => undefined);
    // A name built from `${AWS::StackName}` etc. is only known at deploy: it could collide across stacks, so skip it.
    if (typeof name === 'string' && !name.includes('${AWS::') && !containsUnresolved(name) && !containsUnresolved(value)) setOwn(out, name, value);
  }
  return out;
}
