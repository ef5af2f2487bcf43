/**
 * The predefined roles to use instead of roles/viewer or roles/editor on one resource, by the
 * `google_<kind>_iam_*` resource kind. Names from the per-service pages of
 * https://cloud.google.com/iam/docs/roles-permissions.
 */
const NARROWER: Readonly<Record<string, { viewer: string; editor: string }>> = {
  cloud_run_service: { viewer: 'roles/run.viewer', editor: 'roles/run.developer' },
  cloud_run_v2_service: { viewer: 'roles/run.viewer', editor: 'roles/run.developer' },
  cloud_run_v2_job: { viewer: 'roles/run.viewer', editor: 'roles/run.developer' },
  artifact_registry_repository: { viewer: 'roles/artifactregistry.reader', editor: 'roles/artifactregistry.writer' },
  storage_bucket: { viewer: 'roles/storage.objectViewer', editor: 'roles/storage.objectUser' },
  pubsub_topic: { viewer: 'roles/pubsub.viewer', editor: 'roles/pubsub.publisher' },
  pubsub_subscription: { viewer: 'roles/pubsub.viewer', editor: 'roles/pubsub.subscriber' },
  secret_manager_secret: { viewer: 'roles/secretmanager.viewer', editor: 'roles/secretmanager.secretVersionAdder' },
  bigquery_dataset: { viewer: 'roles/bigquery.dataViewer', editor: 'roles/bigquery.dataEditor' },
  bigquery_table: { viewer: 'roles/bigquery.dataViewer', editor: 'roles/bigquery.dataEditor' },
  cloudfunctions_function: { viewer: 'roles/cloudfunctions.viewer', editor: 'roles/cloudfunctions.developer' },
  cloudfunctions2_function: { viewer: 'roles/cloudfunctions.viewer', editor: 'roles/cloudfunctions.developer' },
  kms_crypto_key: { viewer: 'roles/cloudkms.viewer', editor: 'roles/cloudkms.cryptoKeyEncrypterDecrypter' },
  kms_key_ring: { viewer: 'roles/cloudkms.viewer', editor: 'roles/cloudkms.cryptoKeyEncrypterDecrypter' },
  compute_instance: { viewer: 'roles/compute.viewer', editor: 'roles/compute.instanceAdmin.v1' },
};

/** The resource kind of a `google_<kind>_iam_member|binding|policy` address (`cloud_run_service`). */
export function gcpIamResourceKind(address: string): string | undefined {
  const type = address.split('.')[0];
  const m = /^google_(.+)_iam_(?:member|binding|policy)$/.exec(type);
  return m?.[1];
}

/** A narrower predefined role for a basic role bound on one resource of this kind, when one is known. */
export function narrowerGcpRole(kind: string | undefined, basicRole: string): string | undefined {
  const entry = kind !== undefined ? NARROWER[kind] : undefined;
  if (!entry) return undefined;
  return basicRole === 'roles/viewer' ? entry.viewer : entry.editor;
}

/** Every role this table suggests (tests check each exists). */
export function allNarrowerGcpRoles(): string[] {
  return Object.values(NARROWER).flatMap((e) => [e.viewer, e.editor]);
}

/** The service whose permissions a role bound on one resource of this kind can confer there. */
const SERVICE_OF_KIND: Readonly<Record<string, string>> = {
  service_account: 'iam', storage_bucket: 'storage', pubsub_topic: 'pubsub', pubsub_subscription: 'pubsub',
  secret_manager_secret: 'secretmanager', bigquery_dataset: 'bigquery', bigquery_table: 'bigquery',
  cloud_run_service: 'run', cloud_run_v2_service: 'run', cloud_run_v2_job: 'run',
  cloudfunctions_function: 'cloudfunctions', cloudfunctions2_function: 'cloudfunctions',
  artifact_registry_repository: 'artifactregistry', kms_crypto_key: 'cloudkms', kms_key_ring: 'cloudkms', compute_instance: 'compute',
};

/**
 * The permissions a grant on one resource confers there: those of the resource's own service (a role
 * bound on a Pub/Sub topic cannot create VMs). Unknown resource kinds keep every permission (fail closed).
 */
export function permissionsEffectiveOnResource(address: string, permissions: readonly string[]): readonly string[] {
  const kind = gcpIamResourceKind(address);
  const service = kind !== undefined ? SERVICE_OF_KIND[kind] : undefined;
  return service === undefined ? permissions : permissions.filter((p) => p.startsWith(`${service}.`));
}
