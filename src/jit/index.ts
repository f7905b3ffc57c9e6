export { ExecutionSession, defaultSession, type CreateLibraryOptions, type ExecutionSessionOptions } from "./session.js";
export { DynamicLibrary, type AddOptions, type FFIArg, type FFIFunction, type FFIResult } from "./library.js";
export { nativeInfo, type NativeInfo } from "./native-info.js";
export { setCrashContainment, setDebugger, setPerfMap } from "./crash-containment.js";
