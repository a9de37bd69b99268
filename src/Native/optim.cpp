// optim.cpp - optimizers (op-for-op ports of PyTorch 1.13 _single_tensor_sgd /
// _single_tensor_adam), RNG (seed, generators, randperm) and the grad-mode guard.
#include "common.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <memory>
#include <vector>

using mc::deref;
using mc::TensorHandle;

namespace mc {

class Optimizer {
 public:
  explicit Optimizer(std::vector<at::Tensor> params, double lr) : params_(std::move(params)), lr_(lr) {}
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  // set_to_none semantics (PyTorch >= 2.0 default).
  void zero_grad() {
    for (auto& p : params_) {
      if (p.grad().defined()) p.mutable_grad() = at::Tensor();
    }
  }

 protected:
  std::vector<at::Tensor> params_;

 public:
  double lr_;
};

// torch/optim/sgd.py::_single_tensor_sgd (maximize=False, dense grads)
class SGD final : public Optimizer {
 public:
  SGD(std::vector<at::Tensor> params, double lr, double momentum, double dampening, double weight_decay, bool nesterov)
      : Optimizer(std::move(params), lr), momentum_(momentum), dampening_(dampening),
        weight_decay_(weight_decay), nesterov_(nesterov), buf_(params_.size()) {
    if (lr < 0) throw std::invalid_argument("Invalid learning rate: " + std::to_string(lr));
    if (momentum < 0) throw std::invalid_argument("Invalid momentum value: " + std::to_string(momentum));
    if (weight_decay < 0) throw std::invalid_argument("Invalid weight_decay value: " + std::to_string(weight_decay));
    if (nesterov && (momentum <= 0 || dampening != 0))
      throw std::invalid_argument("Nesterov momentum requires a momentum and zero dampening");
  }
  void step() override {
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
      at::Tensor& param = params_[i];
      if (!param.grad().defined()) continue;
      at::Tensor d_p = param.grad();
      if (weight_decay_ != 0) d_p = d_p.add(param, weight_decay_);
      if (momentum_ != 0) {
        at::Tensor& buf = buf_[i];
        if (!buf.defined()) {
          buf = torch::clone(d_p).detach();
        } else {
          buf.mul_(momentum_).add_(d_p, 1 - dampening_);
        }
        if (nesterov_) {
          d_p = d_p.add(buf, momentum_);
        } else {
          d_p = buf;
        }
      }
      param.add_(d_p, -lr_);
    }
  }

 private:
  double momentum_, dampening_, weight_decay_;
  bool nesterov_;
  std::vector<at::Tensor> buf_;
};

// torch/optim/adam.py::_single_tensor_adam (maximize=False, capturable=False, differentiable=False)
class Adam final : public Optimizer {
 public:
  Adam(std::vector<at::Tensor> params, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad)
      : Optimizer(std::move(params), lr), beta1_(beta1), beta2_(beta2), eps_(eps), weight_decay_(weight_decay),
        amsgrad_(amsgrad), state_(params_.size()) {
    if (lr < 0) throw std::invalid_argument("Invalid learning rate: " + std::to_string(lr));
    if (eps < 0) throw std::invalid_argument("Invalid epsilon value: " + std::to_string(eps));
    if (beta1 < 0 || beta1 >= 1) throw std::invalid_argument("Invalid beta parameter at index 0: " + std::to_string(beta1));
    if (beta2 < 0 || beta2 >= 1) throw std::invalid_argument("Invalid beta parameter at index 1: " + std::to_string(beta2));
    if (weight_decay < 0) throw std::invalid_argument("Invalid weight_decay value: " + std::to_string(weight_decay));
  }
  void step() override {
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < params_.size(); ++i) {
      at::Tensor& param = params_[i];
      if (!param.grad().defined()) continue;
      State& s = state_[i];
      if (!s.exp_avg.defined()) {
        s.step = 0.0f;  // Python keeps `step` in a float32 tensor
        s.exp_avg = torch::zeros_like(param, at::MemoryFormat::Preserve);
        s.exp_avg_sq = torch::zeros_like(param, at::MemoryFormat::Preserve);
        if (amsgrad_) s.max_exp_avg_sq = torch::zeros_like(param, at::MemoryFormat::Preserve);
      }
      at::Tensor grad = param.grad();
      s.step += 1.0f;  // step_t += 1
      if (weight_decay_ != 0) grad = grad.add(param, weight_decay_);
      s.exp_avg.mul_(beta1_).add_(grad, 1 - beta1_);
      s.exp_avg_sq.mul_(beta2_).addcmul_(grad, grad, 1 - beta2_);
      const double step = static_cast<double>(s.step);  // step_t.item()
      const double bias_correction1 = 1 - std::pow(beta1_, step);
      const double bias_correction2 = 1 - std::pow(beta2_, step);
      const double step_size = lr_ / bias_correction1;
      const double bias_correction2_sqrt = std::sqrt(bias_correction2);
      at::Tensor denom;
      if (amsgrad_) {
        at::maximum_out(s.max_exp_avg_sq, s.max_exp_avg_sq, s.exp_avg_sq);
        denom = (s.max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps_);
      } else {
        denom = (s.exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps_);
      }
      param.addcdiv_(s.exp_avg, denom, -step_size);
    }
  }

 private:
  struct State {
    float step = 0.0f;
    at::Tensor exp_avg, exp_avg_sq, max_exp_avg_sq;
  };
  double beta1_, beta2_, eps_, weight_decay_;
  bool amsgrad_;
  std::vector<State> state_;
};

static std::vector<at::Tensor> collect(const TensorHandle* params, int n) {
  if (n < 0 || (n > 0 && params == nullptr)) throw std::invalid_argument("invalid parameter list");
  std::vector<at::Tensor> v;
  v.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v.push_back(deref(params[i]));  // shares TensorImpl with caller's handle
  return v;
}

} // namespace mc

// ---------------------------------------------------------------- optimizers
MC_EXPORT mc::Optimizer* mc_optim_sgd(const TensorHandle* params, int n, double lr, double momentum,
                                      double dampening, double weight_decay, int nesterov) {
  MC_TRY
    return new mc::SGD(mc::collect(params, n), lr, momentum, dampening, weight_decay, nesterov != 0);
  MC_CATCH(nullptr)
}
MC_EXPORT mc::Optimizer* mc_optim_adam(const TensorHandle* params, int n, double lr, double beta1, double beta2,
                                       double eps, double weight_decay, int amsgrad) {
  MC_TRY
    return new mc::Adam(mc::collect(params, n), lr, beta1, beta2, eps, weight_decay, amsgrad != 0);
  MC_CATCH(nullptr)
}
MC_EXPORT int mc_optim_step(mc::Optimizer* o) {
  MC_TRY
    if (!o) throw std::invalid_argument("null optimizer handle");
    o->step();
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT int mc_optim_zero_grad(mc::Optimizer* o) {
  MC_TRY
    if (!o) throw std::invalid_argument("null optimizer handle");
    o->zero_grad();
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT int mc_optim_set_lr(mc::Optimizer* o, double lr) {
  MC_TRY
    if (!o) throw std::invalid_argument("null optimizer handle");
    o->lr_ = lr;
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT double mc_optim_get_lr(mc::Optimizer* o) { return o ? o->lr_ : 0.0; }
MC_EXPORT void mc_optim_free(mc::Optimizer* o) { delete o; }

// ---------------------------------------------------------------- RNG
// Seeds the default CPU generator and (like torch.manual_seed) all CUDA generators.
MC_EXPORT int mc_manual_seed(int64_t seed) { MC_STATUS(torch::manual_seed(static_cast<uint64_t>(seed))) }
MC_EXPORT int mc_cuda_manual_seed_all(int64_t seed) { MC_STATUS(torch::cuda::manual_seed_all(static_cast<uint64_t>(seed))) }

MC_EXPORT at::Generator* mc_generator_new(int64_t seed) {
  MC_TRY return new at::Generator(at::detail::createCPUGenerator(static_cast<uint64_t>(seed))); MC_CATCH(nullptr)
}
MC_EXPORT int mc_generator_manual_seed(at::Generator* g, int64_t seed) {
  MC_TRY
    if (!g) throw std::invalid_argument("null generator handle");
    std::lock_guard<std::mutex> lock(g->mutex());
    g->set_current_seed(static_cast<uint64_t>(seed));
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT int mc_generator_initial_seed(at::Generator* g, int64_t* out) {
  MC_TRY
    if (!g) throw std::invalid_argument("null generator handle");
    std::lock_guard<std::mutex> lock(g->mutex());
    *out = static_cast<int64_t>(g->current_seed());
    return MC_OK;
  MC_CATCH(MC_ERR)
}
MC_EXPORT void mc_generator_free(at::Generator* g) { delete g; }

MC_EXPORT TensorHandle mc_randperm(int64_t n, const at::Generator* g /* nullable: default generator */) {
  MC_TRY
    auto o = at::TensorOptions().dtype(at::kLong);
    if (g) return mc::wrap(torch::randperm(n, *g, o));
    return mc::wrap(torch::randperm(n, o));
  MC_CATCH(nullptr)
}

// ---------------------------------------------------------------- grad mode (thread-local)
// Returns the previous state (1/0); restore it with mc_grad_set_enabled.
MC_EXPORT int mc_grad_set_enabled(int enabled) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(enabled != 0);
  return prev ? 1 : 0;
}
MC_EXPORT int mc_grad_is_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
