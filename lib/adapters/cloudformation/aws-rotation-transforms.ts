import { TemplateResolver } from './private/intrinsics';

/**
 * The accounts through which AWS publishes Secrets Manager's rotation functions in the Serverless
 * Application Repository (aws, aws-cn, aws-us-gov), as aws-cdk-lib's `SecretRotationApplication`
 * names them (aws-secretsmanager/lib/secret-rotation); see also
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html
 */
const ROTATION_PUBLISHERS = new Set(['297356227824', '193023089310', '023102451235']);
const ROTATION_APPLICATION = /^arn:aws(?:-cn|-us-gov)?:serverlessrepo:[a-z0-9-]+:(\d{12}):applications\/SecretsManager[A-Za-z0-9]+$/;

const SAM = 'AWS::Serverless-2016-10-31';
/** Turns a RotationSchedule's `HostedRotationLambda` into AWS's own rotation function (a nested application). */
const SECRETS_MANAGER = 'AWS::SecretsManager-2020-07-23';

/**
 * Whether the template's `Transform` generates only AWS's published Secrets Manager rotation
 * functions (what CDK's `addRotationSingleUser` / `addRotationMultiUser` and `HostedRotation`
 * emit): then the resources the macro adds at deploy are a nested stack AWS wrote, holding no grant
 * of this template, and nothing stays unseen. Any other macro, or any other Serverless resource
 * (a function, a state machine, an application from anyone else), keeps the template unresolved.
 */
export function transformAddsOnlyAwsRotation(template: { Transform?: unknown; Resources?: unknown }, parameterValues: Record<string, unknown> = {}): boolean {
  const transforms = typeof template.Transform === 'string' ? [template.Transform] : Array.isArray(template.Transform) ? template.Transform : [template.Transform];
  if (transforms.length === 0 || !transforms.every((t) => t === SAM || t === SECRETS_MANAGER)) return false;
  const resources = template.Resources && typeof template.Resources === 'object' ? Object.values(template.Resources as Record<string, unknown>) : [];
  const resolver = new TemplateResolver(template, parameterValues);
  return resources.every((r) => {
    const type = r && typeof r === 'object' ? (r as { Type?: unknown }).Type : undefined;
    if (typeof type !== 'string' || !type.startsWith('AWS::Serverless::')) return true;
    if (type !== 'AWS::Serverless::Application') return false;
    const location = (r as { Properties?: { Location?: unknown } }).Properties?.Location;
    if (!location || typeof location !== 'object') return false;
    let open = false;
    const id = resolver.resolve((location as { ApplicationId?: unknown }).ApplicationId, () => { open = true; });
    const publisher = !open && typeof id === 'string' ? ROTATION_APPLICATION.exec(id)?.[1] : undefined;
    return publisher !== undefined && ROTATION_PUBLISHERS.has(publisher);
  });
}
