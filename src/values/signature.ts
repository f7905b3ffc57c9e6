// Kernel signatures from TVM-FFI export metadata (apache/tvm-ffi's format): an export built
// with TVM_FFI_DLL_EXPORT_INCLUDE_METADATA=1 also defines `__tvm_ffi__metadata_<name>`,
// returning `{"type_schema": "<JSON>"}` whose schema is
// `{"type":"ffi.Function","args":[RESULT, PARAM0, ...]}`, and maybe `__tvm_ffi__doc_<name>`.
// Parsing never throws at the caller: bad metadata yields `signatureError` and an untyped
// function. The same schema renders TypeScript types (wider for parameters than for results).
import { deepConverter, isIntResult, needsDeep } from "./checked-args.js";
import { values } from "./native.js";

/** One type of a schema: a leaf (`int`, `ffi.String`, a type key) or a parameterised type. */
export interface TypeSchema {
  readonly type: string;
  readonly args?: readonly TypeSchema[];
}

/** A function's declared parameters and result. */
export interface FunctionSignature {
  readonly params: readonly TypeSchema[];
  readonly result: TypeSchema;
  /** e.g. "(int, float) -> ffi.Array<int>". */
  toString(): string;
}

/** Metadata larger than this is refused (a real schema is a few hundred bytes). */
export const MAX_METADATA_BYTES = 64 * 1024;
const MAX_DEPTH = 32;
const MAX_PARAMS = 256;

const LEAVES = new Set([
  "int", "float", "bool", "None", "Any", "void*", "Device", "DataType", "DLTensor*",
  "ffi.String", "ffi.Bytes", "ffi.Tensor", "ffi.Shape", "ffi.Object", "ffi.Function", "ffi.Module",
  "ffi.Array", "ffi.List", "ffi.Map", "ffi.Dict",
  // names the bundled headers used before (same meaning)
  "str", "bytes", "Tensor", "Shape",
]);
const PARAMETERISED = new Set(["Optional", "Variant", "ffi.Array", "ffi.List", "ffi.Map", "ffi.Dict", "ffi.Function", "tuple"]);
/** An object type key: dotted identifiers (e.g. "my_ext.IntPair"). */
const TYPE_KEY = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** Thrown (and caught) while parsing metadata; its message becomes fn.signatureError. */
export class SignatureError extends Error {
  override name = "SignatureError";
}

function parseType(v: unknown, where: string, depth: number): TypeSchema {
  if (depth > MAX_DEPTH) throw new SignatureError(`${where}: types nested deeper than ${MAX_DEPTH} levels`);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new SignatureError(`${where}: expected {"type": ...}, got ${JSON.stringify(v)?.slice(0, 60)}`);
  const o = v as { type?: unknown; args?: unknown };
  if (typeof o.type !== "string") throw new SignatureError(`${where}: "type" must be a string`);
  const type = o.type;
  if (o.args === undefined) {
    if (!LEAVES.has(type) && !TYPE_KEY.test(type)) throw new SignatureError(`${where}: unknown type '${type.slice(0, 60)}'`);
    return { type };
  }
  if (!Array.isArray(o.args)) throw new SignatureError(`${where}: "args" must be an array`);
  if (!PARAMETERISED.has(type)) throw new SignatureError(`${where}: type '${type.slice(0, 60)}' takes no arguments`);
  if (o.args.length > MAX_PARAMS) throw new SignatureError(`${where}: more than ${MAX_PARAMS} type arguments`);
  const args = o.args.map((a, i) => parseType(a, `${where}.args[${i}]`, depth + 1));
  if (type === "Optional" && args.length !== 1) throw new SignatureError(`${where}: Optional takes one type`);
  if ((type === "ffi.Map" || type === "ffi.Dict") && args.length !== 2) throw new SignatureError(`${where}: ${type} takes two types`);
  if ((type === "ffi.Array" || type === "ffi.List") && args.length !== 1) throw new SignatureError(`${where}: ${type} takes one type`);
  if (type === "ffi.Function" && args.length < 1) throw new SignatureError(`${where}: ffi.Function needs a result type`);
  return { type, args };
}

/** Text of a type: `int`, `ffi.Array<int>`, `Optional<ffi.String>`. */
export function typeText(t: TypeSchema): string {
  return t.args ? `${t.type}<${t.args.map(typeText).join(", ")}>` : t.type;
}

/**
 * Parses what `__tvm_ffi__metadata_<name>` returned. Throws SignatureError (with the reason)
 * for anything but a well-formed function schema.
 */
export function parseSignature(metadata: unknown): FunctionSignature {
  if (typeof metadata !== "string") throw new SignatureError(`the metadata function returned ${metadata === null ? "null" : typeof metadata}, not a string`);
  if (metadata.length > MAX_METADATA_BYTES) throw new SignatureError(`the metadata is ${metadata.length} characters long (more than ${MAX_METADATA_BYTES})`);
  let outer: unknown;
  try {
    outer = JSON.parse(metadata);
  } catch (e) {
    throw new SignatureError(`the metadata is not JSON (${(e as Error).message})`);
  }
  const schemaText = (outer as { type_schema?: unknown } | null)?.type_schema;
  if (typeof schemaText !== "string") throw new SignatureError(`the metadata has no "type_schema" string`);
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (e) {
    throw new SignatureError(`"type_schema" is not JSON (${(e as Error).message})`);
  }
  const fn = parseType(schema, "type_schema", 0);
  if (fn.type !== "ffi.Function" || !fn.args || fn.args.length < 1) throw new SignatureError(`"type_schema" is not an ffi.Function with a result type`);
  const [result, ...params] = fn.args as [TypeSchema, ...TypeSchema[]];
  return makeSignature(params, result);
}

function makeSignature(params: readonly TypeSchema[], result: TypeSchema): FunctionSignature {
  return {
    params,
    result,
    toString: () => `(${params.map(typeText).join(", ")}) -> ${typeText(result)}`,
  };
}

// ---------------------------------------------------------------- checked calls
// Parameter kinds the native call path checks itself (native/src/binding/function.cc).
// KIND_DEEP: arrays and maps of declared element types, converted by checked-args.ts.
// KIND_FLOAT_ARRAY: ffi.Array<float>, whose plain-number arrays the native side converts
// itself (integral elements too); other values go the KIND_DEEP way.
const KIND_ANY = 0, KIND_INT = 1, KIND_FLOAT = 2, KIND_BOOL = 3, KIND_STR = 4, KIND_DEEP = 5, KIND_FLOAT_ARRAY = 6, KIND_OPTIONAL = 0x100;

const isFloatArray = (t: TypeSchema): boolean => t.type === "ffi.Array" && t.args?.[0]?.type === "float";

function kindOf(t: TypeSchema): number {
  if (isFloatArray(t)) return KIND_FLOAT_ARRAY;
  if (t.type === "Optional" && t.args?.[0] && isFloatArray(t.args[0])) return KIND_FLOAT_ARRAY | KIND_OPTIONAL;
  if (needsDeep(t)) return KIND_DEEP;
  if (t.type === "Optional" && t.args?.[0]) {
    const inner = kindOf(t.args[0]);
    return inner === KIND_ANY ? KIND_ANY : inner | KIND_OPTIONAL;
  }
  switch (t.type) {
    case "int": return KIND_INT;
    case "float": return KIND_FLOAT;
    case "bool": return KIND_BOOL;
    case "ffi.String": case "str": return KIND_STR;
    default: return KIND_ANY;
  }
}

/** The converter the native kinds hand values to (kinds DEEP and FLOAT_ARRAY), if any of them needs one. */
function deepFor(name: string, sig: FunctionSignature, kinds: readonly number[]): ((value: unknown, index: number) => unknown) | undefined {
  return kinds.some((k) => (k & 0xff) === KIND_DEEP || (k & 0xff) === KIND_FLOAT_ARRAY) ? deepConverter(name, sig) : undefined;
}

/** Native kinds and the declared type texts of the parameters. */
export function nativeParamKinds(sig: FunctionSignature): { kinds: number[]; types: string[] } {
  return { kinds: sig.params.map(kindOf), types: sig.params.map(typeText) };
}

// ---------------------------------------------------------------- TypeScript types
const OBJECT = "FFIObject";

/** The TypeScript type a parameter of this type accepts. */
export function tsParamType(t: TypeSchema): string {
  const a = t.args ?? [];
  switch (t.type) {
    case "int": return "number | bigint";
    case "float": return "number | FFIFloat";
    case "bool": return "boolean";
    case "None": return "null | undefined";
    case "Any": return "FFIValue";
    case "ffi.String": case "str": return "string";
    case "ffi.Bytes": case "bytes": return "Uint8Array";
    case "ffi.Tensor": case "Tensor": return "Tensor";
    case "DLTensor*": return "Tensor | TypedArray";
    case "ffi.Shape": case "Shape": return "readonly number[]";
    case "Device": return "Device";
    case "DataType": return "DataType";
    case "void*": return "bigint | null";
    case "ffi.Object": return OBJECT;
    case "ffi.Module": return OBJECT;
    case "Optional": return `${tsParamType(a[0]!)} | null | undefined`;
    case "Variant": return a.length ? a.map(tsParamType).map((s) => `(${s})`).join(" | ") : "FFIValue";
    case "ffi.Array": case "ffi.List": return a[0] ? `readonly (${tsParamType(a[0])})[]` : "readonly FFIValue[]";
    case "tuple": return `readonly [${a.map(tsParamType).join(", ")}]`;
    case "ffi.Map": case "ffi.Dict":
      return a.length === 2
        ? `ReadonlyMap<${tsParamType(a[0]!)}, ${tsParamType(a[1]!)}>${a[0]!.type === "ffi.String" || a[0]!.type === "str" ? ` | { readonly [key: string]: ${tsParamType(a[1]!)} }` : ""}`
        : "ReadonlyMap<FFIValue, FFIValue>";
    case "ffi.Function":
      if (!a.length) return "FFICallback";
      // A callback JS passes: its parameters are what C++ sends (int ones checked, as results:
      // checked-args.ts), it returns a param type.
      return `(${a.slice(1).map((p, i) => `arg${i}: ${isIntResult(p) ? tsResultType(p) : tsValueType(p)}`).join(", ")}) => ${tsParamType(a[0]!)}`;
    default: return OBJECT; // an object type key
  }
}

/**
 * The TypeScript type of a function's result of this type. An `int` (or `Optional<int>`)
 * result is `number`: the call raises a RangeError instead of returning a value beyond 2^53
 * (docs/types.md#int-results), as do calls of a returned `ffi.Function<int, ...>`. Ints
 * anywhere else (inside containers, callback arguments) are not checked: `number | bigint`.
 */
export function tsResultType(t: TypeSchema): string {
  if (t.type === "int") return "number";
  if (t.type === "Optional" && t.args?.[0]) {
    const inner = t.args[0];
    if (inner.type === "int" || inner.type === "ffi.Function") return `${tsResultType(inner)} | null`;
  }
  // A returned function gets its declared signature: its own result is checked the same way.
  if (t.type === "ffi.Function" && t.args?.length) {
    return `((${t.args.slice(1).map((p, i) => `arg${i}: ${tsParamType(p)}`).join(", ")}) => ${tsResultType(t.args[0]!)}) & FFIFunctionInfo`;
  }
  return tsValueType(t);
}

/** The TypeScript type of a value C++ sends of this type (nested in a result, a callback argument). */
function tsValueType(t: TypeSchema): string {
  const a = t.args ?? [];
  switch (t.type) {
    case "int": return "number | bigint";
    case "float": return "number";
    case "bool": return "boolean";
    case "None": return "null";
    case "Any": return "FFIResult";
    case "ffi.String": case "str": return "string";
    case "ffi.Bytes": case "bytes": return "Uint8Array";
    case "ffi.Tensor": case "Tensor": case "DLTensor*": return "Tensor";
    case "ffi.Shape": case "Shape": return "readonly number[]";
    case "Device": return "Device";
    case "DataType": return "DataType";
    case "void*": return "bigint | null";
    case "ffi.Object": case "ffi.Module": return OBJECT;
    case "Optional": return `${tsValueType(a[0]!)} | null`;
    case "Variant": return a.length ? a.map(tsValueType).map((s) => `(${s})`).join(" | ") : "FFIResult";
    case "ffi.Array": case "ffi.List": return a[0] ? `readonly (${tsValueType(a[0])})[]` : "readonly FFIResult[]";
    case "tuple": return `readonly [${a.map(tsValueType).join(", ")}]`;
    case "ffi.Map": case "ffi.Dict": return a.length === 2 ? `FFIMap<${tsValueType(a[0]!)}, ${tsValueType(a[1]!)}>` : "FFIMap<FFIResult, FFIResult>";
    case "ffi.Function":
      if (!a.length) return "FFIFunction";
      return `((${a.slice(1).map((p, i) => `arg${i}: ${tsParamType(p)}`).join(", ")}) => ${tsValueType(a[0]!)}) & FFIFunctionInfo`;
    default: return OBJECT;
  }
}

// ---------------------------------------------------------------- attaching to functions

type ResultConverter = (value: unknown) => unknown;

/**
 * What async calls (async.ts) do in JS that sync calls do natively: the result checks (an
 * entry also marks a function value whose signature is set).
 */
export const asyncChecks = new WeakMap<object, { result?: ResultConverter }>();

/** The RangeError of an `int` result beyond 2^53: `value` holds the exact result. */
export function intResultError(name: string, value: bigint): RangeError {
  const e = new RangeError(`'${name}' returned ${value}, outside ±Number.MAX_SAFE_INTEGER (2^53 - 1): its C++ signature declares an int result, typed number, and a number cannot hold it exactly; the exact value is this error's 'value' (a bigint); call '${name}.exact(...)' to get int results beyond 2^53 as bigint`);
  Object.defineProperty(e, "value", { value, enumerable: true, configurable: true, writable: true });
  return e;
}

/**
 * The converter of a declared result, for the results the native call path does not finish
 * itself (bigints, objects, functions...), or undefined when the type needs none: an `int`
 * result outside ±(2^53 - 1) is a RangeError (docs/types.md#int-results); a returned
 * `ffi.Function<R, A...>` gets that signature (its calls are checked too).
 */
function resultConverter(name: string, t: TypeSchema): ResultConverter | undefined {
  if (isIntResult(t)) {
    return (v) => {
      if (typeof v === "bigint") throw intResultError(name, v);
      return v;
    };
  }
  const f = t.type === "Optional" ? t.args![0]! : t;
  if (f.type === "ffi.Function" && f.args?.length) {
    const sig = makeSignature(f.args.slice(1), f.args[0]!);
    const inner = `result of ${name}`;
    return (v) => {
      if (typeof v === "function") typeFunctionValue(v, inner, sig);
      return v;
    };
  }
  return undefined;
}

function define(fn: object, key: string, value: unknown): void {
  Object.defineProperty(fn, key, { value, enumerable: false, configurable: false, writable: false });
}

/**
 * Gives a function value (an ffi.Function box: .so export, module-tree function, typed
 * function result) the signature `sig`: its calls are checked and converted natively, as
 * getFunction exports' are (native/src/binding/typed_args.h), its result checked. A JS
 * function C++ handed back (not a box) is left alone.
 */
function typeFunctionValue(fn: object, name: string, sig: FunctionSignature, exact = false): boolean {
  if (asyncChecks.has(fn)) return false; // the same function value again
  const { kinds, types } = nativeParamKinds(sig);
  const deep = deepFor(name, sig, kinds);
  const result = exact ? undefined : resultConverter(name, sig.result);
  try {
    values().setValueSignature(fn, name, kinds, types, deep, result);
  } catch {
    return false;
  }
  asyncChecks.set(fn, { result });
  define(fn, "signature", sig);
  return true;
}

/** fn.exact's result: an int as a bigint, whatever its size (null stays null: Optional<int>). */
const exactResult = (v: unknown): unknown => (typeof v === "number" ? BigInt(v) : v);

/**
 * `fn.exact`, for a function whose declared result is `int`: the same checked call, made
 * through a second handle `fresh()` (which has `async`), returning the int result as a bigint
 * (docs/types.md#int-results). Made on first use.
 */
function defineExact(fn: object, name: string, sig: FunctionSignature, kind: "export" | "value", fresh: () => object): void {
  let exact: object | undefined;
  Object.defineProperty(fn, "exact", {
    enumerable: false,
    configurable: false,
    get(): object {
      if (exact) return exact;
      const g = fresh() as ((...args: unknown[]) => unknown) & { async?: unknown; with?: unknown };
      if (kind === "value") {
        typeFunctionValue(g, name, sig, true);
      } else {
        const { kinds, types } = nativeParamKinds(sig);
        values().setFunctionSignature(g, kinds, types, deepFor(name, sig, kinds));
        define(g, "signature", sig);
      }
      asyncChecks.set(g, { result: exactResult }); // g.async / g.with(o).async: bigint too
      const call = function (this: unknown, ...args: unknown[]): unknown {
        return exactResult(g.apply(this, args));
      };
      Object.defineProperty(call, "name", { value: name });
      define(call, "signature", sig);
      if (g.async !== undefined) define(call, "async", g.async);
      if (g.with !== undefined) define(call, "with", g.with);
      exact = call;
      return call;
    },
  });
}

/**
 * Reads the metadata and docstring exports of function `name` (through `call`, which calls
 * an export by symbol name or returns undefined when the symbol does not exist) and attaches
 * `signature`, `doc` or `signatureError` to `fn`. With a signature, calls are checked and
 * converted by it. Never throws: bad metadata leaves `fn` untyped. `kind`: "export" for
 * getFunction's safe-call functions (checked natively), "value" for ffi.Function boxes.
 * `fresh` makes another handle of the same function, for `fn.exact` (int results).
 */
export function attachSignature(fn: object, name: string, call: (symbol: string) => unknown, kind: "export" | "value" = "export", fresh?: () => object): void {
  if (asyncChecks.has(fn) || Object.hasOwn(fn, "signatureError") || Object.hasOwn(fn, "doc")) return; // attached before
  let meta: unknown;
  try {
    meta = call("__tvm_ffi__metadata_" + name);
  } catch (e) {
    define(fn, "signatureError", `the metadata function failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  try {
    const doc = call("__tvm_ffi__doc_" + name);
    if (typeof doc === "string") define(fn, "doc", doc);
  } catch {
    // a failing docstring export leaves the function without `doc`
  }
  if (meta === undefined) return;
  let sig: FunctionSignature;
  try {
    sig = parseSignature(meta);
  } catch (e) {
    define(fn, "signatureError", (e as Error).message);
    return;
  }
  if (fresh && isIntResult(sig.result)) defineExact(fn, name, sig, kind, fresh);
  if (kind === "value") {
    typeFunctionValue(fn, name, sig);
    return;
  }
  const { kinds, types } = nativeParamKinds(sig);
  const deep = deepFor(name, sig, kinds);
  const result = resultConverter(name, sig.result);
  values().setFunctionSignature(fn, kinds, types, deep, result);
  if (result) asyncChecks.set(fn, { result });
  define(fn, "signature", sig);
}
