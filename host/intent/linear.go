package intent

import (
	"math"
	"math/rand/v2"
)

// linear is a multinomial logistic regression over the embedder's
// features, trained on the examples. Where the nearest examples judge an
// utterance by its overall likeness, the linear model learns which words
// tell the intents apart ("calculated" means a question about how EWR is
// computed, whatever else the sentence shares with a waste forecast).
type linear struct {
	col     map[uint64]int32 // feature → column
	w       []float32        // column-major: w[col*k + class]
	bias    []float32
	classes int
}

// trainLinear fits the model by stochastic gradient descent with L2
// regularisation, in a fixed order so that it is deterministic.
func trainLinear(vecs []vector, labels []int, classes, epochs int, lambda float64) *linear {
	m := &linear{col: map[uint64]int32{}, classes: classes, bias: make([]float32, classes)}
	for _, v := range vecs {
		for _, k := range v.keys {
			if _, ok := m.col[k]; !ok {
				m.col[k] = int32(len(m.col))
			}
		}
	}
	m.w = make([]float32, len(m.col)*classes)
	// Classes are weighted so that an intent with many examples does
	// not win by numbers.
	count := make([]float64, classes)
	for _, l := range labels {
		count[l]++
	}
	weight := make([]float64, classes)
	for c := range weight {
		if count[c] > 0 {
			weight[c] = float64(len(labels)) / (float64(classes) * count[c])
		}
	}
	order := make([]int, len(vecs))
	for i := range order {
		order[i] = i
	}
	// Every example's columns, looked up once rather than every epoch.
	exCols := make([][]int32, len(vecs))
	for i, v := range vecs {
		exCols[i] = make([]int32, len(v.keys))
		for j, k := range v.keys {
			exCols[i][j] = m.col[k]
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	p := make([]float64, classes)
	d := make([]float32, classes)
	for ep := range epochs {
		lr := 0.5 / (1 + 0.1*float64(ep))
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			v, cols := vecs[i], exCols[i]
			m.probs(cols, v.vals, p)
			g := weight[labels[i]] * lr
			for c := range classes {
				t := 0.0
				if c == labels[i] {
					t = 1
				}
				d[c] = float32(g * (p[c] - t))
				m.bias[c] -= d[c]
			}
			// Row by row: each weight gets the same single update as
			// class by class, in cache order.
			for j, col := range cols {
				row := m.w[int(col)*classes : int(col+1)*classes]
				x := v.vals[j]
				for c := range row {
					row[c] -= d[c] * x
				}
			}
			// Lazy L2 would be exact; shrinking the touched weights is
			// enough here.
			shrink := float32(1 - lr*lambda)
			for _, col := range cols {
				row := m.w[int(col)*classes : int(col+1)*classes]
				for c := range row {
					row[c] *= shrink
				}
			}
		}
	}
	return m
}

// probs writes the class probabilities of a vector given by its columns.
func (m *linear) probs(cols []int32, vals []float32, p []float64) {
	for c := range p {
		p[c] = float64(m.bias[c])
	}
	for j, col := range cols {
		if col < 0 {
			continue
		}
		row := m.w[int(col)*m.classes : int(col+1)*m.classes]
		x := float64(vals[j])
		for c := range row {
			p[c] += float64(row[c]) * x
		}
	}
	mx := math.Inf(-1)
	for _, z := range p {
		mx = max(mx, z)
	}
	sum := 0.0
	for c, z := range p {
		p[c] = math.Exp(z - mx)
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
}

// predict returns the class probabilities of v; features the model never
// saw are ignored.
func (m *linear) predict(v vector) []float64 {
	cols := make([]int32, len(v.keys))
	for i, k := range v.keys {
		if c, ok := m.col[k]; ok {
			cols[i] = c
		} else {
			cols[i] = -1
		}
	}
	p := make([]float64, m.classes)
	m.probs(cols, v.vals, p)
	return p
}
