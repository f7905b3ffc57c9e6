// Device: a DLPack device (type, id); crosses the boundary as kTVMFFIDevice.
import { values } from "./native.js";

/** DLPack device types (DLDeviceType). */
export const DeviceType = {
  cpu: 1,
  cuda: 2,
  cuda_host: 3,
  opencl: 4,
  vulkan: 7,
  metal: 8,
  vpi: 9,
  rocm: 10,
  rocm_host: 11,
  ext_dev: 12,
  cuda_managed: 13,
  oneapi: 14,
  webgpu: 15,
  hexagon: 16,
  maia: 17,
  trn: 18,
} as const;
export type DeviceTypeName = keyof typeof DeviceType;

const NAMES = new Map<number, string>(Object.entries(DeviceType).map(([k, v]) => [v, k]));

export class Device {
  readonly type: number;
  readonly id: number;

  constructor(type: number | DeviceTypeName, id = 0) {
    const code = typeof type === "string" ? DeviceType[type] : type;
    if (!Number.isInteger(code) || code < 0 || code > 0x7fffffff) {
      throw new TypeError(`Device: unknown device type ${JSON.stringify(type)}`);
    }
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) {
      throw new TypeError(`Device: 'id' must be a non-negative integer, got ${String(id)}`);
    }
    this.type = code;
    this.id = id;
    values().boxDevice(this, code, id);
    Object.freeze(this);
  }

  static cpu(id = 0): Device {
    return new Device(DeviceType.cpu, id);
  }

  static cuda(id = 0): Device {
    return new Device(DeviceType.cuda, id);
  }

  /** "cpu", "cuda", ... or "device_type_<n>". */
  get typeName(): string {
    return NAMES.get(this.type) ?? `device_type_${this.type}`;
  }

  equals(other: Device): boolean {
    return other instanceof Device && other.type === this.type && other.id === this.id;
  }

  toString(): string {
    return `${this.typeName}:${this.id}`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Device(${this.toString()})`;
  }
}
