import * as fs from 'fs';
import * as path from 'path';
import { inventoryFromTemplate } from '../../../lib/adapters/cloudformation/inventory-from-template';
import { Inventory, emptyInventory, mergeInventories } from '../../../lib/inventory/inventory';
import { localsBomb, mappingBomb, writeCdkOut, writeManyAssetManifests, writeNestedDag } from '../../fixtures/hostile/generators';
import { expectContract, hostileDir, roleWith, runCli, template, writeInput } from '../../fixtures/hostile/hostile-cli';

let dir: string;
beforeAll(() => {
  dir = hostileDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('hostile input: wildcard patterns never backtrack', () => {
  test('`iam:` followed by `*?` thirty times is expanded, not a hang', async () => {
    const file = writeInput(dir, 'star-question.json', template({ R: roleWith([{ Effect: 'Allow', Action: `iam:${'*?'.repeat(30)}`, Resource: '*' }]) }));
    const r = await runCli(['check', file]);
    expectContract(r);
    expect(r.code).toBe(1);
  });

  test('a resource `arn:aws:s3:::aaaa…` against a Deny of `(*a)×25*b`', async () => {
    const resource = `arn:aws:s3:::${'a'.repeat(3000)}`;
    const file = writeInput(dir, 'deny-backtrack.json', template({
      R: roleWith([
        { Effect: 'Allow', Action: 's3:PutObject', Resource: resource },
        { Effect: 'Deny', Action: 's3:*', Resource: `arn:aws:s3:::${'*a'.repeat(25)}*b` },
      ]),
    }));
    const r = await runCli(['check', file]);
    expectContract(r);
  });

  test('the same pattern as a permissions boundary', async () => {
    const resource = `arn:aws:s3:::${'a'.repeat(3000)}`;
    const file = writeInput(dir, 'boundary-backtrack.json', template({
      B: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: `arn:aws:s3:::${'*a'.repeat(25)}*b` }] } } },
      R: roleWith([{ Effect: 'Allow', Action: 's3:PutObject', Resource: resource }], { PermissionsBoundary: { Ref: 'B' } }),
    }));
    const r = await runCli(['check', file]);
    expectContract(r);
  });
});

describe('hostile input: bounded work on crafted structures', () => {
  test('nested stacks that fan out as a DAG (24 levels × 2) are expanded once per template', async () => {
    const out = writeNestedDag(path.join(dir, 'dag'), 24);
    const r = await runCli(['check', out, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.some((f: { ruleId: string }) => f.ruleId === 'AWS-001')).toBe(true);
  });

  test('a nested stack that nests itself is reported, not followed forever', async () => {
    const d = path.join(dir, 'cycle');
    writeInput(d, 'self.nested.template.json', template({
      Self: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'x', Parameters: { P: { 'Fn::Join': ['', [{ Ref: 'P' }, 'x']] } } }, Metadata: { 'aws:asset:path': 'self.nested.template.json' } },
    }, { Parameters: { P: { Type: 'String', Default: 'a' } } }));
    const out = writeCdkOut(d, {}, { Root: { type: 'aws:cloudformation:stack', properties: { templateFile: 'self.nested.template.json' } } });
    const r = await runCli(['check', out, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/nested more than 64 levels|nests itself/);
  });

  test('Mappings chained through Fn::Select over two Fn::FindInMap, 40 levels deep', async () => {
    const file = writeInput(dir, 'mapping-bomb.json', mappingBomb(40));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
  });

  test('Mappings that double a string at each of 40 levels become unresolved, not out of memory', async () => {
    const mappings: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) {
      const next = { 'Fn::FindInMap': [`M${i + 1}`, 'k', 'v'] };
      mappings[`M${i}`] = { k: { v: { 'Fn::Join': ['', [next, next]] } } };
    }
    mappings.M40 = { k: { v: 'iam:PassRole' } };
    const file = writeInput(dir, 'mapping-doubling.json', template({ R: roleWith([{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::FindInMap': ['M0', 'k', 'v'] } }]) }, { Mappings: mappings }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/larger than/);
  });

  test('Terraform locals fanning out 6 references × 16 levels', async () => {
    const file = writeInput(dir, 'locals-bomb.tf.json', localsBomb(16, 6));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
  });

  test('asset manifests are read once per assembly, not once per nested stack', async () => {
    const out = writeManyAssetManifests(path.join(dir, 'assets'), 200, 100);
    const spy = jest.spyOn(fs, 'readFileSync');
    try {
      const r = await runCli(['check', out]);
      expectContract(r);
      const assetReads = spy.mock.calls.filter(([f]) => String(f).endsWith('.assets.json')).length;
      expect(assetReads).toBeLessThanOrEqual(201);
    } finally {
      spy.mockRestore();
    }
  });

  test('merging inventories of more grants than the call stack can spread', () => {
    const grants = Array.from({ length: 300_000 }, (_, i) => ({ id: `g${i}` })) as unknown as Inventory['grants'];
    const merged = mergeInventories([{ ...emptyInventory(), grants }, { ...emptyInventory(), grants }]);
    expect(merged.grants).toHaveLength(600_000);
  });
});

describe('hostile input: files that are no bounded input', () => {
  // A template linked to /dev/zero was read until the process aborted (std::bad_alloc, no error line, RSS 3 GB).
  for (const name of ['zero.json', 'zero.tf.json', 'role-data/gcp-roles.json', 'baseline-zero.json']) {
    test(`${name} linked to /dev/zero: exit 2, one line naming what is refused`, async () => {
      const link = path.join(dir, 'devices', name);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync('/dev/zero', link);
      const input = writeInput(dir, 'devices/ok.json', template({ B: { Type: 'AWS::S3::Bucket' } }));
      const argv = name.startsWith('role-data') ? ['check', input, '--role-data', path.dirname(link)]
        : name.startsWith('baseline') ? ['check', input, '--baseline', link] : ['check', link];
      const r = await runCli(argv);
      expectContract(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not a regular file/);
    });
  }

  test('a file past 256 MiB is refused before it is read', async () => {
    const file = path.join(dir, 'sparse-huge.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 300 * 2 ** 20); // sparse: no disk, no memory
    const r = await runCli(['check', file]);
    expectContract(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than the 268435456 an input file may have/);
  });
});

describe('hostile input: nested cloud assemblies', () => {
  test('two links per level to the next assembly: each folder is read once, not once per path (exponential)', async () => {
    // 14 levels, each naming the next as `x` and as `y` (a link to x): 32,768 paths to 15 folders (173 s before).
    const root = path.join(dir, 'assembly-dag');
    const levels = 14;
    let level = root;
    for (let i = 0; i <= levels; i++) {
      const artifacts: Record<string, unknown> = {};
      if (i < levels) {
        artifacts.A = { type: 'cdk:cloud-assembly', properties: { directoryName: 'x' } };
        artifacts.B = { type: 'cdk:cloud-assembly', properties: { directoryName: 'y' } };
        fs.mkdirSync(path.join(level, 'x'), { recursive: true });
        fs.symlinkSync('x', path.join(level, 'y'));
      }
      writeCdkOut(level, i === levels ? { S: template({ Admin: roleWith([{ Effect: 'Allow', Action: '*', Resource: '*' }]) }) } : {}, artifacts);
      level = path.join(level, 'x');
    }
    const spy = jest.spyOn(fs, 'readFileSync');
    try {
      const r = await runCli(['check', root, '--format', 'json']);
      expectContract(r);
      expect(r.code).toBe(1);
      const manifestReads = spy.mock.calls.filter(([f]) => String(f).endsWith('manifest.json')).length;
      // Once by the inventory reader and once by the metadata reader, per folder.
      expect(manifestReads).toBeLessThanOrEqual(2 * (levels + 1));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('hostile input: manifest paths stay inside the cloud assembly', () => {
  const secret = 'root:x:0:0:SECRET-LINE';
  for (const field of ['templateFile', 'additionalMetadataFile', 'directoryName'] as const) {
    test(`${field} pointing outside the folder: exit 2, nothing of the file echoed`, async () => {
      const base = path.join(dir, `escape-${field}`);
      writeInput(base, 'passwd', secret);
      const out = path.join(base, 'cdk.out');
      const artifact = field === 'directoryName'
        ? { type: 'cdk:cloud-assembly', properties: { directoryName: '../' } }
        : field === 'templateFile'
          ? { type: 'aws:cloudformation:stack', properties: { templateFile: '../passwd' } }
          : { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' }, additionalMetadataFile: '../passwd' };
      writeInput(out, 'S.template.json', template({ R: roleWith([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/k' }]) }));
      writeInput(out, 'manifest.json', { version: '43.0.0', artifacts: { S: artifact } });
      const r = await runCli(['check', out]);
      expectContract(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/outside/);
      expect(r.stderr + r.stdout).not.toMatch(/root:|SECRET/);
    });
  }

  test('an unparsable template is reported without quoting its text', async () => {
    const file = writeInput(dir, 'not-json.json', `{${secret}`);
    const r = await runCli(['check', file]);
    expectContract(r);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/root:|SECRET/);
  });
});

describe('hostile input: YAML values JSON has no type for', () => {
  const role = (policies: string) => `%YAML 1.1\n---\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }\n${policies}`;
  const cases: Record<string, string> = {
    // Read as a Map, `Resources: !!omap` hid the admin role: the check passed (exit 0).
    'Resources: !!omap': '%YAML 1.1\n---\nResources: !!omap\n  - R:\n      Type: AWS::IAM::Role\n      Properties:\n        AssumeRolePolicyDocument: { Statement: [ { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole } ] }\n        Policies: [ { PolicyName: p, PolicyDocument: { Statement: [ { Effect: Allow, Action: "*", Resource: "*" } ] } } ]\n',
    'Policies: !!omap': role('      Policies: !!omap\n        - P: { PolicyName: p, PolicyDocument: { Statement: [ { Effect: Allow, Action: "*", Resource: "*" } ] } }\n'),
    'ManagedPolicyArns: !!set': role('      ManagedPolicyArns: !!set\n        ? arn:aws:iam::aws:policy/AdministratorAccess\n'),
    'a !!binary value': role('      Description: !!binary aGVsbG8=\n'),
  };
  for (const [name, text] of Object.entries(cases)) {
    test(`${name}: exit 2 naming what is refused`, async () => {
      const file = writeInput(dir, `yaml11-${name.replace(/\W+/g, '-')}.yaml`, text);
      const r = await runCli(['check', file, '--format', 'json']);
      expectContract(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not JSON data/);
    });
  }
});

describe('hostile input: SAM and policy documents as JSON strings', () => {
  const admin = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const trust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

  test('a SAM template whose resource is named __proto__ keeps it (it passed: exit 0)', async () => {
    const role = JSON.stringify({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust, Policies: [{ PolicyName: 'p', PolicyDocument: admin }] } });
    const file = writeInput(dir, 'sam-proto-id.json', `{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"__proto__": ${role}}}`);
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/AWS-001/);
  });

  test('SAM Policies of Fn::If nested 5,000 deep: reported past 64 levels, not a stack overflow', async () => {
    const levels = 5_000;
    const deep = `${'{"Fn::If": ["C", '.repeat(levels)}${JSON.stringify(admin)}${', {"Ref": "AWS::NoValue"}]}'.repeat(levels)}`;
    const file = writeInput(dir, 'sam-deep-if.json', `{"Transform": "AWS::Serverless-2016-10-31", "Conditions": {"C": {"Fn::Equals": ["a", "b"]}},
      "Resources": {"F": {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "nodejs20.x", "Policies": [${deep}]}}}}`);
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/nested more than 64 levels/);
  });

  test('a PolicyDocument JSON string nested 200,000 deep is reported, not a stack overflow', async () => {
    const levels = 200_000;
    const doc = `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": ${'['.repeat(levels)}${']'.repeat(levels)}}]}`;
    const file = writeInput(dir, 'policy-string-deep.json', template({
      R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
      P: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'R' }], PolicyDocument: doc } },
    }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/nested more than 64 levels/);
  });

  test('a PolicyDocument given as a JSON string, plain or through Fn::Sub, is read', async () => {
    for (const [name, doc] of [['plain', JSON.stringify(admin)], ['sub', { 'Fn::Sub': JSON.stringify(admin) }]] as const) {
      const file = writeInput(dir, `policy-string-${name}.json`, template({
        R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
        P: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'R' }], PolicyDocument: doc } },
      }));
      const r = await runCli(['check', file, '--format', 'json']);
      expectContract(r);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/AWS-001/);
    }
  });
});

describe('hostile input: template keys that are JavaScript object members', () => {
  test('Fn::Sub "iam:${valueOf}" reads the parameter named valueOf, not Object.prototype.valueOf', async () => {
    const file = writeInput(dir, 'valueof.json', template({
      R: roleWith([{ Effect: 'Allow', Action: { 'Fn::Sub': 'iam:${valueOf}' }, Resource: '*' }]),
    }, { Parameters: { valueOf: { Type: 'String', Default: '*' } } }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/iam:undefined/);
  });

  test('PassRole on role/${hasOwnProperty} is PassRole on every role', async () => {
    const file = writeInput(dir, 'hasown.json', template({
      R: roleWith([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::Sub': 'arn:aws:iam::111122223333:role/${hasOwnProperty}' } }]),
    }, { Parameters: { hasOwnProperty: { Type: 'String', Default: '*' } } }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
  });

  test('Ref to constructor, toString or __proto__ that the template does not define is unresolved', async () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const file = writeInput(dir, `ref-${name}.json`, template({ R: roleWith([{ Effect: 'Allow', Action: { Ref: name }, Resource: '*' }]) }));
      const r = await runCli(['check', file, '--format', 'json']);
      expectContract(r);
      expect(r.code).toBe(1);
    }
  });
});

describe('hostile input: Terraform JSON in every form Terraform accepts', () => {
  const owner = { project: 'p', role: 'roles/owner', member: 'serviceAccount:a@p.iam.gserviceaccount.com' };
  const azureOwner = { scope: '/subscriptions/00000000-0000-0000-0000-000000000000', role_definition_name: 'Owner', principal_id: 'x' };
  const forms: Record<string, unknown> = {
    '"resource": [ {…} ]': { resource: [{ google_project_iam_member: { owner } }] },
    '"google_project_iam_member": [ {…} ]': { resource: { google_project_iam_member: [{ owner }] } },
    'both levels as lists': { resource: [{ google_project_iam_member: [{ owner }] }] },
    'Azure Owner, "resource": [ {…} ]': { resource: [{ azurerm_role_assignment: { owner: azureOwner } }] },
    'Azure Owner, "azurerm_role_assignment": [ {…} ]': { resource: { azurerm_role_assignment: [{ owner: azureOwner }] } },
  };
  for (const [name, doc] of Object.entries(forms)) {
    test(`${name}: the owner grant is seen`, async () => {
      const file = writeInput(dir, `form-${name.replace(/\W+/g, '-')}.tf.json`, doc);
      const r = await runCli(['check', file, '--format', 'json']);
      expectContract(r);
      expect(r.code).toBe(1);
    });
  }

  test('a repeated "resource" key keeps both blocks (JSON.parse would keep only the last)', async () => {
    const text = `{"resource": {"google_project_iam_member": {"owner": ${JSON.stringify(owner)}}},
      "resource": {"google_storage_bucket": {"b": {"name": "b", "location": "EU"}}}}`;
    const file = writeInput(dir, 'dup-resource-key.tf.json', text);
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
  });

  test('a repeated nested block keeps both (a binding hidden before a harmless one)', async () => {
    const text = `{"resource": {"google_project_iam_policy": {"p": {"project": "p", "policy_data": "\${data.google_iam_policy.d.policy_data}"}}},
      "data": {"google_iam_policy": {"d": {
        "binding": {"role": "roles/owner", "members": ["serviceAccount:a@p.iam.gserviceaccount.com"]},
        "binding": {"role": "roles/viewer", "members": ["serviceAccount:b@p.iam.gserviceaccount.com"]}}}}}`;
    const file = writeInput(dir, 'dup-binding.tf.json', text);
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/roles\/owner/);
  });

  test('a repeated argument, or one resource declared twice, is rejected as Terraform rejects it (exit 2)', async () => {
    const dupArg = writeInput(dir, 'dup-arg.tf.json', `{"resource": {"google_project_iam_member": {"m": {"project": "p", "role": "roles/viewer", "role": "roles/owner", "member": "user:a@b.c"}}}}`);
    const dupResource = writeInput(dir, 'dup-resource.tf.json', { resource: [{ google_project_iam_member: { m: owner } }, { google_project_iam_member: { m: owner } }] });
    for (const file of [dupArg, dupResource]) {
      const r = await runCli(['check', file]);
      expectContract(r);
      expect(r.code).toBe(2);
    }
  });

  test('comments and trailing commas are not Terraform JSON: exit 2, quoting nothing', async () => {
    const file = writeInput(dir, 'comment.tf.json', '{"resource": {}, // SECRET\n}');
    const r = await runCli(['check', file]);
    expectContract(r);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/SECRET/);
  });
});

describe('hostile input: resources added at deploy time are reported, not skipped', () => {
  const adminTrustedByAnyone = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] },
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    },
  };
  const cases: Record<string, Record<string, unknown>> = {
    'Fn::Transform AWS::Include under Resources': template({ 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/admin.yaml' } } }),
    'Fn::Transform AWS::Include in Properties': template({ R: { Type: 'AWS::IAM::Role', Properties: { 'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://b/role.yaml' } }, AssumeRolePolicyDocument: { Statement: [] } } } }),
    'a CloudFormation module': template({ M: { Type: 'Org::Admin::Role::MODULE', Properties: {} } }),
    'a stack set from a URL': template({ S: { Type: 'AWS::CloudFormation::StackSet', Properties: { StackSetName: 's', PermissionModel: 'SELF_MANAGED', TemplateURL: 'https://s3/t.json' } } }),
    'a stack set whose TemplateBody holds an admin role trusted by *': template({ S: { Type: 'AWS::CloudFormation::StackSet', Properties: { StackSetName: 's', PermissionModel: 'SELF_MANAGED', TemplateBody: JSON.stringify(template({ Admin: adminTrustedByAnyone })) } } }),
    'a stack set whose TemplateBody is YAML': template({ S: { Type: 'AWS::CloudFormation::StackSet', Properties: { StackSetName: 's', PermissionModel: 'SELF_MANAGED', TemplateBody: 'Resources:\n  Admin:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: { AWS: "*" }\n            Action: sts:AssumeRole\n      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]\n' } } }),
    'a user in an external group': template({ U: { Type: 'AWS::IAM::User', Properties: { Groups: ['Administrators'] } } }),
    'an external group given users by UserToGroupAddition': template({ U: { Type: 'AWS::IAM::User', Properties: {} }, A: { Type: 'AWS::IAM::UserToGroupAddition', Properties: { GroupName: 'Administrators', Users: [{ Ref: 'U' }] } } }),
  };
  for (const [name, tpl] of Object.entries(cases)) {
    test(`${name}: exit 1`, async () => {
      const file = writeInput(dir, `deploy-time-${name.replace(/\W+/g, '-')}.json`, tpl);
      const r = await runCli(['check', file, '--format', 'json']);
      expectContract(r);
      expect(r.code).toBe(1);
    });
  }

  test('a user in a group of the template holds the group\'s grants', async () => {
    const file = writeInput(dir, 'group-member.json', template({
      G: { Type: 'AWS::IAM::Group', Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } }] } },
      U: { Type: 'AWS::IAM::User', Properties: { Groups: [{ Ref: 'G' }] } },
    }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    const inventory = inventoryFromTemplate(JSON.parse(fs.readFileSync(file, 'utf8')), { stack: 'S' });
    expect(inventory.grants.filter((g) => g.identityId === 'aws:S/U').map((g) => g.actions)).toEqual([['iam:*']]);
  });

  test('the resource policies of the issue: a public bucket, key and function', async () => {
    const file = writeInput(dir, 'public-resources.json', template({
      BP: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] } } },
      K: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] } } },
      L: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'f', Action: 'lambda:InvokeFunction', Principal: '*' } },
      P: { Type: 'AWS::SSO::PermissionSet', Properties: { InstanceArn: 'i', Name: 'n', ManagedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] } },
    }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    const ids = JSON.parse(r.stdout).findings.map((f: { ruleId: string; resource: string }) => `${f.ruleId}:${f.resource}`);
    expect(ids).toEqual(expect.arrayContaining(['AWS-016:BP', 'AWS-016:K', 'AWS-016:L', 'AWS-017:P']));
  });
});

describe('hostile input: every value a parameter can take is checked, not only its default', () => {
  const envParameter = { Env: { Type: 'String', Default: 'dev' } };
  const isProd = { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } };

  test('an Fn::If on a parameter condition (default dev) that grants iam:* in prod', async () => {
    const file = writeInput(dir, 'param-if.json', template({
      R: roleWith([{ Effect: 'Allow', Action: { 'Fn::If': ['IsProd', 'iam:*', 's3:GetObject'] }, Resource: '*' }]),
    }, { Parameters: envParameter, Conditions: isProd }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/iam:\*/);
  });

  test('a statement list item under Fn::If: the prod statement is checked', async () => {
    const file = writeInput(dir, 'param-if-item.json', template({
      R: roleWith([{ 'Fn::If': ['IsProd', { Effect: 'Allow', Action: '*', Resource: '*' }, { Ref: 'AWS::NoValue' }] }]),
    }, { Parameters: envParameter, Conditions: isProd }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/AWS-001/);
  });

  test('a role whose Condition is false only with the default is still checked', async () => {
    const admin = roleWith([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const file = writeInput(dir, 'param-condition.json', template({ R: { ...admin, Condition: 'IsProd' } }, { Parameters: envParameter, Conditions: isProd }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/AWS-001/);
  });

  test('AllowedValues that include iam:* are checked', async () => {
    const file = writeInput(dir, 'param-allowed.json', template({
      R: roleWith([{ Effect: 'Allow', Action: { Ref: 'Permission' }, Resource: '*' }]),
    }, { Parameters: { Permission: { Type: 'String', Default: 's3:GetObject', AllowedValues: ['s3:GetObject', 'iam:*'] } } }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/iam:\*/);
  });

  test('a condition every allowed value decides alike stays decided', async () => {
    const file = writeInput(dir, 'param-decided.json', template({
      R: roleWith([{ Effect: 'Allow', Action: { 'Fn::If': ['IsProd', 'iam:*', 'logs:GetLogEvents'] }, Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:/app:*' }]),
    }, { Parameters: { Env: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'test'] } }, Conditions: isProd }));
    const r = await runCli(['check', file, '--format', 'json']);
    expectContract(r);
    expect(r.stdout).not.toMatch(/iam:\*/);
  });
});
