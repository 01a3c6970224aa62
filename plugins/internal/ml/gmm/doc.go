// Package gmm fits Gaussian mixture models with full covariance matrices by
// expectation-maximisation, and scores new points against them.
//
// It is the customer-segmentation model of the RFM brief: each customer's
// recency, frequency and monetary value (usually log-transformed and
// standardized first, see kmeans.Standardize) is a point in three
// dimensions, each segment is one Gaussian component with its own
// elliptical shape, and a customer belongs to every segment with a
// probability (Proba), so customers near a border can be targeted by both.
// SelectK chooses the number of segments by the Bayesian information
// criterion.
//
// Fit follows scikit-learn's GaussianMixture(covariance_type="full"): every
// restart starts from the hard labels of a k-means++ clustering (package
// kmeans), then alternates E- and M-steps until the mean log-likelihood per
// point changes by less than Tol, adding RegCovar to every covariance
// diagonal so that a component cannot collapse onto a point or a flat
// dimension. The restart of highest log-likelihood is kept.
//
// The work is organised for speed on a few cores. Every iteration is one
// pass over the data that computes each point's responsibilities in log
// space (log-sum-exp) and, in the same pass, the weighted sums the M-step
// needs, taken about the current means so that no precision is lost to
// cancellation. The pass runs over fixed blocks of rows in parallel and
// adds the blocks' sums in block order, so a fit depends only on the data,
// k and the options, never on the number of workers. Each component keeps
// the inverse of its covariance's Cholesky factor and its log normaliser,
// so scoring a point costs a few multiply-adds and one exp per component
// and allocates nothing.
package gmm
