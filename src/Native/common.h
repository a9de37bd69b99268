// common.h - shared helpers for the mnist-claims libtorch shim.
//
// ABI conventions (see README.md):
//  * every export is extern "C" and never lets a C++ exception escape;
//  * failures store a message in a thread-local slot readable via mc_last_error();
//  * functions returning a handle return NULL on failure; functions returning int
//    return 0 (MC_OK) on success and -1 (MC_ERR) on failure;
//  * tensors cross the ABI as heap-allocated at::Tensor* handles (mc_tensor_free).
#pragma once

#include <torch/torch.h>
#include <torch/version.h>

#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#if defined(_WIN32)
#define MC_EXPORT extern "C" __declspec(dllexport)
#else
#define MC_EXPORT extern "C" __attribute__((visibility("default")))
#endif

#define MC_OK 0
#define MC_ERR (-1)

namespace mc {

// Thread-local error slot (defined in tensor.cpp).
void set_error(const char* msg);
void set_error(const std::string& msg);
// Thread-local slot for returned strings (valid until the next string-returning call).
const char* return_string(std::string s);

using TensorHandle = at::Tensor*;

inline TensorHandle wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

inline const at::Tensor& deref(const at::Tensor* t) {
  if (t == nullptr) throw std::invalid_argument("null tensor handle");
  return *t;
}

// Maps the managed ScalarType values (which equal c10::ScalarType ordinals) with validation.
inline at::ScalarType to_dtype(int v) {
  switch (v) {
    case 0: return at::kByte;
    case 3: return at::kInt;
    case 4: return at::kLong;
    case 6: return at::kFloat;
    case 7: return at::kDouble;
    case 11: return at::kBool;
    default: throw std::invalid_argument("unsupported dtype code " + std::to_string(v));
  }
}

inline at::Device to_device(int type, int index) {
  switch (type) {
    case 0: return at::Device(at::kCPU);
    case 1: return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
    default: throw std::invalid_argument("unsupported device type " + std::to_string(type));
  }
}

} // namespace mc

#define MC_TRY try {
#define MC_CATCH(errval)                                            \
  }                                                                 \
  catch (const c10::Error& e) {                                     \
    mc::set_error(e.what_without_backtrace());                      \
    return errval;                                                  \
  }                                                                 \
  catch (const std::exception& e) {                                 \
    mc::set_error(e.what());                                        \
    return errval;                                                  \
  }                                                                 \
  catch (...) {                                                     \
    mc::set_error("unknown native exception");                      \
    return errval;                                                  \
  }

// Wraps an expression producing an at::Tensor into a handle-returning body.
#define MC_TENSOR(...) MC_TRY return mc::wrap(__VA_ARGS__); MC_CATCH(nullptr)
// Runs statements, returning MC_OK / MC_ERR.
#define MC_STATUS(...) MC_TRY __VA_ARGS__; return MC_OK; MC_CATCH(MC_ERR)
