#include "binding/v8_lanes.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#include <dlfcn.h>
#define ORCJIT_V8_LANES_POSSIBLE 1
#else
#define ORCJIT_V8_LANES_POSSIBLE 0
#endif

namespace orcjit::binding {

std::atomic<const V8Lanes*> g_v8_lanes{nullptr};

namespace {

V8Lanes g_found;          // filled by Resolve; published through g_v8_lanes after the self-test
bool g_passed = false;    // the self-test passed in this process
std::atomic<const char*> g_status{"not initialized"};

#if ORCJIT_V8_LANES_POSSIBLE
// Itanium-mangled names of the V8 functions (stable for years: the C++ API's own names).
constexpr const char* kKindSymbols[11] = {
    "_ZNK2v85Value11IsInt8ArrayEv",        // napi_int8_array
    "_ZNK2v85Value12IsUint8ArrayEv",       // napi_uint8_array
    "_ZNK2v85Value19IsUint8ClampedArrayEv",
    "_ZNK2v85Value12IsInt16ArrayEv",
    "_ZNK2v85Value13IsUint16ArrayEv",
    "_ZNK2v85Value12IsInt32ArrayEv",
    "_ZNK2v85Value13IsUint32ArrayEv",
    "_ZNK2v85Value14IsFloat32ArrayEv",
    "_ZNK2v85Value14IsFloat64ArrayEv",
    "_ZNK2v85Value15IsBigInt64ArrayEv",
    "_ZNK2v85Value16IsBigUint64ArrayEv",
};

template <typename F>
bool Find(F* out, const char* symbol) {
  *out = reinterpret_cast<F>(dlsym(RTLD_DEFAULT, symbol));
  return *out != nullptr;
}

bool Resolve(V8Lanes* l) {
  bool ok = Find(&l->is_int32, "_ZNK2v85Value7IsInt32Ev") &&
            Find(&l->is_number, "_ZNK2v85Value8IsNumberEv") &&
            Find(&l->int32_value, "_ZNK2v85Int325ValueEv") &&
            Find(&l->number_value, "_ZNK2v86Number5ValueEv") &&
            Find(&l->length, "_ZN2v810TypedArray6LengthEv") &&
            Find(&l->buffer, "_ZN2v815ArrayBufferView6BufferEv") &&
            Find(&l->byte_offset, "_ZN2v815ArrayBufferView10ByteOffsetEv") &&
            Find(&l->data, "_ZNK2v811ArrayBuffer4DataEv");
  for (int k = 0; ok && k < 11; ++k) ok = Find(&l->is_kind[k], kKindSymbols[k]);
  return ok;
}

/// A napi_value is V8's handle pointer on these releases (Node's js_native_api_v8.h).
bool KnownRuntime(napi_env env) {
  const napi_node_version* v = nullptr;
  if (napi_get_node_version(env, &v) != napi_ok || v == nullptr) return false;
  return v->release != nullptr && std::strcmp(v->release, "node") == 0 && v->major >= 18 &&
         v->major <= 24;
}

/// Every lane against Node-API on real values: numbers of each shape, non-numbers, and every
/// typed-array kind as a view at an offset into a shared buffer.
bool SelfTest(napi_env env, const V8Lanes& l) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  bool ok = true;
  auto check = [&](bool cond) { ok = ok && cond; };
  // Numbers: the int32 lane must agree with Node-API's value, the number lane everywhere.
  const double numbers[] = {0.0, -0.0, 7.0, -2147483648.0, 2147483647.0, 2147483648.0,
                            2.5, 1e300, -9007199254740993.0, NAN};
  for (double d : numbers) {
    napi_value v;
    check(napi_create_double(env, d, &v) == napi_ok);
    if (!ok) break;
    double back = 0;
    check(napi_get_value_double(env, v, &back) == napi_ok);
    check(l.is_number(v));
    double lane = l.number_value(v);
    check(std::memcmp(&lane, &back, sizeof lane) == 0 || (std::isnan(lane) && std::isnan(back)));
    bool int32 = d == std::trunc(d) && d >= -2147483648.0 && d <= 2147483647.0 &&
                 !(d == 0 && std::signbit(d));
    check(l.is_int32(v) == int32);
    if (int32) check(l.int32_value(v) == static_cast<int32_t>(d));
  }
  napi_value small;
  check(napi_create_int32(env, -5, &small) == napi_ok);
  check(ok && l.is_int32(small) && l.int32_value(small) == -5);
  napi_value str, obj, big, nul;
  check(napi_create_string_utf8(env, "12", 2, &str) == napi_ok);
  check(napi_create_object(env, &obj) == napi_ok);
  check(napi_create_bigint_int64(env, 3, &big) == napi_ok);
  check(napi_get_null(env, &nul) == napi_ok);
  for (napi_value v : {str, obj, big, nul}) {
    if (!ok) break;
    check(!l.is_number(v) && !l.is_int32(v));
    for (int k = 0; k < 11; ++k) check(!l.is_kind[k](v));
  }
  // Typed arrays: one view of each kind at byte offset 8 into a 64-byte buffer.
  napi_value ab;
  void* base = nullptr;
  check(napi_create_arraybuffer(env, 64, &base, &ab) == napi_ok);
  for (int k = 0; ok && k < 11; ++k) {
    napi_value ta;
    check(napi_create_typedarray(env, static_cast<napi_typedarray_type>(k), 2, ab, 8, &ta) ==
          napi_ok);
    if (!ok) break;
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    check(napi_get_typedarray_info(env, ta, &type, &length, &data, nullptr, nullptr) == napi_ok);
    check(type == k && length == 2 && data == static_cast<char*>(base) + 8);
    for (int j = 0; j < 11; ++j) check(l.is_kind[j](ta) == (j == k));
    check(!l.is_number(ta) && !l.is_int32(ta));
    size_t lane_length = 0;
    void* lane_data = nullptr;
    check(ok && TypedArrayOfKind(&l, ta, k, &lane_length, &lane_data));
    check(lane_length == length && lane_data == data);
  }
  napi_close_handle_scope(env, scope);
  return ok;
}
#endif

}  // namespace

bool InitV8Lanes(napi_env env) {
  static std::once_flag once;
  std::call_once(once, [env] {
#if ORCJIT_V8_LANES_POSSIBLE
    const char* off = std::getenv("ORCJIT_V8_LANES");
    if (!KnownRuntime(env)) {
      g_status = "not a Node.js release whose napi_value layout is known (18-24)";
    } else if (!Resolve(&g_found)) {
      g_status = "V8 functions not found in the running binary";
    } else if (!SelfTest(env, g_found)) {
      g_status = "self-test disagreed with Node-API";
    } else {
      g_passed = true;
      g_status = "";
      if (off != nullptr && std::strcmp(off, "0") == 0)
        g_status = "turned off (ORCJIT_V8_LANES=0)";
      else
        g_v8_lanes.store(&g_found);
    }
#else
    (void)env;
    g_status = "not built for this platform (Linux x86-64/aarch64 only)";
#endif
  });
  return ActiveV8Lanes() != nullptr;
}

bool SetV8Lanes(bool on) {
  bool was = ActiveV8Lanes() != nullptr;
  if (on && g_passed) {
    g_v8_lanes.store(&g_found);
    g_status = "";
  } else if (!on && g_passed) {
    g_v8_lanes.store(nullptr);
    g_status = "turned off (setV8Lanes)";
  }
  return was;
}

napi_value StableNull(napi_env env) {
  if (ActiveV8Lanes() == nullptr) return nullptr;
  // Asked at two different handle-stack depths: a scope-local handle would differ.
  napi_value seen[2] = {nullptr, nullptr};
  for (int k = 0; k < 2; ++k) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return nullptr;
    for (int f = 0; f < 3 * k; ++f) {
      napi_value filler;
      napi_create_object(env, &filler);
    }
    if (napi_get_null(env, &seen[k]) != napi_ok) seen[k] = nullptr;
    napi_close_handle_scope(env, scope);
  }
  return seen[0] != nullptr && seen[0] == seen[1] ? seen[0] : nullptr;
}

const char* V8LanesStatus() { return g_status.load(); }

}  // namespace orcjit::binding
