package forest

import (
	"fmt"
	"math"
	"runtime"
)

// Default values used by Fit for Params fields left at their zero value.
const (
	// DefaultNumTrees is the number of trees grown when Params.NumTrees is 0.
	DefaultNumTrees = 100
	// DefaultMinLeaf is the smallest leaf when Params.MinLeaf is 0. Five
	// training rows per leaf is the regression default of Breiman and
	// Cutler's original implementation (R randomForest's nodesize).
	DefaultMinLeaf = 5
	// DefaultMaxFeatures is the fraction of features examined at each split
	// when Params.MaxFeatures is 0: one third, Breiman's recommendation for
	// regression forests (R randomForest's mtry = p/3). Note that
	// scikit-learn's RandomForestRegressor defaults to 1.0 (all features,
	// that is bagged trees).
	DefaultMaxFeatures = 1.0 / 3
	// MaxBins is the largest number of bins per feature, and the default
	// when Params.Bins is 0.
	MaxBins = 256
)

// Params configures Fit. The zero value of every field selects its default,
// so Params{} is a usable configuration.
type Params struct {
	// NumTrees is the number of trees; 0 means DefaultNumTrees.
	NumTrees int
	// MaxDepth bounds the depth of each tree (the root has depth 0, so a
	// tree of MaxDepth d has at most 2^d leaves); 0 means unlimited.
	MaxDepth int
	// MinLeaf is the smallest number of distinct training rows a leaf may
	// hold, counting a row drawn several times by the bootstrap once, as
	// scikit-learn's min_samples_leaf does; 0 means DefaultMinLeaf.
	MinLeaf int
	// MaxFeatures is the fraction of the features drawn at random as split
	// candidates at each node, in (0, 1]; the number drawn is
	// max(1, floor(MaxFeatures × features)), as in scikit-learn. Features
	// that turn out constant within the node do not count, and more are
	// drawn until enough non-constant ones were examined or none are left
	// (scikit-learn draws past max_features only while every feature drawn
	// was constant). 0 means DefaultMaxFeatures.
	MaxFeatures float64
	// Bins is the largest number of quantile bins per feature, in
	// [2, MaxBins]; 0 means MaxBins.
	Bins int
	// Seed makes the forest reproducible: the same data, parameters and
	// seed give the same forest, whatever Workers is.
	Seed uint64
	// Workers is the number of trees grown at once; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// NoBootstrap grows every tree on all training rows instead of a
	// bootstrap sample; with MaxFeatures 1 all trees are then identical.
	NoBootstrap bool
}

// withDefaults validates p and fills in defaults.
func (p Params) withDefaults() (Params, error) {
	switch {
	case p.NumTrees < 0:
		return p, fmt.Errorf("num trees %d: must be positive, or 0 for the default %d", p.NumTrees, DefaultNumTrees)
	case p.MaxDepth < 0:
		return p, fmt.Errorf("max depth %d: must be positive, or 0 for unlimited", p.MaxDepth)
	case p.MinLeaf < 0:
		return p, fmt.Errorf("min leaf %d: must be positive, or 0 for the default %d", p.MinLeaf, DefaultMinLeaf)
	case math.IsNaN(p.MaxFeatures) || p.MaxFeatures < 0 || p.MaxFeatures > 1:
		return p, fmt.Errorf("max features %v: must be a fraction in (0, 1], or 0 for the default 1/3", p.MaxFeatures)
	case p.Bins < 0 || p.Bins == 1 || p.Bins > MaxBins:
		return p, fmt.Errorf("bins %d: must be in [2, %d], or 0 for %d", p.Bins, MaxBins, MaxBins)
	case p.Workers < 0:
		return p, fmt.Errorf("workers %d: must be positive, or 0 for GOMAXPROCS", p.Workers)
	}
	if p.NumTrees == 0 {
		p.NumTrees = DefaultNumTrees
	}
	if p.MinLeaf == 0 {
		p.MinLeaf = DefaultMinLeaf
	}
	if p.MaxFeatures == 0 {
		p.MaxFeatures = DefaultMaxFeatures
	}
	if p.Bins == 0 {
		p.Bins = MaxBins
	}
	if p.Workers == 0 {
		p.Workers = runtime.GOMAXPROCS(0)
	}
	if p.Workers > p.NumTrees {
		p.Workers = p.NumTrees
	}
	return p, nil
}

// numCandidates returns how many features are examined at each split.
func (p Params) numCandidates(features int) int {
	m := int(p.MaxFeatures * float64(features))
	if m < 1 {
		m = 1
	}
	if m > features {
		m = features
	}
	return m
}
