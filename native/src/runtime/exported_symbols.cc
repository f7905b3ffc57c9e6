// Table of the runtime's C API entry points: all 38 c_api.h functions and the 10 env API
// functions. The JIT defines them as absolute symbols for JIT code.
#include "runtime/exported_symbols.h"

#include <tvm/ffi/c_api.h>
#include <tvm/ffi/extra/c_env_api.h>

namespace orcjit::runtime {

#define ORCJIT_SYM(name) {#name, reinterpret_cast<void*>(&name)}

static const ExportedSymbol kSymbols[] = {
    // c_api.h (38)
    ORCJIT_SYM(TVMFFIGetVersion),
    ORCJIT_SYM(TVMFFIObjectIncRef),
    ORCJIT_SYM(TVMFFIObjectDecRef),
    ORCJIT_SYM(TVMFFIObjectCreateOpaque),
    ORCJIT_SYM(TVMFFIGetCustomAllocator),
    ORCJIT_SYM(TVMFFISetCustomAllocator),
    ORCJIT_SYM(TVMFFITypeKeyToIndex),
    ORCJIT_SYM(TVMFFIFunctionCreate),
    ORCJIT_SYM(TVMFFIFunctionGetGlobal),
    ORCJIT_SYM(TVMFFIAnyViewToOwnedAny),
    ORCJIT_SYM(TVMFFIFunctionCall),
    ORCJIT_SYM(TVMFFIErrorMoveFromRaised),
    ORCJIT_SYM(TVMFFIErrorSetRaised),
    ORCJIT_SYM(TVMFFIErrorSetRaisedFromCStr),
    ORCJIT_SYM(TVMFFIErrorSetRaisedFromCStrParts),
    ORCJIT_SYM(TVMFFIErrorCreate),
    ORCJIT_SYM(TVMFFIErrorCreateWithCauseAndExtraContext),
    ORCJIT_SYM(TVMFFITensorFromDLPack),
    ORCJIT_SYM(TVMFFITensorToDLPack),
    ORCJIT_SYM(TVMFFITensorFromDLPackVersioned),
    ORCJIT_SYM(TVMFFITensorToDLPackVersioned),
    ORCJIT_SYM(TVMFFITensorCreateUnsafeView),
    ORCJIT_SYM(TVMFFIStringFromByteArray),
    ORCJIT_SYM(TVMFFIBytesFromByteArray),
    ORCJIT_SYM(TVMFFIDataTypeFromString),
    ORCJIT_SYM(TVMFFIDataTypeToString),
    ORCJIT_SYM(TVMFFIFunctionSetGlobal),
    ORCJIT_SYM(TVMFFIFunctionSetGlobalFromMethodInfo),
    ORCJIT_SYM(TVMFFITypeRegisterField),
    ORCJIT_SYM(TVMFFITypeRegisterMethod),
    ORCJIT_SYM(TVMFFITypeRegisterMetadata),
    ORCJIT_SYM(TVMFFITypeRegisterAttr),
    ORCJIT_SYM(TVMFFIGetTypeAttrColumn),
    ORCJIT_SYM(TVMFFIBacktrace),
    ORCJIT_SYM(TVMFFITypeGetOrAllocIndex),
    ORCJIT_SYM(TVMFFIGetTypeInfo),
    ORCJIT_SYM(TVMFFIHandleInitOnce),
    ORCJIT_SYM(TVMFFIHandleDeinitOnce),
    // extra/c_env_api.h (10)
    ORCJIT_SYM(TVMFFIEnvSetStream),
    ORCJIT_SYM(TVMFFIEnvGetStream),
    ORCJIT_SYM(TVMFFIEnvSetDLPackManagedTensorAllocator),
    ORCJIT_SYM(TVMFFIEnvGetDLPackManagedTensorAllocator),
    ORCJIT_SYM(TVMFFIEnvTensorAlloc),
    ORCJIT_SYM(TVMFFIEnvCheckSignals),
    ORCJIT_SYM(TVMFFIEnvRegisterCAPI),
    ORCJIT_SYM(TVMFFIEnvModLookupFromImports),
    ORCJIT_SYM(TVMFFIEnvModRegisterContextSymbol),
    ORCJIT_SYM(TVMFFIEnvModRegisterSystemLibSymbol),
};

#undef ORCJIT_SYM

static_assert(sizeof(kSymbols) / sizeof(kSymbols[0]) == 48, "38 + 10 C API functions");

const ExportedSymbol* ExportedSymbols(std::size_t* count) {
  *count = sizeof(kSymbols) / sizeof(kSymbols[0]);
  return kSymbols;
}

}  // namespace orcjit::runtime
