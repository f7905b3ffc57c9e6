export { ExecutionSession, defaultSession, type ExecutionSessionOptions } from "./session.js";
export { DynamicLibrary, type AddOptions, type FFIArg, type FFIFunction, type FFIResult } from "./library.js";
export { nativeInfo, type NativeInfo } from "./native-info.js";
export { setCrashContainment, setPerfMap } from "./crash-containment.js";
