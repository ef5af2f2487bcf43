import { Rule } from '../rule';

/** The Azure rules (AZ-001 … AZ-006), in id order. */
export const AZURE_RULES: Rule[] = [];
