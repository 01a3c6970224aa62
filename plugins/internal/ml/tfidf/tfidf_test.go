package tfidf

import (
	"math"
	"testing"
)

func TestFitMatchesScikitLearn(t *testing.T) {
	// TfidfVectorizer(norm="l2", smooth_idf=True) on these three documents gives idf
	// milk = ln(4/3)+1, whole = uht = beer = ln(4/2)+1.
	m := Fit([][]string{{"whole", "milk"}, {"uht", "milk"}, {"beer"}})
	idfMilk, idfOther := math.Log(4.0/3)+1, math.Log(2)+1
	if got := m.IDF[m.Vocab["milk"]]; math.Abs(got-idfMilk) > 1e-12 {
		t.Errorf("idf(milk) = %g, want %g", got, idfMilk)
	}
	norm := math.Hypot(idfMilk, idfOther)
	want := idfMilk * idfMilk / (norm * norm)
	if got := m.Rows[0].Dot(m.Rows[1]); math.Abs(got-want) > 1e-6 {
		t.Errorf("cos(whole milk, uht milk) = %g, want %g", got, want)
	}
	if got := m.Rows[0].Dot(m.Rows[2]); got != 0 {
		t.Errorf("cos(whole milk, beer) = %g, want 0", got)
	}
	if got := m.Rows[2].Dot(m.Rows[2]); math.Abs(got-1) > 1e-6 {
		t.Errorf("|beer| = %g, want unit length", got)
	}
}

func TestNeighbors(t *testing.T) {
	docs := [][]string{
		{"red", "heart", "holder"},
		{"white", "heart", "holder"},
		{"white", "metal", "lantern"},
		{"red", "heart", "holder", "large"},
		{},
	}
	m := Fit(docs)
	ns := m.Neighbors(2, 0)
	if len(ns[0]) != 2 || ns[0][0].Doc != 3 || ns[0][1].Doc != 1 {
		t.Errorf("neighbours of red heart holder = %+v, want large red heart holder then white heart holder", ns[0])
	}
	for d, list := range ns {
		for _, n := range list {
			if n.Doc == d {
				t.Errorf("document %d is its own neighbour", d)
			}
			if want := m.Rows[d].Dot(m.Rows[n.Doc]); math.Abs(want-n.Sim) > 1e-9 {
				t.Errorf("sim(%d,%d) = %g, Dot gives %g", d, n.Doc, n.Sim, want)
			}
		}
	}
	if len(ns[4]) != 0 {
		t.Errorf("an empty document has neighbours %+v", ns[4])
	}
	if got := m.Neighbors(5, 0.5); len(got[2]) != 0 {
		t.Errorf("minSim 0.5 kept %+v for the lantern", got[2])
	}
}

func TestTransformIgnoresUnknown(t *testing.T) {
	m := Fit([][]string{{"a", "b"}})
	v := m.Transform([]string{"a", "zzz"})
	if len(v.Terms) != 1 || math.Abs(float64(v.Weights[0])-1) > 1e-6 {
		t.Errorf("Transform = %+v, want only a, unit weight", v)
	}
}
