import "./factories.js";

export { DataType, DataTypeCode } from "./dtype.js";
export { Device, DeviceType, type DeviceTypeName } from "./device.js";
export { Tensor, type TensorOptions, type TypedArray } from "./tensor.js";
export { FFIObject, registerObject, type FFIObjectClass } from "./object.js";
export { getGlobalFunc, listGlobalFuncs, registerGlobalFunc, removeGlobalFunc, type PackedFunction } from "./functions.js";
