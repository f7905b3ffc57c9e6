// The value layer's access to the addon: it is loaded (once) with the factories it uses to
// build JS wrappers of C++ values, so that every value it returns is a wrapper of this layer.
// src/jit reaches the addon through `addon()` too.
import { loadBinding, type NativeBinding, type NativeValueFactories, type NativeValues } from "../native/binding.js";
import { DataType } from "./dtype.js";
import { FFIMap } from "./containers.js";
import { Device } from "./device.js";
import { lendBuffer } from "./memory.js";
import { objectFromNative } from "./object.js";
import { Tensor } from "./tensor.js";

const factories: NativeValueFactories = {
  tensor: (buffer, byteOffset, shape, strides, code, bits, lanes, devType, devId) =>
    Tensor._fromNative(buffer, byteOffset, shape, strides, code, bits, lanes, devType, devId),
  object: (typeIndex, typeKey) => objectFromNative(typeIndex, typeKey),
  dtype: (code, bits, lanes) => new DataType(code, bits, lanes),
  device: (type, id) => new Device(type, id),
  lendBuffer,
  map: () => new FFIMap(),
};

/** The addon, loaded and initialized on first use (src/native/binding.ts). */
export function addon(): NativeBinding {
  return loadBinding(factories);
}

/** The addon's value functions (loads the addon on first use). */
export function values(): NativeValues {
  return addon().values;
}
