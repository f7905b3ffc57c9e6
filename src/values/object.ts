// FFIObject: a JS handle of a TVM-FFI object (strong reference, released by GC or dispose()).
// Reflected fields (TVMFFITypeInfo fields) are accessor properties, reflected methods are
// prototype methods (instance) or class methods (static). registerObject(typeKey) returns a
// class whose constructor calls the type's `__ffi_init__`.
import type { NativeTypeInfo } from "../native/binding.js";
import { DisposedError } from "../errors.js";
import { values } from "./native.js";

const TYPE_KEY = Symbol("FFIObject.typeKey");
const MEMBERS_DONE = Symbol("FFIObject.members");

type ObjectClass = (abstract new (...args: never[]) => FFIObject) & {
  [TYPE_KEY]?: string;
  [MEMBERS_DONE]?: boolean;
};

export class FFIObject {
  /**
   * Constructs through the type's `__ffi_init__` (classes from registerObject). FFIObjects
   * that come from C++ are made without running this.
   */
  constructor(...args: unknown[]) {
    const cls = new.target as unknown as ObjectClass;
    const key = cls[TYPE_KEY];
    if (key === undefined) throw new TypeError("FFIObject cannot be constructed directly: use registerObject(typeKey)");
    const index = values().typeKeyToIndex(key);
    if (index < 0) throw new TypeError(`type '${key}' is not registered (load the library that defines it first)`);
    ensureMembers(cls, index);
    const info = values().typeInfo(index);
    if (!info?.methods.some((m) => m.name === "__ffi_init__")) {
      if (info?.disposedBy !== undefined) {
        throw new DisposedError(`type '${key}' was registered by library '${info.disposedBy}', which has been disposed`);
      }
      throw new TypeError(`type '${key}' has no constructor (__ffi_init__): it cannot be created from JS`);
    }
    const obj = values().callStatic(index, "__ffi_init__", ...args);
    if (!(obj instanceof FFIObject)) throw new TypeError(`'${key}.__ffi_init__' did not return an object`);
    return obj;
  }

  /** The registered type key, e.g. "my_ffi_extension.IntPair". */
  get typeKey(): string {
    return values().typeInfo(this.typeIndex)?.key ?? `<type ${this.typeIndex}>`;
  }

  /** The runtime type index (-1 after dispose()). */
  get typeIndex(): number {
    return values().valueTypeIndex(this);
  }

  /** True after dispose(). */
  get disposed(): boolean {
    return values().valueTypeIndex(this) === -1;
  }

  /** Reads a reflected field by name. */
  getField(name: string): unknown {
    return values().getField(this, name);
  }

  /** Writes a reflected (writable) field by name. */
  setField(name: string, value: unknown): void {
    values().setField(this, name, value);
  }

  /** Calls a reflected method by name (instance methods get this object first). */
  callMethod(name: string, ...args: unknown[]): unknown {
    return values().callMethod(this, name, ...args);
  }

  /** True if both handles refer to the same native object. */
  same(other: FFIObject): boolean {
    return other instanceof FFIObject && values().sameObject(this, other);
  }

  /** Drops the strong reference now; later use throws TypeError. */
  dispose(): void {
    values().disposeValue(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return `${this.typeKey}(${fieldsOf(this).map(([k, v]) => `${k}=${String(v)}`).join(", ")})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.disposed ? `${this.constructor.name} <disposed>` : this.toString();
  }
}

function fieldsOf(obj: FFIObject): [string, unknown][] {
  const info = values().typeInfo(obj.typeIndex);
  if (!info) return [];
  return info.fields.map((f) => {
    try {
      return [f.name, obj.getField(f.name)];
    } catch {
      return [f.name, "?"];
    }
  });
}

const RESERVED = new Set(Object.getOwnPropertyNames(FFIObject.prototype).concat(["constructor", "then", "__proto__"]));
const CLASS_RESERVED = new Set(["length", "name", "prototype", "caller", "arguments", "typeKey", "typeIndex"]);

/** Defines reflected fields/methods on the class (once the type is known to the runtime). */
function ensureMembers(cls: ObjectClass, index: number): void {
  if (Object.prototype.hasOwnProperty.call(cls, MEMBERS_DONE)) return;
  const info: NativeTypeInfo | null = values().typeInfo(index);
  if (!info) return;
  Object.defineProperty(cls, MEMBERS_DONE, { value: true });
  const proto = cls.prototype as object;
  for (const f of info.fields) {
    if (RESERVED.has(f.name) || Object.prototype.hasOwnProperty.call(proto, f.name)) continue;
    const name = f.name;
    Object.defineProperty(proto, name, {
      configurable: true,
      enumerable: true,
      get(this: FFIObject) {
        return values().getField(this, name);
      },
      set: f.writable
        ? function (this: FFIObject, v: unknown) {
            values().setField(this, name, v);
          }
        : undefined,
    });
  }
  for (const m of info.methods) {
    const name = m.name;
    if (name === "__ffi_init__") continue;
    if (m.isStatic) {
      if (CLASS_RESERVED.has(name) || Object.prototype.hasOwnProperty.call(cls, name)) continue;
      Object.defineProperty(cls, name, {
        configurable: true,
        value: (...args: unknown[]) => values().callStatic(index, name, ...args),
      });
    } else {
      if (RESERVED.has(name) || Object.prototype.hasOwnProperty.call(proto, name)) continue;
      Object.defineProperty(proto, name, {
        configurable: true,
        value(this: FFIObject, ...args: unknown[]) {
          return values().callMethod(this, name, ...args);
        },
      });
    }
  }
}

/** A class from registerObject: `new Cls(...)` calls `__ffi_init__`; static methods are members. */
export interface FFIObjectClass<T extends FFIObject = FFIObject> {
  new (...args: unknown[]): T;
  readonly prototype: T;
  /** The TVM-FFI type key. */
  readonly typeKey: string;
  /** The runtime type index (-1 until a loaded library registers the type). */
  readonly typeIndex: number;
  /** Reflected static methods (`def_static`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly [staticMethod: string]: any;
}

const byKey = new Map<string, ObjectClass>();
const byIndex = new Map<number, ObjectClass>();

function safeName(key: string): string {
  const last = key.split(".").pop() ?? key;
  return /^[A-Za-z_$][\w$]*$/.test(last) ? last : "FFIObject";
}

function makeClass(key: string): ObjectClass {
  const name = safeName(key);
  const cls = { [name]: class extends FFIObject {} }[name]! as unknown as ObjectClass;
  Object.defineProperty(cls, TYPE_KEY, { value: key });
  // Type introspection on the class: Cls.typeKey, Cls.typeIndex (-1 until registered).
  Object.defineProperty(cls, "typeKey", { configurable: true, value: key });
  Object.defineProperty(cls, "typeIndex", { configurable: true, get: () => values().typeKeyToIndex(key) });
  return cls;
}

/**
 * The JS class of TVM-FFI type `typeKey`: objects of that type returned by C++ are instances
 * of it, and `new Cls(...args)` calls the type's `__ffi_init__`. Fields and methods become
 * properties as soon as the type is registered (by loading the library that defines it).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function registerObject<T extends FFIObject = FFIObject & Record<string, any>>(
  typeKey: string,
): FFIObjectClass<T> {
  if (typeof typeKey !== "string" || typeKey.length === 0) {
    throw new TypeError("registerObject(typeKey): 'typeKey' must be a non-empty string");
  }
  let cls = byKey.get(typeKey);
  if (!cls) {
    cls = makeClass(typeKey);
    byKey.set(typeKey, cls);
  }
  const index = values().typeKeyToIndex(typeKey);
  if (index >= 0) {
    byIndex.set(index, cls);
    ensureMembers(cls, index);
  }
  return cls as unknown as FFIObjectClass<T>;
}

/** @internal The addon's factory: a blank instance of the class for `typeIndex`. */
export function objectFromNative(typeIndex: number, typeKey: string): FFIObject {
  let cls = byIndex.get(typeIndex);
  if (!cls) {
    cls = byKey.get(typeKey) ?? makeClass(typeKey);
    byKey.set(typeKey, cls);
    byIndex.set(typeIndex, cls);
  }
  ensureMembers(cls, typeIndex);
  return Object.create(cls.prototype as object) as FFIObject;
}
