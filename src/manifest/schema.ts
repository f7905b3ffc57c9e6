// JSON Schema validation of the parsed manifest with ajv, and the translation of ajv's
// errors into diagnostics that point at the offending key or value.
import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { ajv2020 } from "./libs.js";
import type { Diagnostic } from "../types.js";
import { closest } from "../util/suggest.js";
import { type DataPath, describePath, type Locator } from "./locate.js";

/** Absolute URL of `schema/manifest.schema.json` (shipped with the package). */
export const manifestSchemaUrl: URL = new URL("../../schema/manifest.schema.json", import.meta.url);

let validator: ValidateFunction | undefined;

/** The manifest JSON Schema, as an object. */
export function manifestSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(manifestSchemaUrl, "utf8")) as Record<string, unknown>;
}

function getValidator(): ValidateFunction {
  if (!validator) {
    const Ajv = ajv2020();
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, allowUnionTypes: true });
    validator = ajv.compile(manifestSchema());
  }
  return validator;
}

/** Validates `data` against the schema; returns one diagnostic per distinct problem. */
export function validateSchema(data: unknown, locator: Locator): Diagnostic[] {
  return checkSchema(data, locator).diagnostics;
}

/**
 * Validates `data`: one diagnostic per distinct problem, and the paths of the values the
 * schema rejects (an unknown key, a value of the wrong type, ...), which the later checks
 * must skip: their problems would only follow from these.
 */
export function checkSchema(data: unknown, locator: Locator): { diagnostics: Diagnostic[]; invalid: DataPath[] } {
  const validate = getValidator();
  if (validate(data)) return { diagnostics: [], invalid: [] };
  const out: Diagnostic[] = [];
  const invalid: DataPath[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const bad = invalidPath(error);
    if (bad) invalid.push(bad);
    const d = toDiagnostic(error, locator);
    if (!d) continue;
    const id = `${d.location?.line}:${d.location?.column}:${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  return { diagnostics: out, invalid };
}

/** The value an error rejects, if it names one (a missing key or a bad name rejects none). */
function invalidPath(error: ErrorObject): DataPath | undefined {
  const path = parsePointer(error.instancePath);
  if (error.propertyName !== undefined) return undefined;
  switch (error.keyword) {
    case "required":
    case "propertyNames":
    case "if":
      return undefined;
    case "additionalProperties":
      return [...path, String((error.params as Record<string, unknown>).additionalProperty)];
    default:
      return path;
  }
}

/**
 * A copy of `data` without the values at `invalid`: removed from mappings, left as holes
 * (undefined) in lists so that indices (and so locations) stay right. Undefined when the
 * whole document is invalid.
 */
export function withoutInvalid(data: unknown, invalid: readonly DataPath[]): unknown {
  const copy = structuredClone(data) as unknown;
  for (const p of invalid) {
    if (p.length === 0) return undefined;
    let node: unknown = copy;
    for (const seg of p.slice(0, -1)) node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[seg] : undefined;
    const last = p[p.length - 1]!;
    if (Array.isArray(node) && typeof last === "number") node[last] = undefined;
    else if (node !== null && typeof node === "object") delete (node as Record<string | number, unknown>)[last];
  }
  return copy;
}

function parsePointer(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

const typeNames: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "a boolean (true/false)",
  null: "null",
};

/** What the thing at `path` is, for messages: "library 'math'", "libraries.math.cflags". */
function subject(path: DataPath): string {
  if (path.length === 2 && path[0] === "libraries") return `library '${String(path[1])}'`;
  if (path.length === 2 && path[0] === "profiles") return `profile '${String(path[1])}'`;
  if (path.length === 0) return "the manifest";
  return describePath(path);
}

function toDiagnostic(error: ErrorObject, locator: Locator): Diagnostic | undefined {
  const path = parsePointer(error.instancePath);
  const p = error.params as Record<string, unknown>;
  const where = describePath(path);
  const diag = (message: string, at: DataPath, which: "key" | "value" = "value"): Diagnostic => ({
    severity: "error",
    message,
    location: locator.at(at, which),
  });

  // Errors inside `propertyNames` name the offending key.
  if (error.propertyName !== undefined) {
    const name = error.propertyName;
    const kind = path.length === 1 && path[0] === "libraries" ? "library name" : path.length === 1 && path[0] === "profiles" ? "profile name" : "name";
    const rule =
      kind === "name"
        ? "use a C identifier"
        : "use letters, digits, '_' and '-', starting with a letter or '_' (no dots)";
    return diag(`invalid ${kind} '${name}' in ${where}: ${rule}`, [...path, name], "key");
  }

  switch (error.keyword) {
    case "propertyNames": // the inner error (with propertyName) says more
    case "if":
      return undefined; // "must match then schema": the inner error is reported
    case "additionalProperties": {
      const key = String(p.additionalProperty);
      const props = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const guess = closest(key, props);
      const hint = guess ? ` (did you mean '${guess}'?)` : props.length ? `; allowed: ${props.join(", ")}` : "";
      return diag(`unknown key '${key}' in ${subject(path)}${hint}`, [...path, key], "key");
    }
    case "required": {
      const key = String(p.missingProperty);
      return diag(`${subject(path)} is missing required key '${key}'`, path, path.length ? "key" : "value");
    }
    case "type": {
      const types = String(p.type).split(",").map((t) => typeNames[t] ?? t);
      return diag(`${where} must be ${types.join(" or ")}, got ${typeOf(error.data)}`, path);
    }
    case "const":
      return diag(`${where} must be ${JSON.stringify(p.allowedValue)}, got ${typeOf(error.data)}`, path);
    case "enum": {
      const allowed = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ");
      return diag(`${where} must be one of ${allowed}, got ${typeOf(error.data)}`, path);
    }
    case "minProperties":
      return diag(`${where} must not be empty`, path, "key");
    case "minLength":
      return diag(`${where} must not be empty`, path);
    case "pattern": {
      const what = typeof error.data === "string" ? `'${error.data}'` : where;
      const rule = String(p.pattern).includes("-]") ? "letters, digits, '_' and '-', starting with a letter or '_'" : "a C identifier";
      return diag(`${where}: ${what} is not a valid name (use ${rule})`, path);
    }
    default:
      return diag(`${where} ${error.message ?? "is invalid"}`, path);
  }
}
