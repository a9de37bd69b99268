// fused.cpp - helpers for the fused (non-autograd) training engine in src/Harness/Engines/Fused.
// The fused engine computes forward/backward/update itself; only random draws that must match the
// libtorch engine bit for bit go through libtorch, in the same order and shape.
#include "common.h"

#include <cstring>

// Writes the dropout noise that torch::dropout(input [rows, cols] float32 CPU, p, train=true) would
// multiply its input by (0 or 1/(1-p)), drawn from the default generator exactly as that call draws it:
// the mask is dropout applied to a ones tensor of the same shape, so the op path (and RNG use) is the
// libtorch engine's own. Returns MC_OK / MC_ERR (message via mc_last_error).
MC_EXPORT int mc_fused_dropout_mask(float* dst, int64_t rows, int64_t cols, double p) {
  MC_TRY
    if (dst == nullptr) throw std::invalid_argument("null destination");
    if (rows < 0 || cols < 0) throw std::invalid_argument("negative shape");
    at::NoGradGuard no_grad;
    at::Tensor ones = at::ones({rows, cols}, at::TensorOptions().dtype(at::kFloat));
    at::Tensor noise = at::dropout(ones, p, /*train=*/true).contiguous();
    std::memcpy(dst, noise.data_ptr<float>(), static_cast<size_t>(rows * cols) * sizeof(float));
    return MC_OK;
  MC_CATCH(MC_ERR)
}

// The calling thread's x86 MXCSR (0 elsewhere). Tests read its sticky flags, denormal operand (0x02) and underflow
// (0x10), to check that the fused engine's exact paths do no subnormal arithmetic; `harness bench` reads FTZ|DAZ
// (0x8040) to confirm its flush-to-zero diagnosis process really runs with them. Never used to set them in a run.
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
MC_EXPORT unsigned mc_mxcsr_get() { return _mm_getcsr(); }
MC_EXPORT void mc_mxcsr_set(unsigned value) { _mm_setcsr(value); }
#else
MC_EXPORT unsigned mc_mxcsr_get() { return 0; }
MC_EXPORT void mc_mxcsr_set(unsigned) {}
#endif
