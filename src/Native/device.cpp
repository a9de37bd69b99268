// device.cpp - version handshake, build/parallel config, kernel choice, threads, CUDA queries, determinism.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>

#include <cctype>
#include <cstdlib>
#if !defined(_WIN32)
#include <dlfcn.h>
#endif

#define MC_ABI_VERSION 1

// ---------------------------------------------------------------- version handshake
MC_EXPORT int mc_abi_version() { return MC_ABI_VERSION; }
// TORCH_VERSION of the headers the shim was compiled against, e.g. "1.13.0".
MC_EXPORT const char* mc_torch_version() { return TORCH_VERSION; }
MC_EXPORT int mc_torch_version_major() { return TORCH_VERSION_MAJOR; }
MC_EXPORT int mc_torch_version_minor() { return TORCH_VERSION_MINOR; }
MC_EXPORT int mc_built_with_cuda() {
#if defined(MC_TORCH_HAS_CUDA)
  return 1;
#else
  return 0;
#endif
}
MC_EXPORT const char* mc_show_config() { MC_TRY return mc::return_string(at::show_config()); MC_CATCH(nullptr) }
MC_EXPORT const char* mc_parallel_info() { MC_TRY return mc::return_string(at::get_parallel_info()); MC_CATCH(nullptr) }

// ---------------------------------------------------------------- kernel choice (what decides the CPU bits)
// The vectorised kernel set ATen dispatches to: "default", "avx2" or "avx512" (ATEN_CPU_CAPABILITY, read
// once by libtorch itself). at::get_cpu_capability is not exported by libtorch 1.13, but show_config()
// reports the same value ("CPU capability usage: AVX2"; "NO AVX" for the default kernels).
MC_EXPORT const char* mc_cpu_capability() {
  MC_TRY
    const std::string config = at::show_config();
    const std::string key = "CPU capability usage: ";
    auto at = config.find(key);
    if (at == std::string::npos) return mc::return_string("unknown");
    auto end = config.find('\n', at);
    std::string value = config.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
    if (value == "NO AVX" || value == "DEFAULT") return mc::return_string("default");
    for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return mc::return_string(value);
  MC_CATCH(nullptr)
}

// The OpenBLAS kernel set in use (openblas_get_corename, e.g. "Haswell", "Zen", "SkylakeX"; chosen when
// OpenBLAS loads, from OPENBLAS_CORETYPE or the CPU) and its build string. Empty when the BLAS libtorch
// uses is not OpenBLAS (the symbols are looked up in the process, not linked).
MC_EXPORT const char* mc_openblas_corename() {
  MC_TRY
#if defined(_WIN32)
    return "";
#else
    using name_t = char* (*)();
    auto f = reinterpret_cast<name_t>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    return mc::return_string(f ? std::string(f()) : std::string());
#endif
  MC_CATCH(nullptr)
}
MC_EXPORT const char* mc_openblas_config() {
  MC_TRY
#if defined(_WIN32)
    return "";
#else
    using name_t = char* (*)();
    auto f = reinterpret_cast<name_t>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
    return mc::return_string(f ? std::string(f()) : std::string());
#endif
  MC_CATCH(nullptr)
}

// ---------------------------------------------------------------- threads
MC_EXPORT int mc_set_num_threads(int n) { MC_STATUS(at::set_num_threads(n)) }
MC_EXPORT int mc_get_num_threads() { MC_TRY return at::get_num_threads(); MC_CATCH(-1) }
MC_EXPORT int mc_set_num_interop_threads(int n) { MC_STATUS(at::set_num_interop_threads(n)) }
MC_EXPORT int mc_get_num_interop_threads() { MC_TRY return at::get_num_interop_threads(); MC_CATCH(-1) }

// ---------------------------------------------------------------- CUDA
MC_EXPORT int mc_cuda_is_available() { MC_TRY return torch::cuda::is_available() ? 1 : 0; MC_CATCH(-1) }
MC_EXPORT int mc_cuda_device_count() { MC_TRY return static_cast<int>(torch::cuda::device_count()); MC_CATCH(-1) }

// Device name through the CUDA driver API (dlopen'd, so CPU-only builds need no CUDA headers).
// Returns NULL (with error set) when unavailable.
MC_EXPORT const char* mc_cuda_device_name(int index) {
  MC_TRY
#if defined(_WIN32)
    throw std::runtime_error("cuda_device_name is not implemented on Windows");
#else
    if (!torch::cuda::is_available()) throw std::runtime_error("CUDA is not available");
    static void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) throw std::runtime_error("could not dlopen libcuda.so.1");
    using init_t = int (*)(unsigned int);
    using get_t = int (*)(int*, int);
    using name_t = int (*)(char*, int, int);
    auto cu_init = reinterpret_cast<init_t>(dlsym(lib, "cuInit"));
    auto cu_get = reinterpret_cast<get_t>(dlsym(lib, "cuDeviceGet"));
    auto cu_name = reinterpret_cast<name_t>(dlsym(lib, "cuDeviceGetName"));
    if (!cu_init || !cu_get || !cu_name) throw std::runtime_error("CUDA driver symbols not found");
    if (cu_init(0) != 0) throw std::runtime_error("cuInit failed");
    int dev = 0;
    if (cu_get(&dev, index) != 0) throw std::runtime_error("cuDeviceGet failed for index " + std::to_string(index));
    char buf[256] = {0};
    if (cu_name(buf, sizeof(buf) - 1, dev) != 0) throw std::runtime_error("cuDeviceGetName failed");
    return mc::return_string(buf);
#endif
  MC_CATCH(nullptr)
}

// ---------------------------------------------------------------- determinism
// deterministic_algorithms -> torch.use_deterministic_algorithms(b)
// cudnn_deterministic/benchmark -> torch.backends.cudnn.{deterministic,benchmark}
// allow_tf32 -> torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
// When enabling deterministic algorithms, CUBLAS_WORKSPACE_CONFIG=:4096:8 is set if absent
// (only effective before the first cuBLAS handle is created).
MC_EXPORT int mc_set_deterministic(int deterministic_algorithms, int cudnn_deterministic, int cudnn_benchmark, int allow_tf32) {
  MC_TRY
    auto& ctx = at::globalContext();
#if !defined(_WIN32)
    if (deterministic_algorithms) setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
#endif
#if TORCH_VERSION_MAJOR > 1 || (TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR >= 11)
    ctx.setDeterministicAlgorithms(deterministic_algorithms != 0, /*warn_only=*/false);
#else
    ctx.setDeterministicAlgorithms(deterministic_algorithms != 0);
#endif
    ctx.setDeterministicCuDNN(cudnn_deterministic != 0);
    ctx.setBenchmarkCuDNN(cudnn_benchmark != 0);
    ctx.setAllowTF32CuBLAS(allow_tf32 != 0);
    ctx.setAllowTF32CuDNN(allow_tf32 != 0);
    return MC_OK;
  MC_CATCH(MC_ERR)
}
// out[0..4] = deterministic_algorithms, cudnn_deterministic, cudnn_benchmark, tf32_cublas, tf32_cudnn
MC_EXPORT int mc_get_deterministic(int* out) {
  MC_TRY
    auto& ctx = at::globalContext();
    out[0] = ctx.deterministicAlgorithms() ? 1 : 0;
    out[1] = ctx.deterministicCuDNN() ? 1 : 0;
    out[2] = ctx.benchmarkCuDNN() ? 1 : 0;
    out[3] = ctx.allowTF32CuBLAS() ? 1 : 0;
    out[4] = ctx.allowTF32CuDNN() ? 1 : 0;
    return MC_OK;
  MC_CATCH(MC_ERR)
}
