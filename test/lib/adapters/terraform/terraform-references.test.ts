import { terraformBlocks } from '../../../../lib/adapters/terraform/private/terraform-blocks';
import { TerraformReferences } from '../../../../lib/adapters/terraform/private/terraform-references';

function resolver(doc: Record<string, unknown>): TerraformReferences {
  return new TerraformReferences(doc, terraformBlocks(doc), (block, attribute) => (attribute === 'email' ? `${String(block.body.account_id)}@p.iam.gserviceaccount.com` : undefined));
}

const DOC = {
  variable: { role: { default: 'roles/logging.viewer' }, members: { default: ['group:a@example.com', 'group:b@example.com'] }, open: { type: 'string' } },
  locals: { prefix: 'projects/_/buckets/' },
  resource: {
    google_service_account: { sa: { account_id: 'tool' } },
    google_storage_bucket: { b: { name: 'logs' } },
  },
};

describe('TerraformReferences', () => {
  const refs = resolver(DOC);

  test('literals, numbers and escaped interpolations stay literal', () => {
    expect(refs.resolve('roles/x')).toEqual({ text: 'roles/x', refs: [] });
    expect(refs.resolve(3)).toEqual({ text: '3', refs: [] });
    expect(refs.resolve('a $${not.a.ref} b')?.text).toBe('a ${not.a.ref} b');
    expect(refs.resolve(undefined)).toBeUndefined();
  });

  test('variables with defaults, locals and literal attributes resolve inside larger strings', () => {
    expect(refs.resolve('${var.role}')).toEqual({ text: 'roles/logging.viewer', refs: [], problem: undefined });
    expect(refs.resolve('${local.prefix}${google_storage_bucket.b.name}/')?.text).toBe('projects/_/buckets/logs/');
    expect(refs.resolve('serviceAccount:${google_service_account.sa.email}')).toMatchObject({ text: 'serviceAccount:tool@p.iam.gserviceaccount.com', refs: [{ address: 'google_service_account.sa', attribute: 'email' }] });
  });

  test('attributes only known after apply stay as the reference (they still name one resource)', () => {
    expect(refs.resolve('${google_storage_bucket.b.self_link}')).toEqual({ text: '${google_storage_bucket.b.self_link}', refs: [{ address: 'google_storage_bucket.b', type: 'google_storage_bucket', attribute: 'self_link' }] });
  });

  test('functions (with braces and quotes inside), variables without default and unknown blocks are problems', () => {
    expect(refs.resolve('${format("%s}", var.role)}')?.problem).toMatch(/cannot be evaluated offline/);
    expect(refs.resolve('${var.open}')?.problem).toBe('uses variable open, which has no default');
    expect(refs.resolve('${google_project.nope.number}')?.problem).toBe('references google_project.nope, which is not in this configuration');
    expect(refs.resolve('${each.value}')?.problem).toMatch(/cannot be evaluated offline/);
    expect(refs.resolve('${var.role')?.problem).toMatch(/unterminated/);
  });

  test('lists: literal, from a variable default, or a problem when only known after apply', () => {
    expect(refs.resolveList(['a', '${var.role}']).map((r) => r.text)).toEqual(['a', 'roles/logging.viewer']);
    expect(refs.resolveList('${var.members}').map((r) => r.text)).toEqual(['group:a@example.com', 'group:b@example.com']);
    expect(refs.resolveList('${concat(var.members, ["allUsers"])}')[0].problem).toBeDefined();
  });
});
