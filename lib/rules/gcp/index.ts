import { Rule } from '../rule';

/** The GCP rules (GCP-001 … GCP-011), in id order. */
export const GCP_RULES: Rule[] = [];
