package intent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// Def describes one intent to a Fallback: its name, what it means, a few
// examples and the tools (plugin.tool) that serve it.
type Def struct {
	Name string `json:"name"`
	// Parent is the canonical intent a plugin's finer intent refines.
	Parent      string   `json:"parent,omitempty"`
	Description string   `json:"description"`
	Examples    []string `json:"examples"`
	Tools       []string `json:"tools,omitempty"`
}

// Fallback classifies an utterance the fast path is unsure about, typically
// with an LLM's structured output over the intent list. It returns one of
// the intents' names and its confidence in [0, 1].
type Fallback interface {
	ClassifyIntent(ctx context.Context, text string, intents []Def) (intent string, confidence float64, err error)
}

// FallbackFunc adapts a function to Fallback.
type FallbackFunc func(ctx context.Context, text string, intents []Def) (string, float64, error)

// ClassifyIntent calls f.
func (f FallbackFunc) ClassifyIntent(ctx context.Context, text string, intents []Def) (string, float64, error) {
	return f(ctx, text, intents)
}

// Catalog is what the slot extractor knows by name.
type Catalog struct {
	Stores   []tools.Store
	Products []tools.Product
}

// Options configure a Classifier.
type Options struct {
	// Manifests are the plugins' manifests: every example of every intent
	// of every tool is learnt.
	Manifests []tools.Manifest
	// Catalog names the stores and products for slots.
	Catalog Catalog
	// Location resolves relative dates (default Asia/Seoul).
	Location *time.Location
	// Now is the clock for relative dates (default time.Now).
	Now func() time.Time
	// Fallback, when set, is asked when the fast path's confidence is
	// below FallbackBelow.
	Fallback Fallback
	// FallbackBelow is the confidence under which Fallback is asked
	// (default 0.8: on the dev set, a fifth of the answers below it are
	// wrong, against one in two hundred above).
	FallbackBelow float64
}

// Source says what decided a Result's intent.
const (
	SourceExamples = "examples" // the nearest examples
	SourceFollowup = "followup" // the previous turn, for a follow-up
	SourceFallback = "fallback" // the Fallback (LLM)
)

// Result is the classification of one utterance.
type Result struct {
	// Intent is canonical (DESIGN.md): a plugin's finer intent is
	// answered as the intent it refines, and named in Sub.
	Intent string `json:"intent"`
	// Sub is the finer intent a plugin declared (stock_lookup refines
	// knowledge_qa), when the utterance is one; empty otherwise.
	Sub string `json:"sub,omitempty"`
	// Confidence estimates the probability that Intent is right
	// (calibrated on testdata/dev.tsv).
	Confidence float64 `json:"confidence"`
	// Tool is the plugin.tool that serves Sub, or Intent, chosen by the nearest
	// example among the intent's tools; empty for the host's intents and
	// for an intent no running plugin serves.
	Tool string `json:"tool,omitempty"`
	// Example is the example utterance that matched best.
	Example string `json:"example,omitempty"`
	// Alternatives are the next best intents, best first.
	Alternatives []Alternative `json:"alternatives,omitempty"`
	Slots        Slots         `json:"slots"`
	// Locale is ko when the text holds Hangul, en otherwise.
	Locale     string `json:"locale"`
	OutOfScope bool   `json:"out_of_scope"`
	// Followup is set when the utterance continued the previous turn: the
	// intent is the previous one and Slots are merged into its slots.
	Followup bool `json:"followup,omitempty"`
	// Carried is set when the utterance asked for something new but referred back to the
	// previous turn ("그 이벤트 푸시 문구 써줘", "write the push for that event"): the previous
	// turn's slots fill what it does not say.
	Carried bool   `json:"carried,omitempty"`
	Source  string `json:"source"`
	// FallbackError is why the Fallback could not help, when it was asked
	// and failed.
	FallbackError string `json:"fallback_error,omitempty"`
}

// Alternative is a runner-up intent with its similarity score (not a
// probability).
type Alternative struct {
	Intent string  `json:"intent"`
	Sub    string  `json:"sub,omitempty"`
	Tool   string  `json:"tool,omitempty"`
	Score  float64 `json:"score"`
}

// Classifier classifies utterances. It is immutable and safe for
// concurrent use.
type Classifier struct {
	emb      embedder
	ext      *extractor
	examples []example
	index    map[uint64][]posting
	intents  []string // sorted
	// knnWeight is, by intent, the nearest examples' share of its score (params.knn, more for
	// an intent with fewer than fewExamples examples).
	knnWeight []float64
	intentID  map[string]int // index into intents
	tools     map[string][]string
	parent    map[string]string // a finer intent's canonical parent
	defs      []Def
	loc       *time.Location
	now       func() time.Time
	fallback  Fallback
	fbBelow   float64
	cal       calibration
	lin       *linear
	p         params
	// inScope holds the content words of the examples of every intent but
	// out_of_scope: a word outside it (homework, Costco, VLOOKUP) is not
	// the business's nor the bot's.
	inScope map[uint64]bool
	// toolEx lists, by learnt intent, the examples that name a tool, in
	// order.
	toolEx map[string][]int
}

type example struct {
	intent int
	tool   string
	text   string
}

type posting struct {
	ex int32
	w  float32
}

// ErrNoExamples is returned by New when there is nothing to learn from.
var ErrNoExamples = errors.New("intent: no examples")

// New learns the intents of the manifests and the host's own.
func New(o Options) (*Classifier, error) { return newWith(o, defaultParams) }

func newWith(o Options, p params) (*Classifier, error) {
	c := &Classifier{
		p:        p,
		loc:      o.Location,
		now:      o.Now,
		fallback: o.Fallback,
		fbBelow:  cmp.Or(o.FallbackBelow, 0.8),
		tools:    map[string][]string{},
		parent:   map[string]string{},
		intentID: map[string]int{},
		emb:      embedder{weights: p.weights},
		cal:      defaultCalibration,
	}
	if c.loc == nil {
		c.loc = seoul()
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.ext = newExtractor(o.Catalog.Stores, o.Catalog.Products, c.loc)

	type raw struct{ intent, tool, text string }
	var raws []raw
	descriptions := map[string]string{}
	for _, m := range o.Manifests {
		for _, t := range m.Tools {
			id := m.Name + "." + t.Name
			for _, in := range t.Intents {
				if !slices.Contains(c.tools[in.Name], id) {
					c.tools[in.Name] = append(c.tools[in.Name], id)
				}
				if in.Parent != "" && c.parent[in.Name] == "" {
					c.parent[in.Name] = in.Parent
				}
				if descriptions[in.Name] == "" {
					descriptions[in.Name] = t.Description
				}
				for _, e := range in.Examples {
					if strings.TrimSpace(e) != "" {
						raws = append(raws, raw{in.Name, id, e})
					}
				}
			}
		}
	}
	for _, name := range sortedKeys(hostIntents) {
		hi := hostIntents[name]
		descriptions[name] = hi.description
		for _, e := range slices.Concat(hi.examples, corpus[name]) {
			raws = append(raws, raw{name, "", e})
		}
	}
	if len(raws) == 0 {
		return nil, ErrNoExamples
	}
	// A parent must be an intent of its own, not a finer one: one level.
	for name, p := range c.parent {
		if _, ok := hostIntents[p]; !ok && c.parent[p] != "" {
			return nil, fmt.Errorf("intent %s: parent %s refines %s in turn: want a canonical intent (%s)", name, p, c.parent[p], strings.Join(Canonical, ", "))
		}
	}
	seen := map[string]bool{}
	for _, r := range raws {
		if !seen[r.intent] {
			seen[r.intent] = true
			c.intents = append(c.intents, r.intent)
		}
	}
	slices.Sort(c.intents)
	for i, name := range c.intents {
		c.intentID[name] = i
	}
	// The examples are analysed with the catalogue's names masked, like
	// the utterances will be, at a fixed date (slots are not kept).
	fixed := time.Date(2026, 1, 5, 12, 0, 0, 0, c.loc)
	docs := make([][]unit, len(raws))
	for i, r := range raws {
		d := newDoc(r.text)
		c.ext.extract(d, fixed)
		docs[i] = d.units()
		c.examples = append(c.examples, example{intent: c.intentID[r.intent], tool: r.tool, text: r.text})
	}
	c.emb.fit(docs)
	c.index = map[uint64][]posting{}
	vecs := make([]vector, len(docs))
	labels := make([]int, len(docs))
	for i, d := range docs {
		v := c.emb.embed(d, false)
		vecs[i], labels[i] = v, c.examples[i].intent
		for j, k := range v.keys {
			c.index[k] = append(c.index[k], posting{ex: int32(i), w: v.vals[j]})
		}
	}
	c.lin = trainLinear(vecs, labels, len(c.intents), c.p.epochs, c.p.lambda)
	// An intent learnt from a handful of examples (a new plugin's) is judged by its nearest
	// examples more than by the linear model, which cannot learn its paraphrases from so few.
	c.knnWeight = make([]float64, len(c.intents))
	support := make([]int, len(c.intents))
	for _, l := range labels {
		support[l]++
	}
	for i, n := range support {
		few := max(0, 1-float64(n)/fewExamples)
		c.knnWeight[i] = c.p.knn + (1-c.p.knn)*few
	}
	c.toolEx = map[string][]int{}
	for i, e := range c.examples {
		if e.tool != "" {
			name := c.intents[e.intent]
			c.toolEx[name] = append(c.toolEx[name], i)
		}
	}
	c.inScope = map[uint64]bool{}
	for i, d := range docs {
		if c.intents[c.examples[i].intent] != OutOfScope {
			c.emb.contentWords(d, false, func(k uint64, _ bool) { c.inScope[k] = true })
		}
	}
	for _, name := range c.intents {
		def := Def{Name: name, Parent: c.parent[name], Description: descriptions[name], Tools: c.tools[name]}
		for i := range c.examples {
			if c.intents[c.examples[i].intent] == name && len(def.Examples) < 6 {
				def.Examples = append(def.Examples, c.examples[i].text)
			}
		}
		c.defs = append(c.defs, def)
	}
	return c, nil
}

func seoul() *time.Location {
	if loc, err := time.LoadLocation("Asia/Seoul"); err == nil {
		return loc
	}
	// Korea has kept UTC+9 without daylight saving since 1988.
	return time.FixedZone("KST", 9*3600)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Intents describes every intent the classifier knows, sorted by name.
func (c *Classifier) Intents() []Def { return slices.Clone(c.defs) }

// Canonical returns the intent that name refines, or name itself when it
// refines none.
func (c *Classifier) Canonical(name string) string { return cmp.Or(c.parent[name], name) }

// split names a learnt intent as a Result does: canonical, and finer.
func (c *Classifier) split(name string) (canonical, sub string) {
	if p := c.parent[name]; p != "" {
		return p, name
	}
	return name, ""
}

// Tools returns the tools (plugin.tool) that serve an intent, in manifest
// order.
func (c *Classifier) Tools(intent string) []string { return slices.Clone(c.tools[intent]) }

// Slots extracts the slots of text without classifying it.
func (c *Classifier) Slots(text string) Slots {
	return c.ext.extract(newDoc(text), c.now())
}

// scored is the fast path's view of an utterance.
type scored struct {
	intentScore []float64 // by intent id
	bestEx      []int     // by intent id: the best example, or -1
	order       []int     // intent ids, best first
	top         float64   // the best example's similarity
	sims        []float32 // by example
	// child is the finer intent of order[0] to answer instead (childRatio),
	// or -1.
	child int
}

// params are the classifier's tunables, chosen on testdata/dev.tsv.
type params struct {
	// second mixes an intent's best example similarity with its second
	// best's, so that one lucky example counts less than two good ones.
	second float64
	// knn mixes the nearest examples' score with the linear model's
	// probability.
	knn float64
	// oos is the best similarity under which an utterance is out of
	// scope whatever its nearest intent.
	oos float64
	// noAnchor scales the score of task intents for an utterance that
	// names nothing of the business.
	noAnchor float64
	// defBoost is added to knowledge_qa's score, and defDamp scales the
	// task intents', when the utterance asks what a term of the business
	// means (definitional); defOut scales every intent but help and
	// out_of_scope when the term is not the business's.
	defBoost, defDamp, defOut float64
	// anchoredHelp and anchoredOOS scale help's and out_of_scope's scores
	// for an utterance that names something of the business (a question
	// about the bot names none; "suggest something for a croissant buyer"
	// is not off-topic).
	anchoredHelp, anchoredOOS float64
	// foreignHelp scales help's score for an utterance that names nothing
	// of the business and has a word no in-scope example has and the
	// lexicon does not know: "help me with my math homework", "how does
	// Costco's membership work?" ask about something else than the bot.
	foreignHelp float64
	// capBoost is added to help's score when the utterance asks what the
	// bot can do (capability): "너 폐기 예측도 해?" names a task without
	// asking for it.
	capBoost float64
	// permBoost is added to knowledge_qa's score when the utterance asks
	// whether something may be said or done (permission).
	permBoost float64
	// rivalBoost is added to out_of_scope's score when the utterance names another brand:
	// its products, hours and offers are not the business's to answer.
	rivalBoost float64
	// childRatio: when the best intent has finer intents ("knowledge_qa"
	// and its "product_info"), the best of them is answered if its score
	// is at least childRatio of the parent's; the canonical answer is
	// the same, the finer one picks the tool that knows the facts.
	childRatio float64
	// epochs and lambda (L2) train the linear model.
	epochs  int
	lambda  float64
	weights featureWeights
}

// fewExamples is how many examples an intent needs for the linear model to carry its full
// weight in the intent's score.
const fewExamples = 30

var defaultParams = params{second: 0.25, knn: 0.3, oos: 0.15, noAnchor: 0.6, defBoost: 0.35, defDamp: 0.5, defOut: 0.3, anchoredHelp: 0.85, anchoredOOS: 0.75, foreignHelp: 0.5, capBoost: 0.45, permBoost: 0.3, rivalBoost: 0.4, childRatio: 0.25, epochs: 40, lambda: 3e-3, weights: defaultWeights}

// cues are what an utterance says of itself beyond its words' similarity to the examples.
type cues struct {
	anchor     bool // it names something of the business (embedder.anchored)
	definition bool // it asks what a term means (definitional)
	capability bool // it asks what the bot can do (capability)
	permission bool // it asks whether something may be said (permission)
	rival      bool // it names another brand's shop, café or chain (rivalNamed)
}

// cuesOf reads the cues of an analysed utterance and its units.
func (c *Classifier) cuesOf(d *doc, units []unit) cues {
	return cues{anchor: c.emb.anchored(units, d.spans), definition: definitional(d), capability: capability(d), permission: permission(d), rival: rivalNamed(units)}
}

func (c *Classifier) score(units []unit, cu cues) scored {
	anchor, def, capable, permitted := cu.anchor, cu.definition, cu.capability, cu.permission
	q := c.emb.embed(units, true)
	foreign := false
	c.emb.contentWords(units, true, func(k uint64, concept bool) {
		foreign = foreign || (!concept && !c.inScope[k])
	})
	sims := make([]float32, len(c.examples))
	for i, k := range q.keys {
		for _, p := range c.index[k] {
			sims[p.ex] += q.vals[i] * p.w
		}
	}
	n := len(c.intents)
	s := scored{intentScore: make([]float64, n), bestEx: make([]int, n), sims: sims}
	second := make([]float64, n)
	for i := range s.bestEx {
		s.bestEx[i] = -1
	}
	best := make([]float64, n)
	for i, sim := range sims {
		in := c.examples[i].intent
		x := float64(sim)
		switch {
		case s.bestEx[in] < 0 || x > best[in]:
			if s.bestEx[in] >= 0 {
				second[in] = best[in]
			}
			best[in], s.bestEx[in] = x, i
		case x > second[in]:
			second[in] = x
		}
	}
	p := c.lin.predict(q)
	for i := range n {
		knn := (1-c.p.second)*best[i] + c.p.second*second[i]
		s.intentScore[i] = c.knnWeight[i]*knn + (1-c.knnWeight[i])*p[i]
		if foreign && !anchor && c.intents[i] == Help {
			s.intentScore[i] *= c.p.foreignHelp
		}
		if capable && c.intents[i] == Help {
			s.intentScore[i] += c.p.capBoost
		}
		if permitted && c.intents[i] == KnowledgeQA {
			s.intentScore[i] += c.p.permBoost
		}
		if cu.rival && c.intents[i] == OutOfScope {
			s.intentScore[i] += c.p.rivalBoost
		}
		// A task with nothing of the business in it ("recommend a good
		// movie") is probably not one.
		if !anchor && c.p.noAnchor < 1 {
			if name := c.intents[i]; name != Help && name != OutOfScope {
				s.intentScore[i] *= c.p.noAnchor
			}
		}
		if anchor {
			switch c.intents[i] {
			case Help:
				s.intentScore[i] *= c.p.anchoredHelp
			case OutOfScope:
				s.intentScore[i] *= c.p.anchoredOOS
			}
		}
		// "What is EWR?" asks for the documents' definition, not for
		// today's EWR; "what is quantum computing?" is not ours to answer.
		if def {
			switch name := c.intents[i]; {
			case name == Help || name == OutOfScope:
			case !anchor:
				s.intentScore[i] *= c.p.defOut
			case name == KnowledgeQA:
				s.intentScore[i] += c.p.defBoost
			default:
				s.intentScore[i] *= c.p.defDamp
			}
		}
		s.top = max(s.top, best[i])
	}
	s.order = make([]int, n)
	for i := range s.order {
		s.order[i] = i
	}
	slices.SortStableFunc(s.order, func(a, b int) int { return cmp.Compare(s.intentScore[b], s.intentScore[a]) })
	s.child = -1
	top := s.order[0]
	for _, i := range s.order[1:] {
		if c.parent[c.intents[i]] == c.intents[top] && s.intentScore[i] >= c.p.childRatio*s.intentScore[top] {
			s.child = i
			break
		}
	}
	return s
}

// toolFor picks the tool serving intent whose example is nearest.
func (c *Classifier) toolFor(intent string, sims []float32) string {
	ts := c.tools[intent]
	switch len(ts) {
	case 0:
		return ""
	case 1:
		return ts[0]
	}
	best, bestSim := ts[0], float32(-1)
	for _, ex := range c.toolEx[intent] {
		if sim := sims[ex]; sim > bestSim {
			best, bestSim = c.examples[ex].tool, sim
		}
	}
	return best
}

// Classify returns the intent and slots of text. prev is the previous
// turn's result in the conversation, or nil: a follow-up ("and tomorrow?",
// "강남점은?") keeps prev's intent and merges the slots.
func (c *Classifier) Classify(ctx context.Context, text string, prev *Result) Result {
	d := newDoc(text)
	slots := c.ext.extract(d, c.now())
	units := d.units()
	s := c.score(units, c.cuesOf(d, units))
	res := Result{Slots: slots, Locale: DetectLocale(text), Source: SourceExamples}

	bi := s.order[0]
	margin := s.intentScore[bi]
	if len(s.order) > 1 {
		margin -= s.intentScore[s.order[1]]
	}
	res.Confidence = c.cal.inScope(s.intentScore[bi], margin)
	if s.child >= 0 {
		bi = s.child
	}
	res.Intent = c.intents[bi] // as learnt, perhaps a finer intent: split below
	if ex := s.bestEx[bi]; ex >= 0 {
		res.Example = c.examples[ex].text
	}
	if !hasWords(units) {
		// Numbers, emoji and punctuation alone ask for nothing.
		res.Intent, res.Example, res.OutOfScope = OutOfScope, "", true
		res.Confidence = c.cal.belowThreshold(0)
	} else if res.Intent == OutOfScope {
		res.OutOfScope = true
	} else if s.top < c.p.oos {
		res.Intent, res.Example, res.OutOfScope = OutOfScope, "", true
		res.Confidence = c.cal.belowThreshold(s.top)
	}
	res.Tool = ""
	if !res.OutOfScope {
		res.Tool = c.toolFor(res.Intent, s.sims)
		res.Intent, res.Sub = c.split(res.Intent)
	}
	for _, i := range s.order {
		if i == bi {
			continue
		}
		if len(res.Alternatives) == 3 || s.intentScore[i] <= 0 {
			break
		}
		alt := Alternative{Tool: c.toolFor(c.intents[i], s.sims), Score: round3(s.intentScore[i])}
		alt.Intent, alt.Sub = c.split(c.intents[i])
		res.Alternatives = append(res.Alternatives, alt)
	}

	if prev != nil && c.isFollowup(d, &res, prev) {
		// A previous turn kept without its tool or confidence (from a
		// conversation log) still gives a tool and a fair confidence.
		tool := prev.Tool
		if tool == "" {
			tool = c.toolFor(cmp.Or(prev.Sub, prev.Intent), s.sims)
		}
		conf := prev.Confidence
		if conf <= 0 {
			conf = followupConfidence
		}
		// A turn recorded before finer intents had parents names the
		// finer one as its intent.
		in, sub := c.split(prev.Intent)
		sub = cmp.Or(prev.Sub, sub)
		return Result{
			Intent: in, Sub: sub, Confidence: round3(conf), Tool: tool, Example: prev.Example, Slots: res.Slots.Merge(prev.Slots),
			Locale: res.Locale, Followup: true, Source: SourceFollowup, Alternatives: res.Alternatives,
		}
	}
	if c.fallback != nil && res.Confidence < c.fbBelow {
		c.askFallback(ctx, text, s.sims, &res)
	}
	if prev != nil && !res.OutOfScope && res.Intent != Help && refersBack(d, prev) {
		res.Slots, res.Carried = res.Slots.Merge(prev.Slots), true
	}
	res.Confidence = round3(res.Confidence)
	return res
}

func (c *Classifier) askFallback(ctx context.Context, text string, sims []float32, res *Result) {
	name, conf, err := c.fallback.ClassifyIntent(ctx, text, c.Intents())
	if err == nil {
		if _, ok := c.intentID[name]; !ok {
			err = fmt.Errorf("unknown intent %q", name)
		}
	}
	if err != nil {
		res.FallbackError = err.Error()
		return
	}
	res.Source = SourceFallback
	res.Confidence = math.Max(0, math.Min(1, conf))
	if in, sub := c.split(name); in != res.Intent || sub != res.Sub {
		res.Intent, res.Sub, res.Example = in, sub, ""
		res.Tool = c.toolFor(name, sims)
	}
	res.OutOfScope = name == OutOfScope
	if res.OutOfScope {
		res.Tool, res.Sub = "", ""
	}
}

func hasWords(units []unit) bool {
	for _, u := range units {
		if u.kind == scriptHangul || u.kind == scriptLatin || u.kind == scriptOther || (u.entity && u.text != "#days" && u.text != "#pct") {
			return true
		}
	}
	return false
}

// followupConfidence is the confidence of a follow-up whose previous turn
// has none.
const followupConfidence = 0.8

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// NumExamples is the number of examples learnt.
func (c *Classifier) NumExamples() int { return len(c.examples) }
