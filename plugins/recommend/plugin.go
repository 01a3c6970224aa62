package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/crumb-dev/crumb/edge/bundle"
	"github.com/crumb-dev/crumb/edge/reco"
	"github.com/crumb-dev/crumb/plugins/internal/ml/twotower"
	"github.com/crumb-dev/crumb/tools"
)

// Version is the plugin's version.
const Version = "1.0.0"

// Artifact keys: the published bundle, and the training state fine-tuning continues from.
const (
	bundleKey = "bundle"
	stateKey  = "member_state"
)

// recommender holds the plugin's state: the latest bundle and member weights, loaded on first
// use and re-checked at most once a minute.
type recommender struct {
	mu      sync.Mutex
	cur     *loaded
	checked time.Time
	// clock is the wall clock, used only to decide when to look for a newer bundle.
	clock func() time.Time
}

// loaded is one bundle version ready to answer.
type loaded struct {
	version int
	guest   *reco.Guest
	spec    *reco.MemberSpec
	member  *twotower.Model // nil when the state does not match the bundle
}

func newRecommender() *recommender { return &recommender{clock: time.Now} }

// Plugin returns the recommend plugin's definition.
func Plugin() tools.Plugin {
	p := newRecommender()
	return tools.Plugin{
		Name:        "recommend",
		Version:     Version,
		Description: "Product recommendations: what goes with a product or a basket (co-purchase and tag neighbours) and what to offer a member (two-tower model); trains and publishes the edge bundle.",
		Tools: []tools.Tool{
			tools.NewTool("recommend", "Recommends products: for a product or a cart (guest model: bought together, then similar tags) or for a member id (two-tower member model with their recent purchases).", p.recommend,
				tools.WithIntent("product_recommend", intentExamples...)),
			tools.NewTool("train", "Updates the recommendation models: the guest model from every basket (today's included) and the member model fine-tuned from its previous weights on the new baskets (full=true retrains from scratch); exports ONNX float32 and int8 and publishes a new bundle for crumb-edge.", p.train),
			tools.NewTool("evaluate", "Evaluates popularity, the guest model and the member model (float32 and int8, Go and ONNX Runtime) by HR@10 and MRR@10 with each member's last basket held out.", p.evaluate),
		},
		Capabilities: tools.Capabilities{
			Datasets:  []string{tools.DatasetProducts, tools.DatasetCustomers, tools.DatasetOrders, tools.DatasetOrderItems},
			Artifacts: true,
		},
	}
}

// stateMagic starts the member_state artifact: then a uint32 header length, the JSON header and
// the twotower model's encoding.
const stateMagic = "crumb-recommend-state/1\n"

// stateHeader says what the member weights were trained on.
type stateHeader struct {
	Version int       `json:"version"` // bundle version these weights went into
	Items   []string  `json:"items"`
	Users   []string  `json:"users"`
	Cutoff  time.Time `json:"cutoff"` // time of the newest basket trained on
	Baskets int       `json:"baskets"`
	// Repeat is the repeat-purchase blend the full training chose; fine-tuning keeps it.
	Repeat repeatBlend `json:"repeat,omitempty"`
}

func encodeState(h stateHeader, m *twotower.Model) ([]byte, error) {
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	mb, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(stateMagic)
	binary.Write(&b, binary.LittleEndian, uint32(len(hb)))
	b.Write(hb)
	b.Write(mb)
	return b.Bytes(), nil
}

func decodeState(data []byte) (stateHeader, *twotower.Model, error) {
	var h stateHeader
	if !bytes.HasPrefix(data, []byte(stateMagic)) || len(data) < len(stateMagic)+4 {
		return h, nil, errors.New("member state: not a state artifact")
	}
	data = data[len(stateMagic):]
	n := binary.LittleEndian.Uint32(data)
	data = data[4:]
	if uint64(n) > uint64(len(data)) {
		return h, nil, errors.New("member state: truncated header")
	}
	if err := json.Unmarshal(data[:n], &h); err != nil {
		return h, nil, fmt.Errorf("member state: %w", err)
	}
	var m twotower.Model
	if err := m.UnmarshalBinary(data[n:]); err != nil {
		return h, nil, fmt.Errorf("member state: %w", err)
	}
	if len(h.Items) != m.Items || len(h.Users)+1 != m.Users {
		return h, nil, fmt.Errorf("member state: %d items and %d users listed, the weights have %d and %d", len(h.Items), len(h.Users), m.Items, m.Users-1)
	}
	return h, &m, nil
}

// load returns the latest bundle's models. Answering never trains: without a bundle it is a
// failure that says how to train one. The caller holds p.mu.
func (p *recommender) load(ctx context.Context, call *tools.Call) (*loaded, error) {
	if p.cur != nil && p.clock().Sub(p.checked) < time.Minute {
		return p.cur, nil
	}
	a, err := call.Host.GetArtifact(ctx, bundleKey, 0)
	if errors.Is(err, tools.ErrNotFound) {
		if call.Locale == "ko" {
			return nil, tools.Failf("아직 학습된 추천 모델이 없어요: `crumb recommend train` 으로 먼저 학습해 주세요.")
		}
		return nil, tools.Failf("no recommendation model has been trained yet: run `crumb recommend train` first")
	}
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	if p.cur != nil && p.cur.version == a.Version {
		p.checked = p.clock()
		return p.cur, nil
	}
	b, err := bundle.Read(a.Data)
	if err != nil {
		return nil, fmt.Errorf("bundle version %d: %w", a.Version, err)
	}
	if err := b.Require(reco.FileGuest, reco.FileMember); err != nil {
		return nil, err
	}
	l := &loaded{version: b.Manifest.Version}
	if l.guest, err = reco.ParseGuest(b.Files[reco.FileGuest]); err != nil {
		return nil, err
	}
	if l.spec, err = reco.ParseMemberSpec(b.Files[reco.FileMember]); err != nil {
		return nil, err
	}
	if s, err := call.Host.GetArtifact(ctx, stateKey, 0); err == nil {
		if h, m, err := decodeState(s.Data); err == nil && h.Version == l.version {
			l.member = m
		}
	}
	p.cur, p.checked = l, p.clock()
	return l, nil
}
