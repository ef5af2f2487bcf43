import { Command, Option } from 'commander';
import { inventoryFromPaths } from '../adapters';
import { Baseline } from '../baseline/baseline';
import { buildPermissionMap } from '../report/permission-map';
import { renderPermissionMapMermaid } from '../report/permission-map-mermaid';
import { renderPermissionMapSvg } from '../report/permission-map-svg';
import { checkPaths } from './check';
import type { CliIo } from './main';
import { writeOutputFile } from './output-file';

/**
 * `agent-guardrails map PATH... [--format mermaid|svg|json] [--output FILE]`: for each agent, its
 * tools, their identities and what they hold (read / write / destructive, with resources), the
 * broker, kill switch, approval gate and windows, with findings marked where they apply. Reads
 * what `check` reads (cdk.out, cdktf.out, templates, cdk.tf.json). SVG loads its renderer (an
 * optional peer) only when asked for.
 */
export function registerMapCommand(program: Command, io: CliIo): void {
  program.command('map')
    .description('Draw each agent\'s tools, identities, grants and guardrails (Mermaid, which GitHub renders, an SVG picture, or JSON), findings marked.')
    .argument('<paths...>', 'cdk.out or cdktf.out folders, CloudFormation templates or cdk.tf.json files')
    .addOption(new Option('--format <format>', 'map format').choices(['mermaid', 'svg', 'json']).default('mermaid'))
    .option('--baseline <file>', 'guardrail baseline JSON for the findings (default: the package\'s default baseline)')
    .option('--output <file>', 'write the map to a file')
    .exitOverride()
    .action(async (paths: string[], flags: { format: 'mermaid' | 'svg' | 'json'; baseline?: string; output?: string }) => {
      const baseline = flags.baseline ? Baseline.fromFile(flags.baseline) : Baseline.default();
      const report = checkPaths(paths, { baseline });
      const map = buildPermissionMap(inventoryFromPaths([...paths]), report.findings);
      const rendered = flags.format === 'json' ? `${JSON.stringify(map, null, 2)}\n`
        : flags.format === 'svg' ? await renderPermissionMapSvg(map) : renderPermissionMapMermaid(map);
      if (flags.output) writeOutputFile(flags.output, rendered);
      else io.stdout.write(rendered);
    });
}
