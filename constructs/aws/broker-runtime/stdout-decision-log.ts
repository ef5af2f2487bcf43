/**
 * One JSON line per decision on stdout: Lambda ships stdout to the function's CloudWatch log group
 * as is, where Logs Insights can query the fields. The class is the cloud-neutral one.
 */
export { StdoutDecisionLog } from '../../../lib/broker/stdout-decision-log';
