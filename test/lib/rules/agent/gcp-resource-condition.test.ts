import { AIBOM_DRIFT } from '../../../../lib/rules/agent/aibom-drift';
import { resourceNameRestriction } from '../../../../lib/rules/agent/private/gcp-resource-condition';
import { TIER_CONTRACT } from '../../../../lib/rules/agent/tier-contract';
import { check, ids, InventoryBuilder } from './inventory-builder';

const WINDOW = 'request.time.getHours("Europe/Berlin") >= 9 && request.time < timestamp("2027-12-31T00:00:00Z")';

describe('GCP resource.name conditions narrow a project-level grant', () => {
  test.each([
    ['resource.name == "projects/p/topics/t"', ['projects/p/topics/t']],
    ['resource.name.startsWith("projects/_/buckets/b/objects/")', ['projects/_/buckets/b/objects/*']],
    [`(resource.name == "projects/p/topics/t" || resource.name.startsWith("projects/p/topics/t/")) && (${WINDOW})`, ['projects/p/topics/t', 'projects/p/topics/t/*']],
    [`${WINDOW} && resource.name == "projects/p/topics/t"`, ['projects/p/topics/t']],
    ['resource.type == "pubsub.googleapis.com/Topic" && resource.name == "projects/p/topics/t"', ['projects/p/topics/t']],
  ])('%s reaches %j', (expr, expected) => {
    expect(resourceNameRestriction(expr)).toEqual(expected);
  });

  test.each([
    ['resource.name != "projects/p/topics/t"'],
    ['!(resource.name == "projects/p/topics/t")'],
    [`resource.name == "projects/p/topics/t" || ${WINDOW}`], // a disjunct without a restriction reaches everything
    [WINDOW],
    ['resource.name.endsWith("/t")'],
    ['resource.name == "projects/p/topics/t" || (resource.name == "x"'],
  ])('%s does not narrow', (expr) => {
    expect(resourceNameRestriction(expr)).toBeUndefined();
  });

  test('AGENT-001 and AGENT-003 accept a project grant pinned to the declared resource, and reject a prefix that reaches siblings', () => {
    const b = new InventoryBuilder();
    const sa = b.tool({ cloud: 'gcp', name: 'publish', declaration: { accessLevel: 'write', actions: ['pubsub.topics.publish'], resources: ['projects/p/topics/t'] } });
    b.grant(sa, ['pubsub.topics.publish'], ['projects/p'], { scopeLevel: 'project', condition: `resource.name == "projects/p/topics/t" && ${WINDOW}` });
    expect(check(AIBOM_DRIFT, b.inventory)).toEqual([]);
    expect(check(TIER_CONTRACT, b.inventory)).toEqual([]);
    b.grant(sa, ['pubsub.topics.publish'], ['projects/p'], { scopeLevel: 'project', condition: 'resource.name.startsWith("projects/p/topics/t")' });
    expect(ids(check(AIBOM_DRIFT, b.inventory))).toEqual(['AGENT-001[resource:t*]']);
    expect(ids(check(TIER_CONTRACT, b.inventory))).toEqual(['AGENT-003[operator-undeclared:pubsub.topics.publish]']);
  });

  test('a prefix below the declared resource is within it', () => {
    const b = new InventoryBuilder();
    const sa = b.tool({ cloud: 'gcp', name: 'read', declaration: { accessLevel: 'read', actions: ['storage.objects.get'], resources: ['projects/_/buckets/b'] } });
    b.grant(sa, ['storage.objects.get'], ['projects/p'], { scopeLevel: 'project', condition: 'resource.name.startsWith("projects/_/buckets/b/objects/logs/")' });
    expect(check(AIBOM_DRIFT, b.inventory)).toEqual([]);
  });
});
