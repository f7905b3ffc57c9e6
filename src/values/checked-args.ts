// Arguments converted by declared types that the native call path does not check itself:
// arrays and maps of declared element types (`ffi.Array<float>` given [1, 2] passes Float
// elements; `ffi.Array<int>` given [1, 2.5] is a TypeError naming the element), JS callbacks
// of declared int arguments. The native checks (native/src/binding/typed_args.h) hand these
// parameters over (kind "deep"); the rules and messages are theirs. docs/types.md#checked-calls.
import { FFIFloat, FFIMap } from "./containers.js";
import { values } from "./native.js";
import { typeText, type FunctionSignature, type TypeSchema } from "./signature.js";

const INT64_LIMIT = 2 ** 63;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A value that does not fit its declared type. `at` is where inside the argument, filled in
 * while it propagates out of the containers (the happy path builds no strings).
 */
class Mismatch {
  at = "";
  constructor(
    readonly expected: string,
    readonly got: unknown,
    readonly why: string,
  ) {}
}

/** A JS value in an error message, as the native checks describe it. */
export function describe(v: unknown): string {
  switch (typeof v) {
    case "undefined": return "undefined";
    case "boolean": case "number": return String(v);
    case "bigint": return `${v}n`;
    case "string": return `the string "${v.length > 40 ? v.slice(0, 37) + "..." : v}"`;
    case "symbol": return "a symbol";
    case "function": return "a function";
    default: return v === null ? "null" : "an object";
  }
}

const isString = (t: TypeSchema): boolean => t.type === "ffi.String" || t.type === "str";
const isArray = (t: TypeSchema): boolean => t.type === "ffi.Array" || t.type === "ffi.List";
const isMap = (t: TypeSchema): boolean => t.type === "ffi.Map" || t.type === "ffi.Dict";

/** True when values of `t` need conversion or checks below the top level (element types). */
export function needsDeep(t: TypeSchema): boolean {
  if (t.type === "Optional") return needsDeep(t.args![0]!);
  if (t.type === "ffi.Function") return (t.args ?? []).slice(1).some(isIntResult);
  return (isArray(t) || isMap(t)) && (t.args ?? []).some((a) => a.type !== "Any");
}

/** A value C++ returned (a frozen ffi.Array, an FFIMap, an object): passed back as it is. */
const isFFIValue = (v: object): boolean => v instanceof FFIMap || values().valueTypeIndex(v) >= 0;

/** Converts a value to one type; `active` holds the containers being converted (cycles). */
type Conv = (v: unknown, active: Set<object>) => unknown;

const identity: Conv = (v) => v;

function convInt(v: unknown): unknown {
  if (typeof v === "number") {
    if (!(v > -INT64_LIMIT && v < INT64_LIMIT)) throw new Mismatch("int", v, ", outside the int64 range");
    if (!Number.isInteger(v)) throw new Mismatch("int", v, ", not an integer");
    return v;
  }
  if (typeof v === "bigint") {
    if (v < INT64_MIN || v > INT64_MAX) throw new Mismatch("int", v, ", outside the int64 range");
    return v;
  }
  throw new Mismatch("int", v, "");
}

// Integral numbers declared float cross as FFIFloat boxes, which are costly to make (a native
// wrap each: 1.4 µs). They are immutable and only read during the call, so the boxes of
// recent values are shared. Bounded: cleared when full. (A top-level ffi.Array<float> of plain
// numbers never gets here: the native side converts it, docs/types.md.)
const FLOAT_BOXES_MAX = 4096;
const floatBoxes = new Map<number, FFIFloat>();

function floatBox(v: number): FFIFloat {
  let box = floatBoxes.get(v);
  if (box === undefined || Object.is(v, -0)) {
    box = new FFIFloat(v);
    if (Object.is(v, -0)) return box; // Map keys do not tell -0 from 0
    if (floatBoxes.size >= FLOAT_BOXES_MAX) floatBoxes.clear();
    floatBoxes.set(v, box);
  }
  return box;
}

function convFloat(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? floatBox(v) : v;
  if (v instanceof FFIFloat) return v;
  if (typeof v === "bigint") return floatBox(Number(v));
  throw new Mismatch("float", v, "");
}

/** The converter of type `t` (made once per signature). */
function compile(t: TypeSchema): Conv {
  switch (t.type) {
    case "int": return convInt;
    case "float": return convFloat;
    case "bool":
      return (v) => {
        if (typeof v === "boolean") return v;
        throw new Mismatch("bool", v, "");
      };
    case "ffi.String": case "str":
      return (v) => {
        if (typeof v === "string") return v;
        throw new Mismatch(t.type, v, "");
      };
    case "None":
      return (v) => {
        if (v === null || v === undefined) return v;
        throw new Mismatch("None", v, "");
      };
    case "Optional": {
      const inner = compile(t.args![0]!);
      return (v, active) => (v === null || v === undefined ? v : inner(v, active));
    }
  }
  if (isArray(t)) return compileArray(t);
  if (isMap(t)) return compileMap(t);
  if (t.type === "ffi.Function") return compileCallback(t);
  return identity; // Any, tensors, objects, functions...: the general rules, checked by the callee
}

function enter(v: object, active: Set<object>): void {
  if (active.has(v)) throw new Mismatch("", v, "cyclic");
  active.add(v);
}

function compileArray(t: TypeSchema): Conv {
  const text = typeText(t);
  const elemType = t.args?.[0];
  const elem = elemType && elemType.type !== "Any" ? compile(elemType) : undefined;
  return (v, active) => {
    if (!Array.isArray(v)) {
      if (typeof v === "object" && v !== null && !ArrayBuffer.isView(v) && isFFIValue(v)) return v;
      throw new Mismatch(text, v, "");
    }
    if (!elem || (Object.isFrozen(v) && isFFIValue(v))) return v; // returned arrays are frozen
    enter(v, active);
    let out: unknown[] | undefined;
    let i = 0;
    try {
      for (; i < v.length; ++i) {
        const x: unknown = v[i];
        const y = elem(x, active);
        if (y !== x) (out ??= v.slice())[i] = y;
      }
    } catch (e) {
      if (e instanceof Mismatch) e.at = `[${i}]${e.at}`;
      throw e;
    }
    active.delete(v);
    return out ?? v;
  };
}

function compileMap(t: TypeSchema): Conv {
  const text = typeText(t);
  const [kt, vt] = t.args ?? [];
  const anyKeys = !kt || kt.type === "Any";
  const key = anyKeys ? identity : compile(kt);
  const val = !vt || vt.type === "Any" ? identity : compile(vt);
  const stringKeys = anyKeys || isString(kt);
  const untouched = anyKeys && val === identity;
  return (v, active) => {
    if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) throw new Mismatch(text, v, "");
    if (v instanceof FFIMap || untouched) return v;
    let where: unknown;
    let isKey = false;
    try {
      if (v instanceof Map) {
        enter(v, active);
        let changed = false;
        const out = new Map<unknown, unknown>();
        for (const [k, x] of v as Map<unknown, unknown>) {
          where = k;
          isKey = true;
          const k2 = key(k, active);
          isKey = false;
          const x2 = val(x, active);
          changed ||= k2 !== k || x2 !== x;
          out.set(k2, x2);
        }
        active.delete(v);
        return changed ? out : v;
      }
      if (isFFIValue(v)) return v;
      // A plain object: its keys are strings.
      if (!stringKeys) throw new Mismatch(text, v, " (a plain object has string keys; pass a Map)");
      enter(v, active);
      let out: Record<string, unknown> | undefined;
      for (const [k, x] of Object.entries(v)) {
        where = k;
        const x2 = val(x, active);
        if (x2 !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = x2;
      }
      active.delete(v);
      return out ?? v;
    } catch (e) {
      if (e instanceof Mismatch && where !== undefined) e.at = `[${describeKey(where)}]${isKey ? " (its key)" : ""}${e.at}`;
      throw e;
    }
  };
}

/**
 * A JS callback declared `ffi.Function<R, A...>`: its `int` arguments are typed `number`, so
 * one C++ sends beyond 2^53 (which would arrive as a bigint) is a RangeError raised back into
 * C++ instead (docs/types.md#int-results). Function values C++ made pass as they are.
 */
function compileCallback(t: TypeSchema): Conv {
  const ints = (t.args ?? []).slice(1).flatMap((a, i) => (isIntResult(a) ? [i] : []));
  if (ints.length === 0) return identity;
  return (v) => {
    if (typeof v !== "function" || values().valueTypeIndex(v) >= 0) return v;
    const fn = v as (...args: unknown[]) => unknown;
    const checked = function (this: unknown, ...args: unknown[]): unknown {
      for (const i of ints) {
        const a = args[i];
        if (typeof a === "bigint") {
          const e = new RangeError(`callback argument #${i} is ${a}, outside ±Number.MAX_SAFE_INTEGER (2^53 - 1): declared int, typed number; the exact value is this error's 'value' (a bigint)`);
          Object.defineProperty(e, "value", { value: a, enumerable: true, configurable: true, writable: true });
          throw e;
        }
      }
      return fn.apply(this, args);
    };
    Object.defineProperty(checked, "name", { value: fn.name });
    return checked;
  };
}

function describeKey(k: unknown): string {
  return typeof k === "string" ? JSON.stringify(k.length > 40 ? k.slice(0, 37) + "..." : k) : describe(k);
}

function paramError(name: string, i: number, declared: TypeSchema, m: Mismatch): TypeError {
  const head = `argument #${i} of '${name}' must be ${typeText(declared)} (its C++ signature)`;
  if (m.why === "cyclic") return new TypeError(`${head}, got a cyclic value: element ${m.at} contains itself`);
  if (m.at === "") return new TypeError(`${head}, got ${describe(m.got)}${m.why}`);
  return new TypeError(`${head}: element ${m.at} must be ${m.expected}, got ${describe(m.got)}${m.why}`);
}

/** Converts argument #i of `name` with `conv` (of declared type `t`); TypeError naming it on mismatch. */
// The containers being converted. Shared: every container deletes itself when done, so the
// set is empty between calls (an error clears it).
const ACTIVE = new Set<object>();

function convertParam(name: string, i: number, t: TypeSchema, conv: Conv, v: unknown): unknown {
  try {
    return conv(v, ACTIVE);
  } catch (e) {
    ACTIVE.clear();
    if (e instanceof Mismatch) throw paramError(name, i, t, e);
    throw e;
  }
}

/** The converter of parameter values the native call path hands over (kind "deep"). */
export function deepConverter(name: string, sig: FunctionSignature): (value: unknown, index: number) => unknown {
  const convs = sig.params.map((p) => (needsDeep(p) ? compile(p) : identity));
  return (value, index) => convertParam(name, index, sig.params[index]!, convs[index]!, value);
}

/** Whether a result of `t` is checked to be a number (int, Optional<int>): docs/types.md. */
export function isIntResult(t: TypeSchema): boolean {
  return t.type === "int" || (t.type === "Optional" && t.args?.[0]?.type === "int");
}
