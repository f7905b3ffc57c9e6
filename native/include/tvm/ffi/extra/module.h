/*
 * tvm-ffi-orcjit C++ authoring API: Module (a loaded library and the modules it imports) and
 * the reserved symbol names of TVM-FFI libraries.
 *
 * Module is a reference to an ffi.Module object. The runtime's module objects are not
 * tvm-ffi's C++ ModuleObj (that class has a vtable and no stable ABI), so the methods below
 * go through the runtime's global functions ("ffi.ModuleGetFunction", ...). Subclassing
 * ModuleObj to write a new module kind in C++ is not supported (docs/authoring.md).
 *
 *   // in a library whose __tvm_ffi__library_ctx the loader set:
 *   Module self = Module::FromLibraryContext(__tvm_ffi__library_ctx);
 *   Optional<Function> f = self->GetFunction("helper", true);   // also searches imports
 */
#ifndef TVM_FFI_EXTRA_MODULE_H_
#define TVM_FFI_EXTRA_MODULE_H_

#include <tvm/ffi/any.h>
#include <tvm/ffi/c_api.h>
#include <tvm/ffi/container/array.h>
#include <tvm/ffi/extra/c_env_api.h>
#include <tvm/ffi/function.h>
#include <tvm/ffi/optional.h>
#include <tvm/ffi/string.h>

#include <string>
#include <utility>

namespace tvm {
namespace ffi {
namespace symbol {

/*! \brief Prefix of exported functions: `__tvm_ffi_<name>`. */
constexpr const char* tvm_ffi_symbol_prefix = "__tvm_ffi_";
/*! \brief Default entry function. */
constexpr const char* tvm_ffi_main = "__tvm_ffi_main";
/*! \brief Writable global the loader sets to the library's module handle. */
constexpr const char* tvm_ffi_library_ctx = "__tvm_ffi__library_ctx";
/*! \brief Embedded binary blob of imported modules. */
constexpr const char* tvm_ffi_library_bin = "__tvm_ffi__library_bin";
/*! \brief Prefix of per-function metadata symbols. */
constexpr const char* tvm_ffi_metadata_prefix = "__tvm_ffi__metadata_";
/*! \brief Prefix of per-function docstring symbols. */
constexpr const char* tvm_ffi_doc_prefix = "__tvm_ffi__doc_";

}  // namespace symbol

class Module;

/*! \brief The module object (opaque here; see the note at the top of this file). */
class ModuleObj : public Object {
 public:
  /*! \brief Function `name` (`__tvm_ffi_<name>`), searching the imports too if asked. */
  inline Optional<Function> GetFunction(const String& name, bool query_imports = false) const;
  /*! \brief "orcjit" for JIT libraries, or the kind a load_from_bytes loader gave. */
  inline String kind() const;
  /*! \brief The modules this one imports (embedded binaries, ImportModule). */
  inline Array<Module> imports() const;
  /*! \brief Add `other` to this module's imports. */
  inline void ImportModule(const Module& other) const;

  TVM_FFI_DECLARE_STATIC_OBJECT_INFO_("ffi.Module", kTVMFFIModule, ModuleObj, Object)
};

class Module : public ObjectRef {
 public:
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(Module, ObjectRef, ModuleObj);

  /*! \brief The library's own module, from the value the loader wrote into
   * __tvm_ffi__library_ctx (borrowed there; this takes a reference). */
  static Module FromLibraryContext(void* library_ctx) {
    if (library_ctx == nullptr) {
      TVM_FFI_THROW(RuntimeError) << "__tvm_ffi__library_ctx is not set (not loaded as a library)";
    }
    return details::ObjectUnsafe::ObjectRefFromUnowned<Module>(
        details::ObjectUnsafe::ObjectFromHandle(static_cast<TVMFFIObject*>(library_ctx)));
  }
};

namespace details {
inline Function ModuleGlobal(const char* name) {
  Optional<Function> f = Function::GetGlobal(name);
  if (!f.has_value()) TVM_FFI_THROW(RuntimeError) << "runtime global " << name << " is missing";
  return *f;
}
inline Module ModuleSelf(const ModuleObj* self) {
  return ObjectUnsafe::ObjectRefFromUnowned<Module>(const_cast<ModuleObj*>(self));
}
}  // namespace details

inline Optional<Function> ModuleObj::GetFunction(const String& name, bool query_imports) const {
  Any f = details::ModuleGlobal("ffi.ModuleGetFunction")(details::ModuleSelf(this), name,
                                                         query_imports);
  return f.cast<Optional<Function>>();
}
inline String ModuleObj::kind() const {
  return details::ModuleGlobal("ffi.ModuleGetKind")(details::ModuleSelf(this)).cast<String>();
}
inline Array<Module> ModuleObj::imports() const {
  Module self = details::ModuleSelf(this);
  int64_t n = details::ModuleGlobal("ffi.ModuleNumImports")(self).cast<int64_t>();
  Function get = details::ModuleGlobal("ffi.ModuleGetImport");
  Array<Module> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(get(self, i).cast<Module>());
  return out;
}
inline void ModuleObj::ImportModule(const Module& other) const {
  details::ModuleGlobal("ffi.ModuleImportModule")(details::ModuleSelf(this), other);
}

}  // namespace ffi
}  // namespace tvm

#endif  // TVM_FFI_EXTRA_MODULE_H_
