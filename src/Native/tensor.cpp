// tensor.cpp - tensor lifetime, creation, copy-out, metadata, autograd and basic ops.
#include "common.h"

#include <c10/util/accumulate.h>

#include <cmath>
#include <cstring>
#include <sstream>

namespace mc {

static thread_local std::string g_last_error;
static thread_local std::string g_return_string;

void set_error(const char* msg) { g_last_error = msg ? msg : "(null message)"; }
void set_error(const std::string& msg) { g_last_error = msg; }
const char* return_string(std::string s) {
  g_return_string = std::move(s);
  return g_return_string.c_str();
}

static at::IntArrayRef dims(const int64_t* shape, int ndim) {
  if (ndim < 0) throw std::invalid_argument("negative ndim");
  if (ndim > 0 && shape == nullptr) throw std::invalid_argument("null shape pointer");
  return at::IntArrayRef(shape, static_cast<size_t>(ndim));
}

static at::TensorOptions opts(int dtype, int devtype, int devidx) {
  return at::TensorOptions().dtype(to_dtype(dtype)).device(to_device(devtype, devidx));
}

// alpha for add/sub: an integral-valued alpha is passed as an integer Scalar so that
// integer tensors work (libtorch rejects a floating alpha for integral inputs).
static at::Scalar alpha_for(const at::Tensor& t, double alpha) {
  if (at::isIntegralType(t.scalar_type(), /*includeBool=*/true) && std::floor(alpha) == alpha)
    return at::Scalar(static_cast<int64_t>(alpha));
  return at::Scalar(alpha);
}

static c10::optional<at::Generator> opt_gen(const at::Generator* g) {
  if (g == nullptr) return {};
  return *g;
}

} // namespace mc

using mc::deref;
using mc::TensorHandle;

// ---------------------------------------------------------------- errors
MC_EXPORT const char* mc_last_error() { return mc::g_last_error.c_str(); }
MC_EXPORT void mc_clear_error() { mc::g_last_error.clear(); }

// ---------------------------------------------------------------- lifetime
MC_EXPORT void mc_tensor_free(TensorHandle t) { delete t; }

// A new handle to the same tensor (shares TensorImpl, like Python aliasing a name).
MC_EXPORT TensorHandle mc_tensor_alias(TensorHandle t) { MC_TENSOR(deref(t)); }

// ---------------------------------------------------------------- creation
// Copies numel*elemsize bytes from `data` (host memory); result lives on the given device.
MC_EXPORT TensorHandle mc_tensor_from_data(const void* data, int dtype, const int64_t* shape,
                                           int ndim, int devtype, int devidx) {
  MC_TRY
    auto sizes = mc::dims(shape, ndim);
    auto st = mc::to_dtype(dtype);
    int64_t n = c10::multiply_integers(sizes);
    if (n > 0 && data == nullptr) throw std::invalid_argument("null data pointer");
    at::Tensor out = torch::empty(sizes, at::TensorOptions().dtype(st));
    if (n > 0) std::memcpy(out.data_ptr(), data, static_cast<size_t>(n) * c10::elementSize(st));
    auto dev = mc::to_device(devtype, devidx);
    if (!dev.is_cpu()) out = out.to(dev);
    return mc::wrap(std::move(out));
  MC_CATCH(nullptr)
}

MC_EXPORT TensorHandle mc_tensor_zeros(const int64_t* shape, int ndim, int dtype, int devtype, int devidx) {
  MC_TENSOR(torch::zeros(mc::dims(shape, ndim), mc::opts(dtype, devtype, devidx)));
}
MC_EXPORT TensorHandle mc_tensor_ones(const int64_t* shape, int ndim, int dtype, int devtype, int devidx) {
  MC_TENSOR(torch::ones(mc::dims(shape, ndim), mc::opts(dtype, devtype, devidx)));
}
MC_EXPORT TensorHandle mc_tensor_empty(const int64_t* shape, int ndim, int dtype, int devtype, int devidx) {
  MC_TENSOR(torch::empty(mc::dims(shape, ndim), mc::opts(dtype, devtype, devidx)));
}
MC_EXPORT TensorHandle mc_tensor_full(const int64_t* shape, int ndim, double value, int dtype, int devtype, int devidx) {
  MC_TENSOR(torch::full(mc::dims(shape, ndim), value, mc::opts(dtype, devtype, devidx)));
}
MC_EXPORT TensorHandle mc_tensor_arange(double start, double end, double step, int dtype, int devtype, int devidx) {
  MC_TENSOR(torch::arange(start, end, step, mc::opts(dtype, devtype, devidx)));
}

// ---------------------------------------------------------------- metadata
MC_EXPORT int64_t mc_tensor_ndim(TensorHandle t) { MC_TRY return deref(t).dim(); MC_CATCH(-1) }

// Writes up to `cap` sizes; returns ndim (or -1).
MC_EXPORT int64_t mc_tensor_shape(TensorHandle t, int64_t* out, int cap) {
  MC_TRY
    auto s = deref(t).sizes();
    for (size_t i = 0; i < s.size() && static_cast<int>(i) < cap; ++i) out[i] = s[i];
    return static_cast<int64_t>(s.size());
  MC_CATCH(-1)
}
MC_EXPORT int64_t mc_tensor_size(TensorHandle t, int64_t dim) { MC_TRY return deref(t).size(dim); MC_CATCH(-1) }
MC_EXPORT int64_t mc_tensor_numel(TensorHandle t) { MC_TRY return deref(t).numel(); MC_CATCH(-1) }
MC_EXPORT int mc_tensor_dtype(TensorHandle t) {
  MC_TRY return static_cast<int>(deref(t).scalar_type()); MC_CATCH(-1)
}
MC_EXPORT int mc_tensor_device(TensorHandle t, int* type, int* index) {
  MC_STATUS(
    auto d = deref(t).device();
    *type = static_cast<int>(d.type());
    *index = static_cast<int>(d.index()))
}
MC_EXPORT int mc_tensor_requires_grad(TensorHandle t) { MC_TRY return deref(t).requires_grad() ? 1 : 0; MC_CATCH(-1) }
MC_EXPORT int mc_tensor_is_leaf(TensorHandle t) { MC_TRY return deref(t).is_leaf() ? 1 : 0; MC_CATCH(-1) }
MC_EXPORT const char* mc_tensor_str(TensorHandle t) {
  MC_TRY
    std::ostringstream os;
    os << deref(t);
    return mc::return_string(os.str());
  MC_CATCH(nullptr)
}

// ---------------------------------------------------------------- copy-out / item
// Copies the tensor (moved to CPU, made contiguous) into dest; nbytes must match exactly.
MC_EXPORT int mc_tensor_copy_to(TensorHandle t, void* dest, int64_t nbytes) {
  MC_TRY
    at::Tensor src = deref(t).detach();
    if (!src.device().is_cpu()) src = src.to(at::kCPU);
    src = src.contiguous();
    int64_t need = src.numel() * static_cast<int64_t>(src.element_size());
    if (need != nbytes)
      throw std::invalid_argument("copy_to: destination has " + std::to_string(nbytes) +
                                  " bytes but tensor needs " + std::to_string(need));
    if (need > 0) std::memcpy(dest, src.data_ptr(), static_cast<size_t>(need));
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT int mc_tensor_item_double(TensorHandle t, double* out) { MC_STATUS(*out = deref(t).item().toDouble()) }
MC_EXPORT int mc_tensor_item_int64(TensorHandle t, int64_t* out) { MC_STATUS(*out = deref(t).item().toLong()) }

// ---------------------------------------------------------------- conversion
MC_EXPORT TensorHandle mc_tensor_to_device(TensorHandle t, int devtype, int devidx, int non_blocking) {
  MC_TENSOR(deref(t).to(mc::to_device(devtype, devidx), /*non_blocking=*/non_blocking != 0));
}
MC_EXPORT TensorHandle mc_tensor_to_dtype(TensorHandle t, int dtype) { MC_TENSOR(deref(t).to(mc::to_dtype(dtype))); }
MC_EXPORT TensorHandle mc_tensor_detach(TensorHandle t) { MC_TENSOR(deref(t).detach()); }
MC_EXPORT TensorHandle mc_tensor_clone(TensorHandle t) { MC_TENSOR(deref(t).clone()); }
MC_EXPORT TensorHandle mc_tensor_contiguous(TensorHandle t) { MC_TENSOR(deref(t).contiguous()); }

// ---------------------------------------------------------------- autograd
MC_EXPORT int mc_tensor_set_requires_grad(TensorHandle t, int on) { MC_STATUS(deref(t).requires_grad_(on != 0)) }
// *out = new handle, or NULL when the grad is undefined.
MC_EXPORT int mc_tensor_grad(TensorHandle t, TensorHandle* out) {
  MC_TRY
    const at::Tensor& g = deref(t).grad();
    *out = g.defined() ? mc::wrap(g) : nullptr;
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT int mc_tensor_backward(TensorHandle t) { MC_STATUS(deref(t).backward()) }

// ---------------------------------------------------------------- in-place
MC_EXPORT int mc_tensor_zero_(TensorHandle t) { MC_STATUS(deref(t).zero_()) }
MC_EXPORT int mc_tensor_fill_(TensorHandle t, double v) { MC_STATUS(deref(t).fill_(v)) }
MC_EXPORT int mc_tensor_copy_(TensorHandle t, TensorHandle src) { MC_STATUS(deref(t).copy_(deref(src))) }
MC_EXPORT int mc_tensor_uniform_(TensorHandle t, double from, double to, const at::Generator* g) {
  MC_STATUS(deref(t).uniform_(from, to, mc::opt_gen(g)))
}
MC_EXPORT int mc_tensor_normal_(TensorHandle t, double mean, double stdv, const at::Generator* g) {
  MC_STATUS(deref(t).normal_(mean, stdv, mc::opt_gen(g)))
}
MC_EXPORT int mc_tensor_add_(TensorHandle t, TensorHandle other, double alpha) { MC_STATUS(deref(t).add_(deref(other), mc::alpha_for(deref(t), alpha))) }
MC_EXPORT int mc_tensor_mul_scalar_(TensorHandle t, double v) { MC_STATUS(deref(t).mul_(v)) }

// ---------------------------------------------------------------- shape ops
MC_EXPORT TensorHandle mc_tensor_view(TensorHandle t, const int64_t* shape, int ndim) { MC_TENSOR(deref(t).view(mc::dims(shape, ndim))); }
MC_EXPORT TensorHandle mc_tensor_reshape(TensorHandle t, const int64_t* shape, int ndim) { MC_TENSOR(deref(t).reshape(mc::dims(shape, ndim))); }
MC_EXPORT TensorHandle mc_tensor_narrow(TensorHandle t, int64_t dim, int64_t start, int64_t length) { MC_TENSOR(deref(t).narrow(dim, start, length)); }
MC_EXPORT TensorHandle mc_tensor_flatten(TensorHandle t, int64_t start_dim, int64_t end_dim) { MC_TENSOR(deref(t).flatten(start_dim, end_dim)); }
MC_EXPORT TensorHandle mc_tensor_unsqueeze(TensorHandle t, int64_t dim) { MC_TENSOR(deref(t).unsqueeze(dim)); }
MC_EXPORT TensorHandle mc_tensor_squeeze(TensorHandle t, int64_t dim) { MC_TENSOR(deref(t).squeeze(dim)); }
MC_EXPORT TensorHandle mc_tensor_transpose(TensorHandle t, int64_t d0, int64_t d1) { MC_TENSOR(deref(t).transpose(d0, d1)); }
MC_EXPORT TensorHandle mc_tensor_index_select(TensorHandle t, int64_t dim, TensorHandle index) { MC_TENSOR(deref(t).index_select(dim, deref(index))); }

// ---------------------------------------------------------------- reductions / comparison
MC_EXPORT TensorHandle mc_tensor_argmax(TensorHandle t, int64_t dim, int keepdim) { MC_TENSOR(deref(t).argmax(dim, keepdim != 0)); }
MC_EXPORT TensorHandle mc_tensor_argmax_all(TensorHandle t) { MC_TENSOR(deref(t).argmax()); }
MC_EXPORT int mc_tensor_max_dim(TensorHandle t, int64_t dim, int keepdim, TensorHandle* values, TensorHandle* indices) {
  MC_TRY
    auto r = deref(t).max(dim, keepdim != 0);
    *values = mc::wrap(std::get<0>(r));
    *indices = mc::wrap(std::get<1>(r));
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT TensorHandle mc_tensor_max_all(TensorHandle t) { MC_TENSOR(deref(t).max()); }
MC_EXPORT TensorHandle mc_tensor_min_all(TensorHandle t) { MC_TENSOR(deref(t).min()); }
MC_EXPORT TensorHandle mc_tensor_eq(TensorHandle a, TensorHandle b) { MC_TENSOR(deref(a).eq(deref(b))); }
MC_EXPORT TensorHandle mc_tensor_eq_scalar(TensorHandle a, double b) { MC_TENSOR(deref(a).eq(b)); }
MC_EXPORT TensorHandle mc_tensor_sum_all(TensorHandle t) { MC_TENSOR(deref(t).sum()); }
MC_EXPORT TensorHandle mc_tensor_sum_dim(TensorHandle t, int64_t dim, int keepdim) {
  MC_TENSOR(deref(t).sum(at::IntArrayRef(&dim, 1), keepdim != 0));
}
MC_EXPORT TensorHandle mc_tensor_mean_all(TensorHandle t) { MC_TENSOR(deref(t).mean()); }
MC_EXPORT TensorHandle mc_tensor_mean_dim(TensorHandle t, int64_t dim, int keepdim) {
  MC_TENSOR(deref(t).mean(at::IntArrayRef(&dim, 1), keepdim != 0));
}
MC_EXPORT int mc_tensor_allclose(TensorHandle a, TensorHandle b, double rtol, double atol) {
  MC_TRY return deref(a).allclose(deref(b), rtol, atol) ? 1 : 0; MC_CATCH(-1)
}
MC_EXPORT int mc_tensor_equal(TensorHandle a, TensorHandle b) { MC_TRY return deref(a).equal(deref(b)) ? 1 : 0; MC_CATCH(-1) }

// ---------------------------------------------------------------- arithmetic
MC_EXPORT TensorHandle mc_tensor_add(TensorHandle a, TensorHandle b, double alpha) { MC_TENSOR(deref(a).add(deref(b), mc::alpha_for(deref(a), alpha))); }
MC_EXPORT TensorHandle mc_tensor_sub(TensorHandle a, TensorHandle b, double alpha) { MC_TENSOR(deref(a).sub(deref(b), mc::alpha_for(deref(a), alpha))); }
MC_EXPORT TensorHandle mc_tensor_mul(TensorHandle a, TensorHandle b) { MC_TENSOR(deref(a).mul(deref(b))); }
MC_EXPORT TensorHandle mc_tensor_div(TensorHandle a, TensorHandle b) { MC_TENSOR(deref(a).div(deref(b))); }
MC_EXPORT TensorHandle mc_tensor_add_scalar(TensorHandle a, double b) { MC_TENSOR(deref(a).add(b)); }
MC_EXPORT TensorHandle mc_tensor_mul_scalar(TensorHandle a, double b) { MC_TENSOR(deref(a).mul(b)); }
MC_EXPORT TensorHandle mc_tensor_div_scalar(TensorHandle a, double b) { MC_TENSOR(deref(a).div(b)); }
// Integer scalars (keep integer dtypes, like Python ints).
MC_EXPORT TensorHandle mc_tensor_add_scalar_i(TensorHandle a, int64_t b) { MC_TENSOR(deref(a).add(b)); }
MC_EXPORT TensorHandle mc_tensor_mul_scalar_i(TensorHandle a, int64_t b) { MC_TENSOR(deref(a).mul(b)); }
MC_EXPORT TensorHandle mc_tensor_rsub_scalar_i(TensorHandle a, int64_t b) { MC_TENSOR(at::rsub(deref(a), b)); }
MC_EXPORT TensorHandle mc_tensor_remainder_scalar_i(TensorHandle a, int64_t b) { MC_TENSOR(deref(a).remainder(b)); }
MC_EXPORT TensorHandle mc_tensor_rsub_scalar(TensorHandle a, double b) { MC_TENSOR(at::rsub(deref(a), b)); }
MC_EXPORT TensorHandle mc_tensor_pow_scalar(TensorHandle a, double e) { MC_TENSOR(deref(a).pow(e)); }
MC_EXPORT TensorHandle mc_tensor_neg(TensorHandle a) { MC_TENSOR(deref(a).neg()); }
MC_EXPORT TensorHandle mc_tensor_exp(TensorHandle a) { MC_TENSOR(deref(a).exp()); }
MC_EXPORT TensorHandle mc_tensor_log(TensorHandle a) { MC_TENSOR(deref(a).log()); }
MC_EXPORT TensorHandle mc_tensor_sqrt(TensorHandle a) { MC_TENSOR(deref(a).sqrt()); }
MC_EXPORT TensorHandle mc_tensor_abs(TensorHandle a) { MC_TENSOR(deref(a).abs()); }
MC_EXPORT TensorHandle mc_tensor_matmul(TensorHandle a, TensorHandle b) { MC_TENSOR(deref(a).matmul(deref(b))); }
