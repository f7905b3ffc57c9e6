// DataType: a DLPack data type (code, bits, lanes); crosses the boundary as kTVMFFIDataType.
import { values } from "./native.js";

/** DLPack type codes (DLDataTypeCode). */
export const DataTypeCode = {
  int: 0,
  uint: 1,
  float: 2,
  handle: 3,
  bfloat: 4,
  complex: 5,
  bool: 6,
} as const;

const parsed = new Map<string, DataType>();

export class DataType {
  readonly code: number;
  readonly bits: number;
  readonly lanes: number;

  constructor(code: number, bits: number, lanes = 1) {
    for (const [name, v, max] of [["code", code, 255], ["bits", bits, 255], ["lanes", lanes, 65535]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new TypeError(`DataType: '${name}' must be an integer in [0, ${max}], got ${String(v)}`);
      }
    }
    this.code = code;
    this.bits = bits;
    this.lanes = lanes;
    values().boxDataType(this, code, bits, lanes);
    Object.freeze(this);
  }

  /** Parses "float32", "int64", "uint8", "bool", "float16x4", "bfloat16", ... */
  static parse(s: string): DataType {
    if (typeof s !== "string") throw new TypeError("DataType.parse(s): 's' must be a string");
    let dt = parsed.get(s);
    if (!dt) {
      const [code, bits, lanes] = values().dtypeParse(s);
      dt = new DataType(code, bits, lanes);
      parsed.set(s, dt);
    }
    return dt;
  }

  /** Bytes per element (all lanes), rounded up. */
  get itemSize(): number {
    return Math.ceil((this.bits * this.lanes) / 8);
  }

  equals(other: DataType): boolean {
    return other instanceof DataType && other.code === this.code && other.bits === this.bits && other.lanes === this.lanes;
  }

  toString(): string {
    return values().dtypeToString(this.code, this.bits, this.lanes);
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `DataType(${this.toString()})`;
  }
}
