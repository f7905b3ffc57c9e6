// Self-test of the TVM-FFI runtime in native/src/runtime: checks the ABI protocols against the
// real code (no LLVM, no Node). Prints one line per failed check; exit status 0 only if all
// checks passed. Run by test/runtime/runtime.test.ts.
#include <tvm/ffi/c_api.h>
#include <tvm/ffi/extra/c_env_api.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/api.h"
#include "runtime/exported_symbols.h"
#include "runtime/module.h"

extern "C" {
int selftest_c_add(void*, const TVMFFIAny*, int32_t, TVMFFIAny*);
int64_t selftest_c_call_global(const char* name, int64_t a, int64_t b);
int32_t selftest_c_ndim(TVMFFIObjectHandle tensor);
extern void* selftest_library_ctx;
}

using namespace orcjit::runtime;

static int g_checks = 0;
static int g_failures = 0;
static std::string g_section;

#define CHECK(cond)                                                                      \
  do {                                                                                   \
    ++g_checks;                                                                          \
    if (!(cond)) {                                                                       \
      ++g_failures;                                                                      \
      std::printf("FAIL [%s] %s:%d: %s\n", g_section.c_str(), __FILE__, __LINE__, #cond); \
    }                                                                                    \
  } while (0)

static void Section(const char* name) { g_section = name; }

static TVMFFIByteArray BA(const char* s) { return TVMFFIByteArray{s, std::strlen(s)}; }
static TVMFFIByteArray BA(const std::string& s) { return TVMFFIByteArray{s.data(), s.size()}; }
static std::string Str(const TVMFFIByteArray& b) { return std::string(b.data, b.size); }
static uint64_t RC(TVMFFIObjectHandle h) { return static_cast<TVMFFIObject*>(h)->combined_ref_count; }

static TVMFFIAny Int(int64_t v) {
  TVMFFIAny a = AnyNone();
  a.type_index = kTVMFFIInt;
  a.v_int64 = v;
  return a;
}

// Raised error as (kind, message); ("", "") if none.
static std::pair<std::string, std::string> TakeError() {
  ErrorInfo info;
  if (!TakeRaisedError(&info)) return {"", ""};
  return {info.kind, info.message};
}

// String content of an owned string Any, then release it.
static std::string TakeString(TVMFFIAny* v) {
  std::string_view sv;
  std::string out = AnyAsBytes(*v, &sv) ? std::string(sv) : std::string("<not a string>");
  AnyRelease(v);
  return out;
}

// ---------------------------------------------------------------- user-made objects
// An object made the way user C++ code makes one (plain malloc, own deleter, no alloc header),
// released with the inline protocol of TVM_FFI_ABI.md §1.4.
static std::vector<int> g_user_deleter_flags;
static void UserDeleter(void* self, int flags) {
  g_user_deleter_flags.push_back(flags);
  if (flags & kTVMFFIObjectDeleterFlagBitMaskWeak) std::free(self);
}
static TVMFFIObject* NewUserObject() {
  auto* o = static_cast<TVMFFIObject*>(std::malloc(sizeof(TVMFFIObject)));
  o->combined_ref_count = 0x100000001ull;
  o->type_index = kTVMFFIObject;
  o->__padding = 0;
  o->deleter = &UserDeleter;
  return o;
}
// The inline decrement user objects compile in (same protocol, written independently here).
static void InlineDecRef(TVMFFIObject* o) {
  uint64_t old = __atomic_fetch_sub(&o->combined_ref_count, 1, __ATOMIC_RELEASE);
  if (old == 0x100000001ull) {
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    o->deleter(o, 3);
  } else if ((old & 0xffffffffu) == 1) {
    o->deleter(o, 1);
    if (__atomic_fetch_sub(&o->combined_ref_count, 1ull << 32, __ATOMIC_RELEASE) == (1ull << 32)) {
      o->deleter(o, 2);
    }
  }
}

static void TestVersionAndSymbols() {
  Section("version");
  TVMFFIVersion v{};
  TVMFFIGetVersion(&v);
  CHECK(v.major == 0 && v.minor == 1 && v.patch == 14);

  Section("exported symbols");
  std::size_t n = 0;
  const ExportedSymbol* syms = ExportedSymbols(&n);
  CHECK(n == 48);
  std::set<std::string> names;
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(syms[i].address != nullptr);
    CHECK(std::strncmp(syms[i].name, "TVMFFI", 6) == 0);
    names.insert(syms[i].name);
  }
  CHECK(names.size() == n);
  CHECK(names.count("TVMFFIBacktrace") && names.count("TVMFFIErrorSetRaised") &&
        names.count("TVMFFIGetTypeInfo") && names.count("TVMFFIEnvModLookupFromImports"));
}

static void TestRefcount() {
  Section("refcount");
  // Runtime C API on a user-made object.
  g_user_deleter_flags.clear();
  TVMFFIObject* o = NewUserObject();
  TVMFFIObjectIncRef(o);
  CHECK(o->combined_ref_count == 0x100000002ull);
  TVMFFIObjectDecRef(o);
  CHECK(o->combined_ref_count == 0x100000001ull && g_user_deleter_flags.empty());
  TVMFFIObjectDecRef(o);
  CHECK(g_user_deleter_flags == std::vector<int>{3});

  // With an extra weak reference: strong release runs the destructor only (flag 1), the last
  // weak release frees (flag 2).
  g_user_deleter_flags.clear();
  o = NewUserObject();
  o->combined_ref_count += 1ull << 32;  // a weak ref held elsewhere
  TVMFFIObjectDecRef(o);
  CHECK(g_user_deleter_flags == std::vector<int>{1});
  CHECK(o->combined_ref_count == (1ull << 32));
  uint64_t old = __atomic_fetch_sub(&o->combined_ref_count, 1ull << 32, __ATOMIC_RELEASE);
  if (old == (1ull << 32)) o->deleter(o, 2);
  CHECK((g_user_deleter_flags == std::vector<int>{1, 2}));

  // Runtime-made objects released by user code's inline protocol (deleter + alloc header).
  TVMFFIAny s = MakeString("a string longer than seven");
  CHECK(s.type_index == kTVMFFIStr);
  TVMFFIObjectIncRef(s.v_obj);
  InlineDecRef(s.v_obj);
  CHECK(s.v_obj->combined_ref_count == 0x100000001ull);
  InlineDecRef(s.v_obj);  // frees through the runtime's deleter; ASan would flag misuse

  // Alloc header precedes runtime-made bodies.
  TVMFFIAny s2 = MakeString("another long string");
  auto* hdr = reinterpret_cast<TVMFFIObjectAllocHeader*>(reinterpret_cast<char*>(s2.v_obj) -
                                                         sizeof(TVMFFIObjectAllocHeader));
  CHECK(hdr->delete_space != nullptr);
  AnyRelease(&s2);
  CHECK(s2.type_index == kTVMFFINone);
}

static std::atomic<int> g_custom_allocs{0}, g_custom_frees{0};
static void* CountingAlloc(size_t size, size_t align) {
  ++g_custom_allocs;
  void* p = nullptr;
  return posix_memalign(&p, align < 16 ? 16 : align, size) == 0 ? p : nullptr;
}
static void CountingFree(void* p) {
  ++g_custom_frees;
  std::free(p);
}

static void TestCustomAllocator() {
  Section("custom allocator");
  TVMFFICustomAllocator* builtin = TVMFFIGetCustomAllocator();
  CHECK(builtin != nullptr);
  static TVMFFICustomAllocator counting = {&CountingAlloc, &CountingFree};
  CHECK(TVMFFISetCustomAllocator(&counting) == 0);
  CHECK(TVMFFIGetCustomAllocator() == &counting);
  TVMFFIAny s = MakeString("made by the counting allocator");
  CHECK(g_custom_allocs == 1);
  CHECK(TVMFFISetCustomAllocator(nullptr) == 0);  // restore builtin
  CHECK(TVMFFIGetCustomAllocator() == builtin);
  AnyRelease(&s);  // freed by the allocator that made it, even after the swap
  CHECK(g_custom_frees == 1);
}

static void TestStrings() {
  Section("strings");
  TVMFFIAny out;
  TVMFFIByteArray empty{"", 0};
  CHECK(TVMFFIStringFromByteArray(&empty, &out) == 0);
  CHECK(out.type_index == kTVMFFISmallStr && out.small_str_len == 0);

  TVMFFIByteArray seven = BA("1234567");
  CHECK(TVMFFIStringFromByteArray(&seven, &out) == 0);
  CHECK(out.type_index == kTVMFFISmallStr && out.small_str_len == 7);
  CHECK(std::memcmp(out.v_bytes, "1234567", 7) == 0 && out.v_bytes[7] == 0);
  CHECK(Str(TVMFFISmallBytesGetContentByteArray(&out)) == "1234567");

  TVMFFIByteArray eight = BA("12345678");
  CHECK(TVMFFIStringFromByteArray(&eight, &out) == 0);
  CHECK(out.type_index == kTVMFFIStr && out.zero_padding == 0);
  CHECK(RC(out.v_obj) == 0x100000001ull);
  CHECK(TVMFFIObjectGetTypeIndex(out.v_obj) == kTVMFFIStr);
  TVMFFIByteArray* cell = TVMFFIBytesGetByteArrayPtr(out.v_obj);
  CHECK(reinterpret_cast<char*>(cell) == reinterpret_cast<char*>(out.v_obj) + 24);
  CHECK(cell->size == 8 && cell->data == reinterpret_cast<char*>(out.v_obj) + 40);
  CHECK(std::memcmp(cell->data, "12345678", 8) == 0 && cell->data[8] == '\0');
  TVMFFIObjectDecRef(out.v_obj);

  const char raw[] = {'a', '\0', 'b'};
  TVMFFIByteArray bytes{raw, 3};
  CHECK(TVMFFIBytesFromByteArray(&bytes, &out) == 0);
  CHECK(out.type_index == kTVMFFISmallBytes && out.small_str_len == 3);
  CHECK(std::memcmp(out.v_bytes, raw, 3) == 0);
  std::string big(100, 'x');
  big[50] = '\0';
  TVMFFIByteArray bigb = BA(big);
  CHECK(TVMFFIBytesFromByteArray(&bigb, &out) == 0);
  CHECK(out.type_index == kTVMFFIBytes);
  CHECK(Str(*TVMFFIBytesGetByteArrayPtr(out.v_obj)) == big);
  TVMFFIObjectDecRef(out.v_obj);
}

static void TestAnyView() {
  Section("any view to owned");
  TVMFFIAny view = AnyNone();
  view.type_index = kTVMFFIRawStr;
  view.v_c_str = "raw string argument";
  TVMFFIAny owned;
  CHECK(TVMFFIAnyViewToOwnedAny(&view, &owned) == 0);
  CHECK(owned.type_index == kTVMFFIStr);
  CHECK(TakeString(&owned) == "raw string argument");

  view.v_c_str = "short";
  CHECK(TVMFFIAnyViewToOwnedAny(&view, &owned) == 0);
  CHECK(owned.type_index == kTVMFFISmallStr && TakeString(&owned) == "short");

  TVMFFIByteArray ba = BA("bytes via pointer");
  view.type_index = kTVMFFIByteArrayPtr;
  view.v_ptr = &ba;
  CHECK(TVMFFIAnyViewToOwnedAny(&view, &owned) == 0);
  CHECK(owned.type_index == kTVMFFIBytes && TakeString(&owned) == "bytes via pointer");

  TVMFFIAny s = MakeString("an object string value");
  CHECK(TVMFFIAnyViewToOwnedAny(&s, &owned) == 0);
  CHECK(owned.v_obj == s.v_obj && RC(s.v_obj) == 0x100000002ull);
  AnyRelease(&owned);

  // ObjectRValueRef steals the reference and empties the caller's slot.
  TVMFFIObject* slot = s.v_obj;
  view.type_index = kTVMFFIObjectRValueRef;
  view.v_ptr = &slot;
  CHECK(TVMFFIAnyViewToOwnedAny(&view, &owned) == 0);
  CHECK(slot == nullptr && owned.v_obj == s.v_obj && owned.type_index == kTVMFFIStr);
  CHECK(RC(owned.v_obj) == 0x100000001ull);
  CHECK(TVMFFIAnyViewToOwnedAny(&view, &owned) != 0);  // already moved
  CHECK(TakeError().first == "RuntimeError");
  AnyRelease(&s);

  // POD kinds copy raw.
  view = Int(42);
  CHECK(TVMFFIAnyViewToOwnedAny(&view, &owned) == 0 && owned.type_index == kTVMFFIInt &&
        owned.v_int64 == 42);
}

static void TestErrors() {
  Section("errors");
  TVMFFIObjectHandle err = nullptr;
  TVMFFIErrorMoveFromRaised(&err);
  CHECK(err == nullptr);

  TVMFFIByteArray kind = BA("ValueError"), msg = BA("bad value"), bt = BA("  File \"x.cc\"\n");
  CHECK(TVMFFIErrorCreate(&kind, &msg, &bt, &err) == 0);
  CHECK(TVMFFIObjectGetTypeIndex(err) == kTVMFFIError);
  TVMFFIErrorCell* cell = TVMFFIErrorGetCellPtr(err);
  CHECK(reinterpret_cast<char*>(cell) == static_cast<char*>(err) + 24);
  CHECK(Str(cell->kind) == "ValueError" && Str(cell->message) == "bad value");
  CHECK(Str(cell->backtrace) == "  File \"x.cc\"\n");
  CHECK(cell->cause_chain == nullptr && cell->extra_context == nullptr);

  // update_backtrace: append, then replace.
  TVMFFIByteArray more = BA("  File \"y.ts\"\n");
  cell->update_backtrace(err, &more, kTVMFFIBacktraceUpdateModeAppend);
  CHECK(Str(cell->backtrace) == "  File \"x.cc\"\n  File \"y.ts\"\n");
  cell->update_backtrace(err, &more, kTVMFFIBacktraceUpdateModeReplace);
  CHECK(Str(cell->backtrace) == "  File \"y.ts\"\n");

  // SetRaised takes its own reference; MoveFromRaised hands it over and clears the slot.
  TVMFFIErrorSetRaised(err);
  CHECK(RC(err) == 0x100000002ull);
  TVMFFIObjectHandle moved = nullptr;
  TVMFFIErrorMoveFromRaised(&moved);
  CHECK(moved == err && RC(err) == 0x100000002ull);
  TVMFFIObjectDecRef(moved);
  TVMFFIErrorMoveFromRaised(&moved);
  CHECK(moved == nullptr);

  // A later SetRaised releases the previous error.
  TVMFFIErrorSetRaised(err);
  CHECK(RC(err) == 0x100000002ull);
  TVMFFIErrorSetRaisedFromCStr("TypeError", "replaced");
  CHECK(RC(err) == 0x100000001ull);
  auto e = TakeError();
  CHECK(e.first == "TypeError" && e.second == "replaced");

  // Cause chain and extra context are borrowed by the call; the new error holds references.
  TVMFFIAny extra = MakeString("extra context object");
  TVMFFIObjectHandle chained = nullptr;
  TVMFFIByteArray k2 = BA("RuntimeError"), m2 = BA("outer");
  CHECK(TVMFFIErrorCreateWithCauseAndExtraContext(&k2, &m2, &bt, err, extra.v_obj, &chained) == 0);
  CHECK(TVMFFIErrorGetCellPtr(chained)->cause_chain == err);
  CHECK(TVMFFIErrorGetCellPtr(chained)->extra_context == extra.v_obj);
  CHECK(RC(err) == 0x100000002ull && RC(extra.v_obj) == 0x100000002ull);
  TVMFFIObjectDecRef(chained);
  CHECK(RC(err) == 0x100000001ull && RC(extra.v_obj) == 0x100000001ull);
  AnyRelease(&extra);
  TVMFFIObjectDecRef(err);

  // Parts are concatenated, NULL parts skipped.
  const char* parts[] = {"a", nullptr, "b", "c"};
  TVMFFIErrorSetRaisedFromCStrParts("IndexError", parts, 4);
  e = TakeError();
  CHECK(e.first == "IndexError" && e.second == "abc");

  // Backtrace format and thread-local buffer.
  const TVMFFIByteArray* b = TVMFFIBacktrace("kernel.cc", 12, "AddOne", 0);
  CHECK(Str(*b) == "  File \"kernel.cc\", line 12, in AddOne\n");
  CHECK(TVMFFIBacktrace(nullptr, 0, nullptr, 0)->size == 0);

  // The raised slot is per thread: each thread sees only its own error.
  TVMFFIErrorSetRaisedFromCStr("MainError", "main thread");
  std::string seen_a, seen_b;
  std::atomic<int> stage{0};
  std::thread ta([&] {
    TVMFFIErrorSetRaisedFromCStr("AError", "thread a");
    stage = 1;
    while (stage < 2) std::this_thread::yield();
    seen_a = TakeError().second;
  });
  std::thread tb([&] {
    while (stage < 1) std::this_thread::yield();
    auto none = TakeError();  // nothing raised on this thread yet
    TVMFFIErrorSetRaisedFromCStr("BError", "thread b");
    seen_b = none.first.empty() ? TakeError().second : "saw another thread's error";
    stage = 2;
  });
  ta.join();
  tb.join();
  CHECK(seen_a == "thread a");
  CHECK(seen_b == "thread b");
  e = TakeError();
  CHECK(e.first == "MainError" && e.second == "main thread");
}

static void TestTypeTable() {
  Section("type table");
  const TVMFFITypeInfo* obj = TVMFFIGetTypeInfo(kTVMFFIObject);
  CHECK(Str(obj->type_key) == "ffi.Object" && obj->type_depth == 0);
  const char* pod[] = {"None",     "int",       "bool",        "float",
                       "void*",    "DataType",  "Device",      "DLTensor*",
                       "const char*", "TVMFFIByteArray*", "ObjectRValueRef", "ffi.SmallStr",
                       "ffi.SmallBytes"};
  for (int i = 0; i <= 12; ++i) {
    const TVMFFITypeInfo* info = TVMFFIGetTypeInfo(i);
    CHECK(info->type_index == i && Str(info->type_key) == pod[i] && info->type_depth == 0);
  }
  const char* objs[] = {"ffi.String", "ffi.Bytes",  "ffi.Error", "ffi.Function",
                        "ffi.Shape",  "ffi.Tensor", "ffi.Array", "ffi.Map",
                        "ffi.Module", "ffi.OpaquePyObject", "ffi.List", "ffi.Dict"};
  for (int i = 65; i <= 76; ++i) {
    const TVMFFITypeInfo* info = TVMFFIGetTypeInfo(i);
    CHECK(Str(info->type_key) == objs[i - 65] && info->type_depth == 1);
    CHECK(info->type_ancestors[0]->type_index == kTVMFFIObject);
    int32_t idx = -1;
    TVMFFIByteArray key = info->type_key;
    CHECK(TVMFFITypeKeyToIndex(&key, &idx) == 0 && idx == i);
  }
  // The static types answer to their keys with their static index (idempotent).
  TVMFFIByteArray str_key = BA("ffi.String");
  CHECK(TVMFFITypeGetOrAllocIndex(&str_key, kTVMFFIStr, 1, 0, 0, kTVMFFIObject) == kTVMFFIStr);

  // Query only (-2): miss returns -2 and allocates nothing.
  TVMFFIByteArray k_base = BA("selftest.Base");
  CHECK(TVMFFITypeGetOrAllocIndex(&k_base, -1, 1, 2, 0, -2) == -2);
  int32_t tmp;
  CHECK(TVMFFITypeKeyToIndex(&k_base, &tmp) != 0);
  CHECK(TakeError().first == "ValueError");

  // A dynamic type with two reserved child slots and no overflow.
  int32_t base = TVMFFITypeGetOrAllocIndex(&k_base, -1, 1, 2, 0, kTVMFFIObject);
  CHECK(base >= kTVMFFIDynObjectBegin);
  CHECK(TVMFFITypeGetOrAllocIndex(&k_base, -1, 1, 2, 0, kTVMFFIObject) == base);
  CHECK(TVMFFITypeGetOrAllocIndex(&k_base, -1, 1, 2, 0, -2) == base);
  TVMFFIByteArray k_c1 = BA("selftest.Child1"), k_c2 = BA("selftest.Child2");
  int32_t c1 = TVMFFITypeGetOrAllocIndex(&k_c1, -1, 2, 0, 0, base);
  int32_t c2 = TVMFFITypeGetOrAllocIndex(&k_c2, -1, 2, 0, 0, base);
  CHECK(c1 == base + 1 && c2 == base + 2);
  const TVMFFITypeInfo* ci = TVMFFIGetTypeInfo(c2);
  CHECK(ci->type_depth == 2 && ci->type_ancestors[0]->type_index == kTVMFFIObject &&
        ci->type_ancestors[1]->type_index == base);
  CHECK(Str(ci->type_key) == "selftest.Child2" && ci->type_key_hash != 0);
  CHECK(TVMFFIGetTypeInfo(c1)->type_key_hash != ci->type_key_hash);

  // Overflow into the dynamic range; later allocations never collide with reserved slots.
  TVMFFIByteArray k_ov = BA("selftest.Overflowing"), k_oc = BA("selftest.OverflowChild");
  int32_t ov = TVMFFITypeGetOrAllocIndex(&k_ov, -1, 1, 0, 1, kTVMFFIObject);
  CHECK(ov > c2);
  int32_t oc = TVMFFITypeGetOrAllocIndex(&k_oc, -1, 2, 0, 0, ov);
  CHECK(oc > ov && TVMFFIGetTypeInfo(oc)->type_ancestors[1]->type_index == ov);
}

static int g_creator_calls = 0;
static int Creator(TVMFFIObjectHandle* out) {
  ++g_creator_calls;
  *out = nullptr;
  return 0;
}
static int GetterStub(void* field, TVMFFIAny* result) {
  *result = Int(*static_cast<int64_t*>(field));
  return 0;
}

static void TestReflection() {
  Section("reflection");
  TVMFFIByteArray key = BA("selftest.IntPair");
  int32_t t = TVMFFITypeGetOrAllocIndex(&key, -1, 1, 0, 1, kTVMFFIObject);
  const TVMFFITypeInfo* info = TVMFFIGetTypeInfo(t);
  CHECK(info->num_fields == 0 && info->num_methods == 0 && info->metadata == nullptr);

  // Fields: registered info is copied (caller's strings may go away) and visible immediately.
  std::string fname = "a";
  TVMFFIFieldInfo f{};
  f.name = BA(fname);
  f.doc = BA("first");
  f.metadata = BA("{}");
  f.size = 8;
  f.alignment = 8;
  f.offset = 24;
  f.getter = &GetterStub;
  f.default_value_or_factory = AnyNone();
  f.field_static_type_index = kTVMFFIInt;
  CHECK(TVMFFITypeRegisterField(t, &f) == 0);
  fname = "X";  // mutate the caller's buffer: the table must have its own copy
  CHECK(TVMFFIGetTypeInfo(t) == info);  // same struct, updated in place
  CHECK(info->num_fields == 1 && Str(info->fields[0].name) == "a" && info->fields[0].offset == 24);
  CHECK(info->fields[0].getter == &GetterStub);
  std::string bname = "b";
  f.name = BA(bname);
  f.offset = 32;
  CHECK(TVMFFITypeRegisterField(t, &f) == 0);
  CHECK(info->num_fields == 2 && Str(info->fields[1].name) == "b");
  f.offset = 40;  // re-registering "b" (library reloaded) replaces it
  CHECK(TVMFFITypeRegisterField(t, &f) == 0);
  CHECK(info->num_fields == 2 && info->fields[1].offset == 40);

  // Methods hold a reference to their Function.
  TVMFFIObject* fn = CreateFunction([](const TVMFFIAny*, int32_t, TVMFFIAny* r) { *r = Int(7); });
  TVMFFIMethodInfo m{};
  m.name = BA("get_first");
  m.doc = BA("");
  m.metadata = BA("{}");
  m.method.type_index = kTVMFFIFunction;
  m.method.v_obj = fn;
  CHECK(TVMFFITypeRegisterMethod(t, &m) == 0);
  CHECK(info->num_methods == 1 && Str(info->methods[0].name) == "get_first");
  CHECK(info->methods[0].method.v_obj == fn && RC(fn) == 0x100000002ull);

  TVMFFITypeMetadata md{};
  md.doc = BA("A pair of ints");
  md.creator = &Creator;
  md.total_size = 40;
  md.structural_eq_hash_kind = kTVMFFISEqHashKindTreeNode;
  CHECK(TVMFFITypeRegisterMetadata(t, &md) == 0);
  CHECK(info->metadata != nullptr && info->metadata->total_size == 40);
  CHECK(Str(info->metadata->doc) == "A pair of ints");
  TVMFFIObjectHandle created;
  CHECK(info->metadata->creator(&created) == 0 && g_creator_calls == 1);

  // Attribute columns.
  TVMFFIByteArray attr = BA("__ffi_init__");
  TVMFFIByteArray missing = BA("selftest.no_such_attr");
  CHECK(TVMFFIGetTypeAttrColumn(&missing) == nullptr);
  TVMFFIAny fv = AnyNone();
  fv.type_index = kTVMFFIFunction;
  fv.v_obj = fn;
  CHECK(TVMFFITypeRegisterAttr(t, &attr, &fv) == 0);
  CHECK(RC(fn) == 0x100000003ull);
  const TVMFFITypeAttrColumn* col = TVMFFIGetTypeAttrColumn(&attr);
  CHECK(col != nullptr && t - col->begin_index < col->size);
  CHECK(col->data[t - col->begin_index].type_index == kTVMFFIFunction &&
        col->data[t - col->begin_index].v_obj == fn);
  CHECK(col->data[kTVMFFIStr - col->begin_index].type_index == kTVMFFINone);
  TVMFFIAny iv = Int(5);
  CHECK(TVMFFITypeRegisterAttr(t, &attr, &iv) == 0);  // replacing releases the old value
  CHECK(RC(fn) == 0x100000002ull && TVMFFIGetTypeAttrColumn(&attr) == col);
  CHECK(col->data[t - col->begin_index].v_int64 == 5);
  CHECK(TVMFFITypeRegisterField(99999, &f) != 0 && TakeError().first == "ValueError");
  TVMFFIObjectDecRef(fn);
}

static void TestDType() {
  Section("dtype");
  const char* names[] = {"int8",   "int16",   "int32",      "int64",       "uint8",
                         "uint1",  "uint32",  "float16",    "float32",     "float64",
                         "bfloat16", "bool",  "float16x4",  "int8x16",     "handle",
                         "void",   "complex64", "complex128", "float8_e4m3fn", "float8_e5m2",
                         "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e3m4", "float8_e4m3",
                         "float8_e4m3b11fnuz", "float8_e8m0fnu", "float6_e2m3fn",
                         "float6_e3m2fn", "float4_e2m1fn", "float4_e2m1fnx2",
                         "float32xvscalex4"};
  for (const char* n : names) {
    TVMFFIByteArray b = BA(n);
    DLDataType t{};
    int rc = TVMFFIDataTypeFromString(&b, &t);
    CHECK(rc == 0);
    if (rc != 0) {
      std::printf("  could not parse %s\n", n);
      TakeError();
      continue;
    }
    TVMFFIAny s;
    CHECK(TVMFFIDataTypeToString(&t, &s) == 0);
    std::string back = TakeString(&s);
    CHECK(back == n);
    if (back != n) std::printf("  %s -> %s\n", n, back.c_str());
  }
  auto parse = [](const char* n) {
    TVMFFIByteArray b = BA(n);
    DLDataType t{255, 255, 255};
    if (TVMFFIDataTypeFromString(&b, &t) != 0) TakeError();
    return t;
  };
  DLDataType t = parse("float32");
  CHECK(t.code == kDLFloat && t.bits == 32 && t.lanes == 1);
  t = parse("bool");
  CHECK(t.code == kDLBool && t.bits == 8 && t.lanes == 1);
  t = parse("bfloat16");
  CHECK(t.code == kDLBfloat && t.bits == 16);
  t = parse("float16x4");
  CHECK(t.code == kDLFloat && t.bits == 16 && t.lanes == 4);
  t = parse("float8_e4m3fn");
  CHECK(t.code == kDLFloat8_e4m3fn && t.bits == 8);
  t = parse("float4_e2m1fn");
  CHECK(t.code == kDLFloat4_e2m1fn && t.bits == 4);
  t = parse("handle");
  CHECK(t.code == kDLOpaqueHandle && t.bits == 64);
  t = parse("float");
  CHECK(t.code == kDLFloat && t.bits == 32);
  t = parse("int");
  CHECK(t.code == kDLInt && t.bits == 32);
  for (const char* bad : {"", "float32x", "floaty", "int8x0", "int300", "xint8", "float32 "}) {
    TVMFFIByteArray b = BA(bad);
    DLDataType out{};
    CHECK(TVMFFIDataTypeFromString(&b, &out) != 0);
    CHECK(TakeError().first == "ValueError");
  }
}

// ---------------------------------------------------------------- tensors
static int g_legacy_deleted = 0, g_versioned_deleted = 0;
static int64_t g_shape[2] = {2, 3};
static float g_data[6] = {0, 1, 2, 3, 4, 5};

static DLTensor MakeDL(int64_t* shape, int64_t* strides) {
  DLTensor t{};
  t.data = g_data;
  t.device = TVMFFIDLDeviceFromIntPair(kDLCPU, 0);
  t.ndim = 2;
  t.dtype = DLDataType{kDLFloat, 32, 1};
  t.shape = shape;
  t.strides = strides;
  t.byte_offset = 0;
  return t;
}

static void TestTensors() {
  Section("tensors");
  // Legacy DLPack in: ownership moves to the tensor; the DLTensor sits at offset 24.
  static DLManagedTensor legacy;
  legacy.dl_tensor = MakeDL(g_shape, nullptr);
  legacy.manager_ctx = nullptr;
  legacy.deleter = [](DLManagedTensor*) { ++g_legacy_deleted; };
  TVMFFIObjectHandle t = nullptr;
  legacy.dl_tensor.data = reinterpret_cast<char*>(g_data) + 1;  // misaligned on purpose
  CHECK(TVMFFITensorFromDLPack(&legacy, 4, 1, &t) != 0);
  CHECK(TakeError().first == "ValueError" && g_legacy_deleted == 0);
  legacy.dl_tensor.data = g_data;
  CHECK(TVMFFITensorFromDLPack(&legacy, 4, 1, &t) == 0);
  CHECK(TVMFFIObjectGetTypeIndex(t) == kTVMFFITensor);
  DLTensor* dl = TVMFFITensorGetDLTensorPtr(t);
  CHECK(reinterpret_cast<char*>(dl) == static_cast<char*>(t) + 24);
  CHECK(dl->data == g_data && dl->ndim == 2 && dl->shape[0] == 2 && dl->shape[1] == 3);
  CHECK(dl->strides != nullptr && dl->strides[0] == 3 && dl->strides[1] == 1);
  CHECK(dl->dtype.code == kDLFloat && dl->dtype.bits == 32 && dl->device.device_type == kDLCPU);
  CHECK(selftest_c_ndim(t) == 2);

  // Out as versioned: shares memory and holds a reference.
  DLManagedTensorVersioned* v = nullptr;
  CHECK(TVMFFITensorToDLPackVersioned(t, &v) == 0);
  CHECK(v->version.major == DLPACK_MAJOR_VERSION && v->version.minor == DLPACK_MINOR_VERSION);
  CHECK(v->dl_tensor.data == g_data && v->dl_tensor.shape[1] == 3 && v->flags == 0);
  CHECK(RC(t) == 0x100000002ull);
  // Unsafe view retains its source.
  int64_t vshape[1] = {3};
  DLTensor proto = MakeDL(vshape, nullptr);
  proto.ndim = 1;
  proto.byte_offset = 3 * sizeof(float);
  TVMFFIObjectHandle view = nullptr;
  CHECK(TVMFFITensorCreateUnsafeView(t, &proto, &view) == 0);
  CHECK(RC(t) == 0x100000003ull);
  CHECK(TVMFFITensorGetDLTensorPtr(view)->byte_offset == 12 &&
        TVMFFITensorGetDLTensorPtr(view)->shape[0] == 3);
  TVMFFIObjectDecRef(t);  // only the export and the view keep it now
  CHECK(g_legacy_deleted == 0);
  TVMFFIObjectDecRef(view);
  CHECK(g_legacy_deleted == 0);
  v->deleter(v);
  CHECK(g_legacy_deleted == 1);  // the producer's deleter ran exactly once, last

  // Versioned in, legacy out; flags survive a versioned round trip.
  static DLManagedTensorVersioned ver;
  int64_t strides[2] = {1, 2};  // column-major: not contiguous
  ver.version = DLPackVersion{1, 1};
  ver.manager_ctx = nullptr;
  ver.deleter = [](DLManagedTensorVersioned*) { ++g_versioned_deleted; };
  ver.flags = DLPACK_FLAG_BITMASK_READ_ONLY;
  ver.dl_tensor = MakeDL(g_shape, strides);
  CHECK(TVMFFITensorFromDLPackVersioned(&ver, 0, 1, &t) != 0);
  CHECK(TakeError().first == "ValueError" && g_versioned_deleted == 0);
  CHECK(TVMFFITensorFromDLPackVersioned(&ver, 0, 0, &t) == 0);
  CHECK(TVMFFITensorGetDLTensorPtr(t)->strides[1] == 2);
  DLManagedTensor* lg = nullptr;
  CHECK(TVMFFITensorToDLPack(t, &lg) == 0 && lg->dl_tensor.strides[0] == 1);
  DLManagedTensorVersioned* v2 = nullptr;
  CHECK(TVMFFITensorToDLPackVersioned(t, &v2) == 0 && (v2->flags & DLPACK_FLAG_BITMASK_READ_ONLY));
  TVMFFIObjectDecRef(t);
  lg->deleter(lg);
  CHECK(g_versioned_deleted == 0);
  v2->deleter(v2);
  CHECK(g_versioned_deleted == 1);
  ver.version = DLPackVersion{2, 0};
  CHECK(TVMFFITensorFromDLPackVersioned(&ver, 0, 0, &t) != 0 && TakeError().first == "ValueError");

  // Env allocation with the builtin CPU allocator.
  int64_t ashape[3] = {4, 5, 6};
  DLTensor aproto{};
  aproto.device = TVMFFIDLDeviceFromIntPair(kDLCPU, 0);
  aproto.ndim = 3;
  aproto.dtype = DLDataType{kDLFloat, 32, 1};
  aproto.shape = ashape;
  TVMFFIObjectHandle a = nullptr;
  CHECK(TVMFFIEnvTensorAlloc(&aproto, &a) == 0);
  DLTensor* ad = TVMFFITensorGetDLTensorPtr(a);
  CHECK(ad->data != nullptr && reinterpret_cast<uintptr_t>(ad->data) % 64 == 0);
  CHECK(ad->ndim == 3 && ad->shape[2] == 6 && ad->strides[0] == 30 && ad->strides[2] == 1);
  std::memset(ad->data, 0, 4 * 5 * 6 * sizeof(float));  // the memory is really there
  TVMFFIObjectDecRef(a);
  aproto.device = TVMFFIDLDeviceFromIntPair(kDLCUDA, 0);
  CHECK(TVMFFIEnvTensorAlloc(&aproto, &a) != 0 && TakeError().first == "RuntimeError");

  // A custom allocator set for this thread only.
  DLPackManagedTensorAllocator orig = nullptr;
  DLPackManagedTensorAllocator failing = [](DLTensor*, DLManagedTensorVersioned**, void* ctx,
                                            void (*set_error)(void*, const char*, const char*)) {
    set_error(ctx, "MemoryError", "pool exhausted");
    return -1;
  };
  CHECK(TVMFFIEnvSetDLPackManagedTensorAllocator(failing, 0, &orig) == 0 && orig != nullptr);
  CHECK(TVMFFIEnvGetDLPackManagedTensorAllocator() == failing);
  aproto.device = TVMFFIDLDeviceFromIntPair(kDLCPU, 0);
  CHECK(TVMFFIEnvTensorAlloc(&aproto, &a) != 0);
  auto e = TakeError();
  CHECK(e.first == "MemoryError" && e.second == "pool exhausted");
  DLPackManagedTensorAllocator other_thread = nullptr;
  std::thread([&] { other_thread = TVMFFIEnvGetDLPackManagedTensorAllocator(); }).join();
  CHECK(other_thread == orig);
  CHECK(TVMFFIEnvSetDLPackManagedTensorAllocator(nullptr, 0, nullptr) == 0);
  CHECK(TVMFFIEnvGetDLPackManagedTensorAllocator() == orig);

  // Tensor over external memory with a release callback; Shape objects.
  static int released = 0;
  int64_t eshape[2] = {2, 3};
  TVMFFIObject* ext = CreateTensorFromExternal(MakeDL(eshape, nullptr), &released,
                                               [](void* c) { ++*static_cast<int*>(c); });
  CHECK(TVMFFITensorGetDLTensorPtr(ext)->strides[0] == 3);
  ObjectDecRef(ext);
  CHECK(released == 1);
  TVMFFIObject* shape = CreateShape(eshape, 2);
  CHECK(shape->type_index == kTVMFFIShape && TVMFFIShapeGetCellPtr(shape)->size == 2 &&
        TVMFFIShapeGetCellPtr(shape)->data[1] == 3);
  ObjectDecRef(shape);
}

// ---------------------------------------------------------------- functions and globals
static int g_self_deleted = 0;
static int AddSelf(void* self, const TVMFFIAny* args, int32_t n, TVMFFIAny* result) {
  *result = Int(args[0].v_int64 + *static_cast<int64_t*>(self));
  return 0;
}

static void TestFunctions() {
  Section("functions");
  static int64_t base = 700;
  TVMFFIObjectHandle f = nullptr;
  CHECK(TVMFFIFunctionCreate(&base, &AddSelf, [](void*) { ++g_self_deleted; }, &f) == 0);
  CHECK(TVMFFIObjectGetTypeIndex(f) == kTVMFFIFunction);
  CHECK(TVMFFIFunctionGetCellPtr(f)->cpp_call == nullptr);
  TVMFFIAny arg = Int(8), res = AnyNone();
  CHECK(TVMFFIFunctionCall(f, &arg, 1, &res) == 0 && res.v_int64 == 708);
  // Callers that read the cell directly (as C++ user code does) get the same result.
  res = AnyNone();
  CHECK(TVMFFIFunctionGetCellPtr(f)->safe_call(f, &arg, 1, &res) == 0 && res.v_int64 == 708);

  Section("global registry");
  TVMFFIByteArray name = BA("selftest.add700");
  TVMFFIObjectHandle got = reinterpret_cast<void*>(1);
  CHECK(TVMFFIFunctionGetGlobal(&name, &got) == 0 && got == nullptr);  // absent is not an error
  CHECK(TVMFFIFunctionSetGlobal(&name, f, 0) == 0);
  CHECK(RC(f) == 0x100000002ull);
  CHECK(TVMFFIFunctionGetGlobal(&name, &got) == 0 && got == f && RC(f) == 0x100000003ull);
  TVMFFIObjectDecRef(got);

  // Duplicate via method info: exact RuntimeError, no override.
  TVMFFIMethodInfo mi{};
  mi.name = name;
  mi.doc = BA("adds 700");
  mi.metadata = BA("{\"type_schema\":\"\"}");
  mi.method.type_index = kTVMFFIFunction;
  mi.method.v_obj = static_cast<TVMFFIObject*>(f);
  CHECK(TVMFFIFunctionSetGlobalFromMethodInfo(&mi, 0) != 0);
  auto e = TakeError();
  CHECK(e.first == "RuntimeError");
  CHECK(e.second.rfind("Global Function `selftest.add700` is already registered", 0) == 0);
  CHECK(TVMFFIFunctionSetGlobalFromMethodInfo(&mi, 1) == 0);  // override allowed
  CHECK(RC(f) == 0x100000002ull);  // old registry ref dropped, new one taken
  TVMFFIByteArray cname = BA("selftest.c_add");
  TVMFFIObjectHandle cf = nullptr;
  CHECK(TVMFFIFunctionCreate(nullptr, &selftest_c_add, nullptr, &cf) == 0);
  CHECK(TVMFFIFunctionSetGlobal(&cname, cf, 0) == 0);
  TVMFFIObjectDecRef(cf);
  CHECK(selftest_c_call_global("selftest.c_add", 40, 2) == 42);  // pure C caller path
  CHECK(selftest_c_call_global("selftest.add700", 1, 0) == 701);
  CHECK(selftest_c_call_global("selftest.missing", 1, 0) == -1000);
  TVMFFIAny bad[2] = {Int(1), AnyNone()};
  res = AnyNone();
  TVMFFIObjectHandle cf2 = GetGlobalFunction("selftest.c_add");
  CHECK(TVMFFIFunctionCall(cf2, bad, 2, &res) != 0);
  e = TakeError();
  CHECK(e.first == "TypeError" && e.second == "add_c expects two ints");
  ObjectDecRef(static_cast<TVMFFIObject*>(cf2));

  // Builtins: list names through the functor protocol, remove by name.
  TVMFFIObject* lister = GetGlobalFunction("ffi.FunctionListGlobalNamesFunctor");
  CHECK(lister != nullptr);
  TVMFFIAny functor;
  CallFunction(lister, nullptr, 0, &functor);
  CHECK(functor.type_index == kTVMFFIFunction);
  TVMFFIAny count;
  TVMFFIAny minus1 = Int(-1);
  CallFunction(functor.v_obj, &minus1, 1, &count);
  std::set<std::string> listed;
  for (int64_t i = 0; i < count.v_int64; ++i) {
    TVMFFIAny idx = Int(i), nm;
    CallFunction(functor.v_obj, &idx, 1, &nm);
    listed.insert(TakeString(&nm));
  }
  CHECK(listed.count("selftest.add700") && listed.count("ffi.FunctionRemoveGlobal") &&
        listed.count("ffi.FunctionListGlobalNamesFunctor"));
  CHECK(static_cast<size_t>(count.v_int64) == ListGlobalFunctionNames().size());
  AnyRelease(&functor);
  ObjectDecRef(lister);

  TVMFFIObject* remover = GetGlobalFunction("ffi.FunctionRemoveGlobal");
  TVMFFIAny nm = AnyNone();
  nm.type_index = kTVMFFIRawStr;
  nm.v_c_str = "selftest.add700";
  TVMFFIAny removed;
  CallFunction(remover, &nm, 1, &removed);
  CHECK(removed.type_index == kTVMFFIBool && removed.v_int64 == 1);
  CallFunction(remover, &nm, 1, &removed);
  CHECK(removed.v_int64 == 0);
  TVMFFIAny wrong = Int(3);
  bool threw = false;
  try {
    CallFunction(remover, &wrong, 1, &removed);
  } catch (const FFIError& err) {
    threw = err.info().kind == "TypeError";
  }
  CHECK(threw);
  ObjectDecRef(remover);
  CHECK(RemoveGlobalFunction("selftest.c_add"));

  CHECK(RC(f) == 0x100000001ull && g_self_deleted == 0);
  TVMFFIObjectDecRef(f);
  CHECK(g_self_deleted == 1);

  // C++ callables: FFIError keeps its kind; other exceptions become InternalError.
  TVMFFIObject* thrower = CreateFunction([](const TVMFFIAny* a, int32_t, TVMFFIAny*) {
    if (a[0].v_int64 == 0) throw FFIError("ValueError", "zero", "  File \"cb.js\"\n");
    throw std::runtime_error("boom");
  });
  TVMFFIAny zero = Int(0), one = Int(1);
  res = AnyNone();
  CHECK(TVMFFIFunctionCall(thrower, &zero, 1, &res) == -1);
  ErrorInfo info;
  CHECK(TakeRaisedError(&info) && info.kind == "ValueError" && info.message == "zero" &&
        info.backtrace == "  File \"cb.js\"\n");
  CHECK(TVMFFIFunctionCall(thrower, &one, 1, &res) == -1);
  CHECK(TakeRaisedError(&info) && info.kind == "InternalError" && info.message == "boom");
  ObjectDecRef(thrower);
}

static void TestEnv() {
  Section("env");
  CHECK(TVMFFIEnvGetStream(kDLCUDA, 0) == nullptr);
  void* orig = reinterpret_cast<void*>(1);
  CHECK(TVMFFIEnvSetStream(kDLCUDA, 0, reinterpret_cast<void*>(0x1234), &orig) == 0);
  CHECK(orig == nullptr && TVMFFIEnvGetStream(kDLCUDA, 0) == reinterpret_cast<void*>(0x1234));
  CHECK(TVMFFIEnvGetStream(kDLCUDA, 1) == nullptr);
  CHECK(TVMFFIEnvSetStream(kDLCUDA, 0, reinterpret_cast<void*>(0x5678), &orig) == 0);
  CHECK(orig == reinterpret_cast<void*>(0x1234));

  CHECK(TVMFFIEnvCheckSignals() == 0);
  static int signal_checks = 0;
  CHECK(TVMFFIEnvRegisterCAPI("TVMFFIEnvCheckSignals", reinterpret_cast<void*>(+[]() -> int {
                                ++signal_checks;
                                return 0;
                              })) == 0);
  CHECK(TVMFFIEnvCheckSignals() == 0 && signal_checks == 1);

  static void* handle = nullptr;
  static std::atomic<int> inits{0};
  auto init = [](void** out) -> int {
    ++inits;
    *out = reinterpret_cast<void*>(0xabc);
    return 0;
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { TVMFFIHandleInitOnce(&handle, init); });
  for (auto& th : threads) th.join();
  CHECK(inits == 1 && handle == reinterpret_cast<void*>(0xabc));
  static int deinits = 0;
  auto deinit = [](void*) -> int {
    ++deinits;
    return 0;
  };
  CHECK(TVMFFIHandleDeinitOnce(&handle, deinit) == 0 && handle == nullptr && deinits == 1);
  CHECK(TVMFFIHandleDeinitOnce(&handle, deinit) == 0 && deinits == 1);

  Section("opaque");
  static int opaque_deleted = 0;
  TVMFFIObjectHandle op = nullptr;
  CHECK(TVMFFIObjectCreateOpaque(reinterpret_cast<void*>(0x77), kTVMFFIOpaquePyObject,
                                 [](void*) { ++opaque_deleted; }, &op) == 0);
  CHECK(TVMFFIOpaqueObjectGetCellPtr(op)->handle == reinterpret_cast<void*>(0x77));
  TVMFFIObjectDecRef(op);
  CHECK(opaque_deleted == 1);
  CHECK(TVMFFIObjectCreateOpaque(nullptr, kTVMFFIStr, nullptr, &op) != 0);
  CHECK(TakeError().first == "ValueError");
}

static void TestModules() {
  Section("modules");
  static int lib_destroyed = 0, dep_destroyed = 0;
  static void* dep_ctx = nullptr;
  static void* custom_ctx_slot = nullptr;
  static int custom_ctx_value = 0;
  CHECK(TVMFFIEnvModRegisterContextSymbol("__selftest_custom_ctx", &custom_ctx_value) == 0);
  bool found = false;
  for (auto& kv : ContextSymbols()) found |= kv.first == "__selftest_custom_ctx";
  CHECK(found);

  TVMFFIObject* dep = CreateLibraryModule(
      "test", "dep",
      [](const std::string& s) -> void* {
        if (s == "__tvm_ffi_add_c") return reinterpret_cast<void*>(&selftest_c_add);
        if (s == "__tvm_ffi__library_ctx") return &dep_ctx;
        return nullptr;
      },
      [] { ++dep_destroyed; });
  TVMFFIObject* lib = CreateLibraryModule(
      "test", "lib",
      [](const std::string& s) -> void* {
        if (s == "__tvm_ffi__library_ctx") return &selftest_library_ctx;
        if (s == "__selftest_custom_ctx") return &custom_ctx_slot;
        return nullptr;
      },
      [] { ++lib_destroyed; });
  CHECK(IsLibraryModule(lib) && lib->type_index == kTVMFFIModule && ModuleName(lib) == "lib");
  CHECK(InitContextSymbols(lib) == 2);
  CHECK(selftest_library_ctx == lib && custom_ctx_slot == &custom_ctx_value);
  CHECK(RC(lib) == 0x100000001ull);  // the ctx pointer is borrowed
  ModuleImport(lib, dep);
  ObjectDecRef(dep);  // lib's import keeps it alive
  CHECK(dep_destroyed == 0);

  CHECK(ModuleGetFunction(lib, "add_c", false) == nullptr);
  TVMFFIObject* f = ModuleGetFunction(lib, "add_c", true);
  CHECK(f != nullptr);
  TVMFFIAny args[2] = {Int(2), Int(3)}, res;
  CallFunction(f, args, 2, &res);
  CHECK(res.v_int64 == 5);

  // Generated code: TVMFFIEnvModLookupFromImports(ctx, name) -> cached borrowed function.
  TVMFFIObjectHandle looked = nullptr, again = nullptr;
  CHECK(TVMFFIEnvModLookupFromImports(selftest_library_ctx, "add_c", &looked) == 0);
  CHECK(TVMFFIEnvModLookupFromImports(selftest_library_ctx, "add_c", &again) == 0);
  CHECK(looked != nullptr && looked == again && RC(looked) == 0x100000001ull);
  CHECK(TVMFFIEnvModLookupFromImports(selftest_library_ctx, "nope", &looked) != 0);
  CHECK(TakeError().first == "RuntimeError");
  CHECK(TVMFFIEnvModLookupFromImports(f, "add_c", &looked) != 0);  // not a module
  TakeError();

  // Through the builtin global.
  TVMFFIObject* getter = GetGlobalFunction("ffi.ModuleGetFunction");
  TVMFFIAny gargs[3];
  gargs[0] = AnyNone();
  gargs[0].type_index = kTVMFFIModule;
  gargs[0].v_obj = dep;
  gargs[1] = AnyNone();
  gargs[1].type_index = kTVMFFIRawStr;
  gargs[1].v_c_str = "add_c";
  TVMFFIAny gf;
  CallFunction(getter, gargs, 2, &gf);
  CHECK(gf.type_index == kTVMFFIFunction);
  AnyRelease(&gf);
  ObjectDecRef(getter);

  // A function handle pins its module: lib dies first, dep only when f is gone.
  ObjectDecRef(lib);
  CHECK(lib_destroyed == 1 && dep_destroyed == 0);
  CallFunction(f, args, 2, &res);
  CHECK(res.v_int64 == 5);
  ObjectDecRef(f);
  CHECK(dep_destroyed == 1);

  CHECK(TVMFFIEnvModRegisterSystemLibSymbol("__tvm_ffi_sys", &custom_ctx_value) == 0);
  CHECK(SystemLibSymbols().size() == 1 && SystemLibSymbols()[0].second == &custom_ctx_value);
}

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep output if a check crashes the process
  TestVersionAndSymbols();
  TestRefcount();
  TestCustomAllocator();
  TestStrings();
  TestAnyView();
  TestErrors();
  TestTypeTable();
  TestReflection();
  TestDType();
  TestTensors();
  TestFunctions();
  TestEnv();
  TestModules();
  ErrorInfo leftover;
  g_section = "end";
  CHECK(!TakeRaisedError(&leftover));
  std::printf("runtime selftest: %d checks, %d failed\n", g_checks, g_failures);
  return g_failures == 0 ? 0 : 1;
}
