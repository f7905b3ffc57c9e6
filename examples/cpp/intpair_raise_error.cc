// Seed 002 (TVM-FFI "Python Binding and Packaging" guide), "Pybind11 and Nanobind style Usage":
// a custom object IntPair and a global function raise_error, verbatim.
#include <tvm/ffi/error.h>
#include <tvm/ffi/reflection/registry.h>

namespace my_ffi_extension {

namespace ffi = tvm::ffi;

/*!
 * \brief Example of a custom object that is exposed to the FFI library
 */
class IntPairObj : public ffi::Object {
 public:
  int64_t a;
  int64_t b;

  IntPairObj() = default;
  IntPairObj(int64_t a, int64_t b) : a(a), b(b) {}

  int64_t GetFirst() const { return this->a; }

  // Required: declare type information
  TVM_FFI_DECLARE_OBJECT_INFO_FINAL("my_ffi_extension.IntPair", IntPairObj, ffi::Object);
};

/*!
 * \brief Defines an explicit reference to IntPairObj
 *
 * A reference wrapper serves as a reference-counted pointer to the object.
 * You can use obj->field to access the fields of the object.
 */
class IntPair : public tvm::ffi::ObjectRef {
 public:
  // Constructor
  explicit IntPair(int64_t a, int64_t b) {
    data_ = tvm::ffi::make_object<IntPairObj>(a, b);
  }

  // Required: define object reference methods
  TVM_FFI_DEFINE_OBJECT_REF_METHODS_NULLABLE(IntPair, tvm::ffi::ObjectRef, IntPairObj);
};

void RaiseError(ffi::String msg) { TVM_FFI_THROW(RuntimeError) << msg; }

TVM_FFI_STATIC_INIT_BLOCK() {
  namespace refl = tvm::ffi::reflection;
  refl::GlobalDef()
    .def("my_ffi_extension.raise_error", RaiseError);
  // register object definition
  refl::ObjectDef<IntPairObj>()
      .def(refl::init<int64_t, int64_t>())
       // Example static method that returns the second element of the pair
      .def_static("static_get_second", [](IntPair pair) -> int64_t { return pair->b; })
      // Example to bind an instance method
      .def("get_first", &IntPairObj::GetFirst)
      .def_ro("a", &IntPairObj::a)
      .def_ro("b", &IntPairObj::b);
}
}  // namespace my_ffi_extension
