// Installs the factories the addon uses to build JS wrappers of C++ values.
import { setValueFactories } from "../native/binding.js";
import { DataType } from "./dtype.js";
import { FFIMap } from "./containers.js";
import { Device } from "./device.js";
import { lendBuffer } from "./memory.js";
import { objectFromNative } from "./object.js";
import { Tensor } from "./tensor.js";

setValueFactories({
  tensor: (buffer, byteOffset, shape, strides, code, bits, lanes, devType, devId) =>
    Tensor._fromNative(buffer, byteOffset, shape, strides, code, bits, lanes, devType, devId),
  object: (typeIndex, typeKey) => objectFromNative(typeIndex, typeKey),
  dtype: (code, bits, lanes) => new DataType(code, bits, lanes),
  device: (type, id) => new Device(type, id),
  lendBuffer,
  map: () => new FFIMap(),
});
