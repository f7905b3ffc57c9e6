// Builds made by the toolkit (loadInline, manifest libraries) export signature metadata:
// TVM_FFI_DLL_EXPORT_TYPED_FUNC then also defines `__tvm_ffi__metadata_<name>` (and
// TVM_FFI_DLL_EXPORT_TYPED_FUNC_DOC `__tvm_ffi__doc_<name>`), which getFunction reads for
// checked calls and `orcjit types` for declarations (docs/types.md). The define is part of
// the compile command, so the object cache key covers it. A manifest source may set it to 0.
export const METADATA_DEFINES: Readonly<Record<string, string>> = { TVM_FFI_DLL_EXPORT_INCLUDE_METADATA: "1" };
