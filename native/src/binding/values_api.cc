// The value layer's exports (`exports.values`, described in src/native/binding.ts), one
// table; the functions live in one file per concern (binding/values_api.h).
#include "binding/values_api.h"

#include "binding/async_call.h"
#include "binding/function.h"
#include "binding/js_memory.h"
#include "binding/values.h"

namespace orcjit::binding {

void InitValues(Napi::Env env, Napi::Object exports) {
  Napi::Object v = Napi::Object::New(env);
  auto def = [&](const char* name, Napi::Function::Callback cb) {
    v.Set(name, Napi::Function::New(env, cb, name));
  };
  def("boxDataType", BoxDataType);
  def("boxDevice", BoxDevice);
  def("boxFloat", BoxFloat);
  def("setFunctionSignature", SetFunctionSignature);
  def("setValueSignature", SetValueSignature);  // [k12t]
  def("boxTensor", BoxTensor);
  def("dtypeParse", DTypeParse);
  def("dtypeToString", DTypeToString);
  def("getGlobalFunc", GetGlobalFunc);
  def("listGlobalFuncs", ListGlobalFuncs);
  def("registerGlobalFunc", RegisterGlobalFunc);
  def("removeGlobalFunc", RemoveGlobalFunc);
  def("typeKeyToIndex", TypeKeyToIndex);
  def("typeInfo", TypeInfoFn);
  def("getField", GetField);
  def("setField", SetField);
  def("callMethod", CallMethod);
  def("callStatic", CallStatic);
  def("disposeValue", DisposeValue);
  def("valueTypeIndex", ValueTypeIndex);
  def("sameObject", SameObject);
  def("openShared", OpenShared);
  def("sharedGetFunction", SharedGetFunction);
  InitJsMemory(env, v);  // viewInfo
  InitAsync(env, v);     // [i16] callAsync, setAsyncThreads, asyncThreads, setInterruptHandler
  exports.Set("values", v);
}

}  // namespace orcjit::binding
