// nn.cpp - functional activations and losses (same ATen ops as torch.nn.functional).
#include "common.h"

namespace F = torch::nn::functional;
using mc::deref;
using mc::TensorHandle;

namespace {
// 0 = none, 1 = mean, 2 = sum (managed enum Reduction).
template <typename Opt>
Opt with_reduction(Opt o, int reduction) {
  switch (reduction) {
    case 0: o.reduction(torch::kNone); break;
    case 1: o.reduction(torch::kMean); break;
    case 2: o.reduction(torch::kSum); break;
    default: throw std::invalid_argument("unknown reduction code " + std::to_string(reduction));
  }
  return o;
}
const at::Tensor& opt_tensor(const at::Tensor* t) {
  static const at::Tensor undefined;
  return t ? *t : undefined;
}
} // namespace

// ---------------------------------------------------------------- layers / activations
MC_EXPORT TensorHandle mc_nn_linear(TensorHandle x, TensorHandle w, TensorHandle b /* nullable */) {
  MC_TENSOR(torch::linear(deref(x), deref(w), opt_tensor(b)));
}
MC_EXPORT TensorHandle mc_nn_relu(TensorHandle x) { MC_TENSOR(torch::relu(deref(x))); }
MC_EXPORT TensorHandle mc_nn_sigmoid(TensorHandle x) { MC_TENSOR(torch::sigmoid(deref(x))); }
MC_EXPORT TensorHandle mc_nn_tanh(TensorHandle x) { MC_TENSOR(torch::tanh(deref(x))); }
MC_EXPORT TensorHandle mc_nn_leaky_relu(TensorHandle x, double slope) { MC_TENSOR(torch::leaky_relu(deref(x), slope)); }
MC_EXPORT TensorHandle mc_nn_elu(TensorHandle x, double alpha) { MC_TENSOR(torch::elu(deref(x), alpha, 1.0, 1.0)); }
MC_EXPORT TensorHandle mc_nn_dropout(TensorHandle x, double p, int training) {
  MC_TENSOR(torch::dropout(deref(x), p, training != 0));
}
MC_EXPORT TensorHandle mc_nn_log_softmax(TensorHandle x, int64_t dim) { MC_TENSOR(torch::log_softmax(deref(x), dim)); }
MC_EXPORT TensorHandle mc_nn_softmax(TensorHandle x, int64_t dim) { MC_TENSOR(torch::softmax(deref(x), dim)); }
MC_EXPORT TensorHandle mc_nn_one_hot(TensorHandle labels, int64_t num_classes) {
  MC_TENSOR(torch::one_hot(deref(labels), num_classes));
}

// ---------------------------------------------------------------- losses
// target int64 => class indices; floating target => class probabilities (soft labels).
MC_EXPORT TensorHandle mc_nn_cross_entropy(TensorHandle input, TensorHandle target, int reduction, double label_smoothing) {
  MC_TENSOR(F::cross_entropy(deref(input), deref(target),
                             with_reduction(F::CrossEntropyFuncOptions(), reduction).label_smoothing(label_smoothing)));
}
MC_EXPORT TensorHandle mc_nn_nll_loss(TensorHandle input, TensorHandle target, int reduction) {
  MC_TENSOR(F::nll_loss(deref(input), deref(target), with_reduction(F::NLLLossFuncOptions(), reduction)));
}
MC_EXPORT TensorHandle mc_nn_mse_loss(TensorHandle input, TensorHandle target, int reduction) {
  MC_TENSOR(F::mse_loss(deref(input), deref(target), with_reduction(F::MSELossFuncOptions(), reduction)));
}
MC_EXPORT TensorHandle mc_nn_l1_loss(TensorHandle input, TensorHandle target, int reduction) {
  MC_TENSOR(F::l1_loss(deref(input), deref(target), with_reduction(F::L1LossFuncOptions(), reduction)));
}
