// Every error this package throws on purpose is an OrcJitError with a stable `code`,
// so callers can branch on it without parsing messages.
import { type Diagnostic, formatDiagnostic } from "./types.js";

export class OrcJitError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The native addon could not be found or loaded. */
export class NativeLoadError extends OrcJitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ORCJIT_NATIVE_LOAD", message, options);
  }
}

/** A bytes buffer or file is not a loadable relocatable object for this host. */
export class ObjectFileError extends OrcJitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ORCJIT_OBJECT_FILE", message, options);
  }
}

/** JIT linking failed: unresolved or duplicate symbols, unsupported relocations or TLS. */
export class LinkError extends OrcJitError {
  /** Set when JIT code raised a TVM-FFI error while loading (e.g. a static initializer). */
  declare readonly ffiKind?: string;
  /** The TVM-FFI error message, with `ffiKind`. */
  declare readonly ffiMessage?: string;
  /** Set when the link failed on unresolved symbols: their (mangled) names. */
  declare readonly missingSymbols?: string[];
  constructor(message: string, options?: ErrorOptions) {
    super("ORCJIT_LINK", message, options);
  }
}

/** `getFunction` (or a property call) named something the library does not export. */
export class SymbolNotFoundError extends OrcJitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ORCJIT_SYMBOL_NOT_FOUND", message, options);
  }
}

/** A session, library or function was used after `dispose()`. */
export class DisposedError extends OrcJitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ORCJIT_DISPOSED", message, options);
  }
}

/** Details of a {@link NativeCrashError}. */
export interface NativeCrashDetails {
  /** The library and the function that was called. */
  library: string;
  function: string;
  /** "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL" or "SIGTRAP"; absent for "crashed earlier". */
  signal?: string;
  /** The faulting data address (hex), and the faulting instruction (hex). */
  address?: string;
  pc?: string;
  /** The JIT function holding `pc` as "name+0xoff", or null if unknown. */
  symbol?: string | null;
  /** Source file and line of `pc` when the library was built with `debug: true`, else null. */
  file?: string | null;
  line?: number | null;
}

/**
 * A hardware fault (segfault, bus error, division by zero, trap, stack overflow) in JIT code,
 * contained by the crash guard (docs/debugging.md): the call is abandoned, the process keeps
 * running, and the library refuses further calls (this error again, "crashed earlier")
 * until it is disposed or reloaded. Its state may be corrupt; locks it held stay held.
 */
export class NativeCrashError extends OrcJitError {
  declare readonly signal?: string;
  declare readonly address?: string;
  declare readonly pc?: string;
  declare readonly symbol?: string | null;
  declare readonly file?: string | null;
  declare readonly line?: number | null;
  declare readonly library: string;
  declare readonly function: string;
  constructor(message: string, details?: NativeCrashDetails, options?: ErrorOptions) {
    super("ORCJIT_NATIVE_CRASH", message, options);
    if (details) Object.assign(this, details);
  }
}

/**
 * An error raised by native code through the TVM-FFI error protocol
 * (`TVM_FFI_THROW(ValueError) << ...`, `TVMFFIErrorSetRaisedFromCStr`).
 * `kind` is the TVM-FFI error kind ("ValueError", "TypeError", ...), and also the error's
 * `name`, so that it prints once, as Python's tvm-ffi raises it: `ValueError: division by
 * zero` (`message` is the text alone). Test for the class with `instanceof FFIError`.
 */
export class FFIError extends OrcJitError {
  readonly kind: string;
  readonly backtrace: string;
  constructor(kind: string, message: string, backtrace = "", options?: ErrorOptions) {
    super("ORCJIT_FFI", message, options);
    this.name = kind;
    this.kind = kind;
    this.backtrace = backtrace;
    // the stack's first line was formatted with the class name: say the kind instead
    if (typeof this.stack === "string" && this.stack.startsWith("FFIError")) this.stack = kind + this.stack.slice("FFIError".length);
  }
}

/** A compiler reported errors. `diagnostics` holds every message, `command` the argv. */
export class CompileError extends OrcJitError {
  readonly diagnostics: Diagnostic[];
  readonly command: string[];
  readonly log: string;
  /** Where the full compiler log was written (in the build directory), when it was. */
  readonly logPath: string | undefined;
  constructor(diagnostics: Diagnostic[], command: string[], log: string, options?: ErrorOptions & { logPath?: string }) {
    const first = diagnostics.find((d) => d.severity === "error") ?? diagnostics[0];
    const head = first ? formatDiagnostic(first) : "compilation failed";
    super("ORCJIT_COMPILE", head, options);
    this.diagnostics = diagnostics;
    this.command = command;
    this.log = log;
    this.logPath = options?.logPath;
  }
}

/** A manifest failed to parse or validate; each diagnostic names file:line:col. */
export class ManifestError extends OrcJitError {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[], options?: ErrorOptions) {
    const lines = diagnostics.map(formatDiagnostic);
    super("ORCJIT_MANIFEST", lines.join("\n") || "invalid manifest", options);
    this.diagnostics = diagnostics;
  }
}

/** No usable compiler was found, or it could not be started. */
export class ToolchainError extends OrcJitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ORCJIT_TOOLCHAIN", message, options);
  }
}

/** The object cache could not be read or written. */
export class CacheError extends OrcJitError {
  constructor(message: string, options?: ErrorOptions) {
    super("ORCJIT_CACHE", message, options);
  }
}
