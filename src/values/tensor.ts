// Tensor: an N-d view of memory with shape, strides, dtype and device. CPU tensors made in
// JS view the caller's ArrayBuffer (zero-copy into C++); tensors returned by C++ come back
// with `buffer` viewing the same native memory (an external ArrayBuffer that keeps the tensor
// alive). Plain typed arrays also pass directly as 1-D tensor views.
import { DataType, DataTypeCode } from "./dtype.js";
import { Device, DeviceType, type DeviceTypeName } from "./device.js";
import { isResizable } from "./memory.js";
import { values } from "./native.js";

export type TypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array
  | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

export interface TensorOptions {
  /** Element type; default: from the typed array kind (required for a bare ArrayBuffer). */
  dtype?: DataType | string;
  /** Default: 1-D over the whole view. */
  shape?: readonly number[];
  /** In elements; default: compact row-major. */
  strides?: readonly number[];
  /** Only CPU memory can come from JS. Default Device.cpu(0). */
  device?: Device | DeviceTypeName;
  /** Bytes into an ArrayBuffer (ignored for typed arrays, which carry their own). */
  byteOffset?: number;
}

/** dtype of a typed-array kind as the engine reports it (not `constructor.name`). */
function dtypeOfKind(n: string): DataType {
  switch (n) {
    case "Int8Array": return DataType.parse("int8");
    case "Uint8Array": case "Uint8ClampedArray": return DataType.parse("uint8");
    case "Int16Array": return DataType.parse("int16");
    case "Uint16Array": return DataType.parse("uint16");
    case "Int32Array": return DataType.parse("int32");
    case "Uint32Array": return DataType.parse("uint32");
    case "Float32Array": return DataType.parse("float32");
    case "Float64Array": return DataType.parse("float64");
    case "BigInt64Array": return DataType.parse("int64");
    case "BigUint64Array": return DataType.parse("uint64");
    default: throw new TypeError(`Tensor: unsupported typed array ${n}`);
  }
}

/** The typed-array class that reads elements of `dt`, if any. */
function arrayClassOf(dt: DataType): (new (b: ArrayBuffer, o: number, n: number) => TypedArray) | undefined {
  if (dt.lanes !== 1) return undefined;
  const key = `${dt.code}:${dt.bits}`;
  const table: Record<string, new (b: ArrayBuffer, o: number, n: number) => TypedArray> = {
    [`${DataTypeCode.int}:8`]: Int8Array,
    [`${DataTypeCode.uint}:8`]: Uint8Array,
    [`${DataTypeCode.bool}:8`]: Uint8Array,
    [`${DataTypeCode.int}:16`]: Int16Array,
    [`${DataTypeCode.uint}:16`]: Uint16Array,
    [`${DataTypeCode.int}:32`]: Int32Array,
    [`${DataTypeCode.uint}:32`]: Uint32Array,
    [`${DataTypeCode.float}:32`]: Float32Array,
    [`${DataTypeCode.float}:64`]: Float64Array,
    [`${DataTypeCode.int}:64`]: BigInt64Array,
    [`${DataTypeCode.uint}:64`]: BigUint64Array,
  };
  return table[key];
}

function checkDims(what: string, dims: readonly number[], allowZero: boolean): number[] {
  if (!Array.isArray(dims)) throw new TypeError(`Tensor: '${what}' must be an array of integers`);
  return dims.map((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0 || (!allowZero && d === 0)) {
      throw new TypeError(`Tensor: ${what}[${i}] must be a ${allowZero ? "non-negative" : "positive"} integer, got ${String(d)}`);
    }
    return d;
  });
}

const INTERNAL = Symbol("Tensor.internal");

interface TensorParts {
  buffer: ArrayBuffer | null;
  byteOffset: number;
  shape: number[];
  strides: number[];
  dtype: DataType;
  device: Device;
}

export class Tensor {
  /** The memory (null when JS cannot see it, e.g. a GPU tensor). */
  readonly buffer: ArrayBuffer | null;
  /** Offset of element 0 in `buffer`, bytes. */
  readonly byteOffset: number;
  readonly shape: readonly number[];
  /** In elements. */
  readonly strides: readonly number[];
  readonly dtype: DataType;
  readonly device: Device;
  #data: TypedArray | undefined;

  /**
   * A tensor over JS memory (zero-copy): a typed array (dtype from its kind) or an
   * ArrayBuffer (dtype required). Mis-sized shapes, out-of-bounds strides, misaligned
   * offsets, detached buffers and non-CPU devices are TypeErrors.
   */
  constructor(data: TypedArray | ArrayBuffer, options: TensorOptions = {}) {
    if ((data as unknown) === INTERNAL) {
      const p = options as unknown as TensorParts;
      this.buffer = p.buffer;
      this.byteOffset = p.byteOffset;
      this.shape = Object.freeze(p.shape);
      this.strides = Object.freeze(p.strides);
      this.dtype = p.dtype;
      this.device = p.device;
      return;
    }
    // Extents, buffer and kind come from the engine (viewInfo), never from the view's own
    // properties: an instance, subclass or prototype can make byteLength/byteOffset/buffer lie.
    const view = values().viewInfo(data);
    if (view === null || view.type === "DataView") throw new TypeError("Tensor: 'data' must be a typed array or an ArrayBuffer");
    if (view.shared) throw new TypeError("Tensor: SharedArrayBuffer-backed arrays are not supported");
    const buffer = view.buffer as ArrayBuffer;
    let byteOffset: number;
    let byteLength: number;
    let dtype: DataType;
    const isBuffer = view.type === "ArrayBuffer";
    if (!isBuffer) {
      byteOffset = view.byteOffset;
      byteLength = view.byteLength;
      dtype = options.dtype === undefined ? dtypeOfKind(view.type) : toDType(options.dtype);
    } else {
      if (options.dtype === undefined) throw new TypeError("Tensor: a dtype is required for an ArrayBuffer");
      byteOffset = options.byteOffset ?? 0;
      if (!Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset > view.byteLength) {
        throw new TypeError(`Tensor: byteOffset ${String(byteOffset)} is outside the ArrayBuffer (${view.byteLength} bytes)`);
      }
      byteLength = view.byteLength - byteOffset;
      dtype = toDType(options.dtype);
    }
    if (view.detached) throw new TypeError("Tensor: the ArrayBuffer is detached");
    if (isResizable(buffer)) {
      throw new TypeError("Tensor: a resizable ArrayBuffer cannot back a Tensor: native code may keep the tensor, and resize() could free its memory. Copy the data into a fixed-length ArrayBuffer");
    }
    const device = options.device === undefined ? Device.cpu() : typeof options.device === "string" ? new Device(options.device) : options.device;
    if (!(device instanceof Device)) throw new TypeError("Tensor: 'device' must be a Device");
    if (device.type !== DeviceType.cpu && device.type !== DeviceType.cuda_host) {
      throw new TypeError(`Tensor: JS memory is CPU memory; device ${device.toString()} is not allowed`);
    }
    const item = dtype.itemSize;
    if (item === 0 || (dtype.bits * dtype.lanes) % 8 !== 0) throw new TypeError(`Tensor: sub-byte dtype ${dtype.toString()} is not supported from JS`);
    if (byteOffset % Math.min(item, 8) !== 0) throw new TypeError(`Tensor: byteOffset ${byteOffset} is not aligned to ${dtype.toString()}`);
    let shape: number[];
    if (options.shape === undefined) {
      if (byteLength % item !== 0) throw new TypeError(`Tensor: ${byteLength} bytes is not a whole number of ${dtype.toString()} elements`);
      shape = [byteLength / item];
    } else {
      shape = checkDims("shape", options.shape, true);
    }
    let strides: number[];
    const compact = compactStrides(shape);
    if (options.strides === undefined) {
      strides = compact;
      const need = shape.reduce((a, b) => a * b, 1) * item;
      if (need !== byteLength && !(isBuffer && need <= byteLength)) {
        throw new TypeError(`Tensor: shape [${shape.join(", ")}] of ${dtype.toString()} needs ${need} bytes, the data has ${byteLength}`);
      }
    } else {
      strides = checkDims("strides", options.strides, true);
      if (strides.length !== shape.length) throw new TypeError(`Tensor: ${strides.length} strides for ${shape.length} dimensions`);
      const extent = shape.some((d) => d === 0) ? 0 : (shape.reduce((acc, d, i) => acc + (d - 1) * strides[i]!, 0) + 1) * item;
      if (extent > byteLength) throw new TypeError(`Tensor: shape and strides reach ${extent} bytes, the data has ${byteLength}`);
    }
    this.buffer = buffer;
    this.byteOffset = byteOffset;
    this.shape = Object.freeze(shape);
    this.strides = Object.freeze(strides);
    this.dtype = dtype;
    this.device = device;
    values().boxTensor(this, buffer, byteOffset, shape, options.strides === undefined ? null : strides, dtype.code, dtype.bits, dtype.lanes, device.type, device.id);
  }

  /** A 1-D tensor viewing `array` (zero-copy); for a Uint8Array this makes a uint8 tensor. */
  static from(array: TypedArray, options: Omit<TensorOptions, "byteOffset"> = {}): Tensor {
    return new Tensor(array, options);
  }

  /** @internal The addon's factory for tensors that came from C++. */
  static _fromNative(buffer: ArrayBuffer | null, byteOffset: number, shape: number[], strides: number[], code: number, bits: number, lanes: number, deviceType: number, deviceId: number): Tensor {
    const parts: TensorParts = { buffer, byteOffset, shape, strides, dtype: new DataType(code, bits, lanes), device: new Device(deviceType, deviceId) };
    return new Tensor(INTERNAL as unknown as ArrayBuffer, parts as unknown as TensorOptions);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** True when strides are compact row-major. */
  get isContiguous(): boolean {
    const c = compactStrides(this.shape as number[]);
    return this.shape.every((d, i) => d === 1 || c[i] === this.strides[i]);
  }

  /**
   * A typed array over the tensor's memory (same memory, no copy): elements from element 0 to
   * the last one the strides reach. Uint8Array for dtypes without a typed-array kind. Throws
   * when JS cannot see the memory (non-CPU tensors).
   */
  get data(): TypedArray {
    if (this.#data && !isDetached(this.#data.buffer as ArrayBuffer)) return this.#data;
    if (!this.buffer) throw new TypeError(`Tensor: memory on ${this.device.toString()} is not visible to JS`);
    const item = this.dtype.itemSize;
    const count = this.shape.some((d) => d === 0) ? 0 : this.shape.reduce((acc, d, i) => acc + (d - 1) * this.strides[i]!, 0) + 1;
    const Cls = arrayClassOf(this.dtype);
    this.#data = Cls ? new Cls(this.buffer, this.byteOffset, count) : new Uint8Array(this.buffer, this.byteOffset, count * item);
    return this.#data;
  }

  /** A compact copy of the elements as a JS array (row-major). */
  toArray(): (number | bigint)[] {
    const d = this.data as unknown as ArrayLike<number | bigint>;
    const out: (number | bigint)[] = [];
    const idx = new Array<number>(this.ndim).fill(0);
    const n = this.size;
    for (let k = 0; k < n; k++) {
      let off = 0;
      for (let i = 0; i < idx.length; i++) off += idx[i]! * this.strides[i]!;
      out.push(d[off]!);
      for (let i = idx.length - 1; i >= 0; i--) {
        if (++idx[i]! < this.shape[i]!) break;
        idx[i] = 0;
      }
    }
    return out;
  }

  /** Releases the native tensor now (its memory stays valid while `buffer` is reachable). */
  dispose(): void {
    values().disposeValue(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(", ")}], dtype=${this.dtype.toString()}, device=${this.device.toString()})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function toDType(d: DataType | string): DataType {
  if (d instanceof DataType) return d;
  if (typeof d === "string") return DataType.parse(d);
  throw new TypeError("Tensor: 'dtype' must be a DataType or a string");
}

function compactStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

function isDetached(b: ArrayBuffer): boolean {
  return (b as ArrayBuffer & { detached?: boolean }).detached === true || (b.byteLength === 0 && isDetachedSlow(b));
}

function isDetachedSlow(b: ArrayBuffer): boolean {
  try {
    new Uint8Array(b);
    return false;
  } catch {
    return true;
  }
}
