// Checks a value against the JSON Schemas generated from the contract (shared/json-schema.ts). The
// page uses it instead of the Zod runtime, which would not fit the 80 KB budget beside React; unit
// tests hold its verdicts equal to the contract's own parsers, and fail when a schema starts using
// a keyword that is not handled here.

import { isInstant, isUtcDate } from '../../shared/archive-files.ts';

export interface JsonSchema {
  type?: string | readonly string[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  /** a schema for every key not in properties (a record), or false for none; absent: tolerated */
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema | false;
  /** a tuple: one schema per position (items then covers the rest, or is false for none) */
  prefixItems?: readonly JsonSchema[];
  anyOf?: readonly JsonSchema[];
  /** exactly one matches (a discriminated union: the discriminator makes at most one match) */
  oneOf?: readonly JsonSchema[];
  enum?: readonly unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
}

/** Keywords that decide validity and are handled; the rest only annotate. */
export const checkedKeywords = [
  'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'prefixItems', 'anyOf', 'oneOf', 'enum', 'const',
  'pattern', 'format', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum',
] as const;
/** Annotations. Objects without additionalProperties tolerate extra fields, like the Zod parser. */
export const ignoredKeywords = ['$schema', '$id', 'title', 'description'] as const;

export interface SchemaIssue {
  path: (string | number)[];
  code: string;
}

const patterns = new Map<string, RegExp>();

/** The formats the checker knows by itself (what Zod's patterns for them say): instants, and days that exist. */
const formats: Record<string, (value: string) => boolean> = { 'date-time': isInstant, date: isUtcDate };

const safeMax = Number.MAX_SAFE_INTEGER;

/**
 * What the page ships (site/pages/index.astro): the schema without what the checker knows anyway, the long
 * pattern of every date-time and date and the safe-integer bounds of every integer. Unit tests hold both
 * forms' verdicts equal.
 */
export function compactSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compactSchema);
  if (typeof node !== 'object' || node === null) return node;
  const schema = node as JsonSchema & Record<string, unknown>;
  const entries = Object.entries(schema).filter(
      ([key, value]) =>
        !(key === 'pattern' && schema.format !== undefined && Object.hasOwn(formats, schema.format)) &&
        !(schema.type === 'integer' && ((key === 'maximum' && value === safeMax) || (key === 'minimum' && value === -safeMax))),
    );
  return Object.fromEntries(
    entries.map(([key, value]) => [
      key,
      key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([name, child]) => [name, compactSchema(child)])) : compactSchema(value),
    ]),
  );
}

function hasType(type: string, value: unknown): boolean {
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  // Zod's z.int(): a safe integer (the generated schema also says so with its bounds).
  if (type === 'integer') return Number.isSafeInteger(value);
  return typeof value === type;
}

/** An issue found below `path` at `step`: the path is built only for an issue, never for every value checked. */
const within = (path: (string | number)[], step: string | number, found: SchemaIssue): SchemaIssue => ({ ...found, path: [...path, step, ...found.path] });

/** The first way `value` breaks `schema`, or null when it conforms. */
export function findSchemaIssue(schema: JsonSchema, value: unknown, path: (string | number)[] = []): SchemaIssue | null {
  const issue = (code: string): SchemaIssue => ({ path, code });
  if (schema.anyOf) {
    return schema.anyOf.some((option) => !findSchemaIssue(option, value, path)) ? null : issue('invalid_union');
  }
  if (schema.oneOf) {
    return schema.oneOf.filter((option) => !findSchemaIssue(option, value, path)).length === 1 ? null : issue('invalid_union');
  }
  const { type } = schema;
  if (type !== undefined && !(typeof type === 'string' ? hasType(type, value) : type.some((one) => hasType(one, value)))) return issue('invalid_type');
  if ('const' in schema && value !== schema.const) return issue('invalid_value');
  if (schema.enum && !schema.enum.includes(value)) return issue('invalid_value');
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return issue('too_big');
    if (schema.pattern !== undefined) {
      let regex = patterns.get(schema.pattern);
      if (!regex) patterns.set(schema.pattern, (regex = new RegExp(schema.pattern)));
      if (!regex.test(value)) return issue('invalid_format');
    }
    if (schema.format !== undefined && Object.hasOwn(formats, schema.format) && !formats[schema.format]!(value)) return issue('invalid_format');
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return issue('too_small');
    if (schema.maximum !== undefined && value > schema.maximum) return issue('too_big');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return issue('too_small');
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return issue('too_big');
    const first = schema.prefixItems ?? [];
    for (let index = 0; index < value.length; index++) {
      const rule = index < first.length ? first[index] : schema.items;
      if (rule === false) return issue('too_big');
      const found = rule ? findSchemaIssue(rule, value[index]) : null;
      if (found) return within(path, index, found);
    }
  }
  if (hasType('object', value)) {
    const record = value as Record<string, unknown>;
    const properties = schema.properties ?? {};
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(record, key)) return { path: [...path, key], code: 'invalid_type' };
    }
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      if (schema.propertyNames) {
        const found = findSchemaIssue(schema.propertyNames, key);
        if (found) return { ...within(path, key, found), code: 'invalid_key' };
      }
      const rule = Object.hasOwn(properties, key) ? properties[key] : schema.additionalProperties;
      if (rule === false) return { path: [...path, key], code: 'unrecognized_keys' };
      if (typeof rule === 'object') {
        const found = findSchemaIssue(rule, record[key]);
        if (found) return within(path, key, found);
      }
    }
  }
  return null;
}
