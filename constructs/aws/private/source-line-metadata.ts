import { IConstruct } from 'constructs';
import { callerSourceLine, SOURCE_LINE_METADATA_KEY } from '../../../lib/report/source-line';

/**
 * Records on `construct` the line of the user's code that created it (the first frame outside
 * this package and node_modules), as construct metadata CDK writes to the cloud assembly. The
 * CLI reads it to point SARIF and text findings at that line rather than at the template.
 */
export function recordSourceLine(construct: IConstruct): void {
  const location = callerSourceLine();
  if (location) construct.node.addMetadata(SOURCE_LINE_METADATA_KEY, location);
}
