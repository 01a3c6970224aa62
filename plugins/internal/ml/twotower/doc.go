// Package twotower is the member recommendation model: a two-tower network trained in Go with
// sampled (or, for small catalogues, full) softmax and Adagrad, seeded and deterministic, and
// exported to ONNX in float32 and int8.
//
// The user tower embeds the member id (row 0 is the unknown member, which training also uses at
// random so that it stays meaningful), gender and age band, and the weighted mean of up to
// ContextLen context items (cart, wishlist, recent purchases, each kind with its own weight);
// it concatenates them, applies one ReLU layer and a linear layer, and adds the context mean back
// (a residual, so item-to-item associations are learnt directly). The item tower is an item
// embedding and a bias. A score is the dot product plus the bias:
//
//	c = Σ w(kind_l) C[ctx_l] / max(Σ w(kind_l), ε)
//	h = [U[user], G[gender], A[age], c]
//	u = relu(h W1 + b1) W2 + b2 + c
//	score_j = u · V_j + bv_j
//
// Scores computes this in float32 in the order the ONNX graph does, so ONNX Runtime agrees
// within rounding.
//
// The int8 graph stores every weight (the four embedding tables, W1, W2 and the item matrix) as
// one int8 byte with a float32 scale per row or column. Training makes that lossless: after the
// float epochs, FitGrid fixes the scales and a quantisation-aware epoch trains on the grid
// (straight-through: gradients at the projected weights, steps on float latent weights, every
// touched weight projected again), so the model's float32 weights are the int8 values times
// their scales and the int8 graph scores exactly as the float graph. Quantized is the pure-Go
// reference of the int8 graph; fine-tuning a model on a grid keeps it on the grid.
package twotower
