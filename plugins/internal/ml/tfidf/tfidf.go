// Package tfidf turns short token lists (product tags, names) into TF-IDF vectors and finds each
// document's nearest neighbours by cosine similarity, as scikit-learn's TfidfVectorizer with a
// cosine NearestNeighbors does: raw term counts, smooth idf ln((1+n)/(1+df)) + 1, rows scaled to
// unit length.
package tfidf

import (
	"cmp"
	"math"
	"slices"
)

// Vector is a sparse, unit-length row: term indices ascending, with their weights.
type Vector struct {
	Terms   []int32
	Weights []float32
}

// Dot is the dot product of two vectors (their cosine, both being unit length).
func (v Vector) Dot(w Vector) float64 {
	var s float64
	i, j := 0, 0
	for i < len(v.Terms) && j < len(w.Terms) {
		switch {
		case v.Terms[i] == w.Terms[j]:
			s += float64(v.Weights[i]) * float64(w.Weights[j])
			i++
			j++
		case v.Terms[i] < w.Terms[j]:
			i++
		default:
			j++
		}
	}
	return s
}

// Model is a fitted vocabulary with idf weights and the documents' vectors.
type Model struct {
	Vocab map[string]int32
	IDF   []float64
	Rows  []Vector
}

// Fit learns the vocabulary and idf from docs and returns their vectors. A document without
// tokens gets an empty vector, similar to nothing.
func Fit(docs [][]string) *Model {
	m := &Model{Vocab: map[string]int32{}}
	var df []int
	for _, d := range docs {
		seen := map[int32]bool{}
		for _, t := range d {
			id, ok := m.Vocab[t]
			if !ok {
				id = int32(len(m.Vocab))
				m.Vocab[t] = id
				df = append(df, 0)
			}
			if !seen[id] {
				seen[id] = true
				df[id]++
			}
		}
	}
	n := float64(len(docs))
	m.IDF = make([]float64, len(df))
	for i, c := range df {
		m.IDF[i] = math.Log((1+n)/(1+float64(c))) + 1
	}
	m.Rows = make([]Vector, len(docs))
	for i, d := range docs {
		m.Rows[i] = m.Transform(d)
	}
	return m
}

// Transform makes the unit-length vector of tokens; unknown tokens are ignored.
func (m *Model) Transform(tokens []string) Vector {
	counts := map[int32]float64{}
	for _, t := range tokens {
		if id, ok := m.Vocab[t]; ok {
			counts[id]++
		}
	}
	var v Vector
	var norm float64
	for id, c := range counts {
		w := c * m.IDF[id]
		norm += w * w
		v.Terms = append(v.Terms, id)
	}
	slices.Sort(v.Terms)
	norm = math.Sqrt(norm)
	v.Weights = make([]float32, len(v.Terms))
	for i, id := range v.Terms {
		v.Weights[i] = float32(counts[id] * m.IDF[id] / norm)
	}
	return v
}

// Neighbor is a document and its cosine similarity to another.
type Neighbor struct {
	Doc int
	Sim float64
}

// Neighbors returns, for every document, its k most similar other documents with similarity
// above minSim, most similar first (ties to the lower index). It walks an inverted index, so
// only documents sharing a term are compared.
func (m *Model) Neighbors(k int, minSim float64) [][]Neighbor {
	postings := make([][]int32, len(m.IDF))
	for d, r := range m.Rows {
		for _, t := range r.Terms {
			postings[t] = append(postings[t], int32(d))
		}
	}
	out := make([][]Neighbor, len(m.Rows))
	acc := make([]float64, len(m.Rows))
	var touched []int32
	for d, r := range m.Rows {
		touched = touched[:0]
		for i, t := range r.Terms {
			w := float64(r.Weights[i])
			for _, o := range postings[t] {
				if int(o) == d {
					continue
				}
				if acc[o] == 0 {
					touched = append(touched, o)
				}
				acc[o] += w * m.rowWeight(int(o), t)
			}
		}
		var ns []Neighbor
		for _, o := range touched {
			if s := acc[o]; s > minSim {
				ns = append(ns, Neighbor{Doc: int(o), Sim: s})
			}
			acc[o] = 0
		}
		slices.SortFunc(ns, func(a, b Neighbor) int { return cmp.Or(cmp.Compare(b.Sim, a.Sim), cmp.Compare(a.Doc, b.Doc)) })
		if len(ns) > k {
			ns = ns[:k]
		}
		out[d] = ns
	}
	return out
}

// rowWeight is document d's weight of term t.
func (m *Model) rowWeight(d int, t int32) float64 {
	r := m.Rows[d]
	i, ok := slices.BinarySearch(r.Terms, t)
	if !ok {
		return 0
	}
	return float64(r.Weights[i])
}
