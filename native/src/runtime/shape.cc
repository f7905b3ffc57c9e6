// ffi.Shape objects made by the runtime: ShapeCell at offset 24, dims inline after the object.
#include <cstring>

#include "runtime/api.h"
#include "runtime/object.h"

namespace orcjit::runtime {
namespace {

struct ShapeObj {
  TVMFFIObject header;
  TVMFFIShapeCell cell;
};
static_assert(sizeof(ShapeObj) == 40, "Shape object is 40 bytes before the inline dims");

}  // namespace

TVMFFIObject* CreateShape(const int64_t* dims, std::size_t ndim) {
  ShapeObj* s = MakeObject<ShapeObj>(kTVMFFIShape, ndim * sizeof(int64_t));
  auto* data = reinterpret_cast<int64_t*>(reinterpret_cast<char*>(s) + sizeof(ShapeObj));
  if (ndim) std::memcpy(data, dims, ndim * sizeof(int64_t));
  s->cell.data = data;
  s->cell.size = ndim;
  return Header(s);
}

}  // namespace orcjit::runtime
