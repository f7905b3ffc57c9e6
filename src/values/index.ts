export { DataType, DataTypeCode } from "./dtype.js";
export { Device, DeviceType, type DeviceTypeName } from "./device.js";
export { Tensor, type TensorOptions, type TypedArray } from "./tensor.js";
export { FFIObject, registerObject, type FFIObjectClass } from "./object.js";
export { getGlobalFunc, listGlobalFuncs, registerGlobalFunc, removeGlobalFunc, type PackedFunction } from "./functions.js";
export { FFIFloat, FFIMap, float } from "./containers.js";
export { attachSignature, parseSignature, SignatureError, typeText, tsParamType, tsResultType, type FunctionSignature, type TypeSchema } from "./signature.js";
export { asyncThreads, setAsyncThreads, withInterrupt, type AsyncCalls, type CallOptions } from "./async.js";
export type { AsyncFFIFunction, FFICallback, FFIFunction, FFIFunctionInfo, FFIResult, FFIValue, KernelFunction, KernelInfo, KernelModules, KernelsOf } from "./types.js";
