import { Rule } from '../rule';

/** The AWS rules (AWS-001 … AWS-013), in id order. */
export const AWS_RULES: Rule[] = [];
