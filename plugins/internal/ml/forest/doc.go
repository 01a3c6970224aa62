// Package forest fits random forests for regression and predicts with them.
//
// A forest is an average of CART regression trees, each grown on a bootstrap
// sample of the training rows, choosing at every node the split that most
// reduces the weighted squared error (variance reduction) among a random
// subset of the features. It is the demand model behind the forecast plugin:
// a handful of numeric features per store and day (weather, weekday, events,
// ...) in, expected sales out, with the spread of the individual trees
// (PredictTrees) as a cheap prediction interval.
//
// The package is written for speed on a few cores. Fit bins every feature
// once into at most 256 quantile bins (features with no more distinct values
// than that are binned exactly), so that a node is split by building one
// histogram of target sums and counts per feature over the node's rows and
// scanning the bin boundaries, rather than by sorting. Within a tree the
// larger child's histograms are the parent's minus the smaller child's
// whenever every feature is examined at every node. Trees are grown in
// parallel; the result depends only on the data, the parameters and the
// seed, never on the number of workers.
//
// A split found between two quantile bins is then refined by sorting the
// rows of just those two bins, so a step inside a bin is still found
// exactly. Thresholds are stored as real values (midpoints between
// neighbouring distinct training values), so prediction takes raw float64
// features and goes left when x[feature] <= threshold, as in scikit-learn. Inputs to Fit
// must be finite: NaN and ±Inf are rejected with an error rather than given
// a missing-value direction.
package forest
