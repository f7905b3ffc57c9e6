// Containers and explicit number kinds across the boundary.
//
// JS arrays pass as ffi.Array, Map and plain objects as ffi.Map (elements by the same rules,
// nested; cyclic values are refused). Returned ffi.Array / ffi.Shape values come back as frozen
// JS arrays and ffi.Map values as FFIMap (a read-only Map); each still holds the C++ object, so
// passing it back passes that object without copying.
import { values } from "./native.js";

/** A returned ffi.Map: a Map whose contents cannot change (copy it with `new Map(m)`). */
export class FFIMap<K = unknown, V = unknown> extends Map<K, V> {
  /** @internal Filled by the addon through Map.prototype.set. */
  constructor() {
    super();
  }
  override set(_key: K, _value: V): this {
    throw new TypeError("an ffi.Map returned by C++ is read-only: copy it with new Map(map)");
  }
  override delete(_key: K): boolean {
    throw new TypeError("an ffi.Map returned by C++ is read-only: copy it with new Map(map)");
  }
  override clear(): void {
    throw new TypeError("an ffi.Map returned by C++ is read-only: copy it with new Map(map)");
  }
}

/**
 * A number that crosses as Float (C++ `double`) even when it is integral: `f(ffi.float(2))`.
 * Untyped calls send integral numbers as Int; a function with a signature converts by its
 * declared parameter types and needs no wrapper.
 */
export class FFIFloat {
  readonly value: number;
  /** @internal Use float(x). */
  constructor(value: number) {
    this.value = value;
    values().boxFloat(this, value);
  }
  valueOf(): number {
    return this.value;
  }
}

/** `x` as a Float argument (see FFIFloat). */
export function float(x: number): FFIFloat {
  if (typeof x !== "number") throw new TypeError(`float(x): 'x' must be a number, got ${typeof x}`);
  return new FFIFloat(x);
}
