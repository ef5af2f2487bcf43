import { XMLValidator } from 'fast-xml-parser';
import { PermissionMap } from '../../../lib/report/permission-map';
import { renderPermissionMapDot } from '../../../lib/report/permission-map-dot';
import { renderPermissionMapSvg } from '../../../lib/report/permission-map-svg';

const MAP: PermissionMap = {
  agents: [{
    name: 'deploy-operator', cloud: 'aws', tier: 'operator', environments: ['prod'], brokers: ['broker-role'], killSwitch: ['revocation-role'], approvalGate: true,
    tools: [
      {
        name: 'restart-service', cloud: 'aws', identity: 'RestartRole', accessLevel: 'destructive', requiresApproval: true, window: 'Mon-Fri 09:00-17:00 Europe/Dublin',
        grants: [{ access: 'destructive', actions: ['ecs:UpdateService'], resources: ['arn:aws:ecs:eu-west-1:111111111111:service/prod/checkout'], findings: ['AWS-008[ecs:UpdateService]'] }],
        findings: [],
      },
      {
        name: 'read-service', cloud: 'aws', identity: 'ReadRole', accessLevel: 'read', requiresApproval: false,
        grants: [{ access: 'read', actions: ['ecs:DescribeServices'], resources: ['*'], findings: [] }],
        findings: ['AWS-013'],
      },
    ],
  }],
};

/** The text of the SVG's `<text>` elements, entities decoded (Graphviz writes `-` as `&#45;`). */
function texts(svg: string): string[] {
  return svg.split('<text ').slice(1).map((t) => t.slice(t.indexOf('>') + 1, t.indexOf('</text>'))
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

/** The `<g class="edge">` groups of an SVG, each as its text. */
function edges(svg: string): string[] {
  return svg.split('<g id="edge').slice(1).map((g) => g.slice(0, g.indexOf('</g>')));
}

describe('agent-guardrails map --format svg', () => {
  test('well-formed SVG holding every agent, tool, identity, broker, kill switch and gate', async () => {
    const svg = await renderPermissionMapSvg(MAP);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toMatch(/<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(texts(svg)).toEqual(expect.arrayContaining([
      'agent deploy-operator · operator · prod · aws', 'restart-service (destructive)', 'RestartRole', 'read-service (read)', 'ReadRole', 'broker-role', 'revocation-role',
      'approval gate', 'window Mon-Fri 09:00-17:00 Europe/Dublin', 'approval required', '⚠ AWS-013', 'arn:aws:ecs:eu-west-1:111111111111:service/prod/checkout',
    ]));
  });

  test('one edge per grant, mint, cut and approval; the edge a finding concerns is red and names it', async () => {
    const svg = await renderPermissionMapSvg(MAP);
    const all = edges(svg);
    expect(all).toHaveLength(2 /* mints */ + 2 /* cuts */ + 1 /* approves */ + 2 /* grants */);
    const flagged = all.filter((e) => e.includes('stroke="#cc0000"'));
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toContain('destructive: ecs:UpdateService');
    expect(texts(flagged[0])).toEqual(['destructive: ecs:UpdateService', '⚠ AWS-008[ecs:UpdateService]']);
    expect(all.find((e) => e.includes('read: ecs:DescribeServices'))).not.toContain('#cc0000');
    // A finding on the identity that names no drawn action marks the tool's box.
    expect(svg).toMatch(/<title>a0_t1<\/title>\n<polygon fill="none" stroke="#cc0000"/);
  });

  test('deterministic: the same map gives the same bytes', async () => {
    expect(await renderPermissionMapSvg(MAP)).toBe(await renderPermissionMapSvg(MAP));
  });

  test('hostile names cannot break out of a DOT label or inject markup', async () => {
    const hostile: PermissionMap = { agents: [{ ...MAP.agents[0], name: 'x"]; evil [label="pwned', tools: [{ ...MAP.agents[0].tools[1], identity: '<script>alert(1)</script>\\N\\G' }] }] };
    const dot = renderPermissionMapDot(hostile);
    expect(dot).toContain('label="agent x\\"]; evil [label=\\"pwned');
    expect(dot).not.toMatch(/^\s*evil\b/m);
    const svg = await renderPermissionMapSvg(hostile);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script>');
    expect(texts(svg)).toContain('<script>alert(1)</script>\\N\\G');
  });
});

describe('without the optional peer @viz-js/viz', () => {
  afterEach(() => jest.resetModules());

  test('one line naming the package and the install command', async () => {
    jest.resetModules();
    jest.doMock('@viz-js/viz', () => {
      throw Object.assign(new Error("Cannot find module '@viz-js/viz' from 'lib/report/permission-map-svg.ts'"), { code: 'MODULE_NOT_FOUND' });
    });
    const { renderPermissionMapSvg: render } = await import('../../../lib/report/permission-map-svg');
    const error = await render(MAP).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/^\[AG_OPTIONAL_PEER_MISSING\] --format svg needs the optional peer @viz-js\/viz; .*npm install --save-dev @viz-js\/viz@\^3/);
    expect(error?.message).not.toContain('\n');
  });
});
