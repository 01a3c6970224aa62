package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/crumb-dev/crumb/edge/bundle"
	"github.com/crumb-dev/crumb/edge/reco"
	"github.com/crumb-dev/crumb/plugins/internal/ml/twotower"
	"github.com/crumb-dev/crumb/tools"
)

// TrainIn are train's arguments.
type TrainIn struct {
	Full   bool `json:"full,omitempty" jsonschema:"retrain the member model from scratch instead of fine-tuning the previous weights"`
	Epochs int  `json:"epochs,omitempty" jsonschema:"epochs of a full training (default: chosen by validation HR@10 on each member's last basket, up to 6); fine-tuning runs 1"`
}

// TrainOut is train's result.
type TrainOut struct {
	Version     int            `json:"version"`
	Mode        string         `json:"mode"` // full or fine-tune
	Baskets     int            `json:"baskets"`
	NewBaskets  int            `json:"new_baskets"` // baskets after the previous cutoff
	Members     int            `json:"members"`
	Items       int            `json:"items"`
	Member      twotower.Stats `json:"member"`
	Selection   *Selection     `json:"epoch_selection,omitempty"`
	BundleBytes int            `json:"bundle_bytes"`
	SHA256      string         `json:"sha256"`
	Files       []bundle.File  `json:"files"`
	Seconds     float64        `json:"seconds"`
}

// Display implements tools.Displayer.
func (o *TrainOut) Display(locale string) *tools.Display {
	if locale == "ko" {
		mode := "전체 학습"
		if o.Mode == "fine-tune" {
			mode = "이전 가중치에서 미세 조정"
		}
		return &tools.Display{Text: fmt.Sprintf("추천 번들 v%d을 게시했어요 (%s, 장바구니 %d개 중 새 장바구니 %d개, 회원 %d명, 상품 %d개, %.1f MB, %.1f초).",
			o.Version, mode, o.Baskets, o.NewBaskets, o.Members, o.Items, float64(o.BundleBytes)/1e6, o.Seconds)}
	}
	return &tools.Display{Text: fmt.Sprintf("Published recommendation bundle v%d (%s; %d baskets, %d new; %d members, %d items; %.1f MB; %.1f s).",
		o.Version, o.Mode, o.Baskets, o.NewBaskets, o.Members, o.Items, float64(o.BundleBytes)/1e6, o.Seconds)}
}

// maxBundle is the largest bundle a HostAPI artifact carries (gRPC's default 4 MiB message limit,
// less room for the rest of the message).
const maxBundle = 4<<20 - 64<<10

// fineTuneReplay is how many earlier baskets, per new one, fine-tuning replays so that the model
// does not forget what the new day does not show.
const fineTuneReplay = 2

func (p *recommender) train(ctx context.Context, call *tools.Call, in TrainIn) (*TrainOut, error) {
	start := time.Now()
	var prev *stateHeader
	var prevModel *twotower.Model
	if !in.Full {
		a, err := call.Host.GetArtifact(ctx, stateKey, 0)
		switch {
		case errors.Is(err, tools.ErrNotFound):
		case err != nil:
			return nil, fmt.Errorf("read member state: %w", err)
		default:
			h, m, err := decodeState(a.Data)
			if err != nil {
				call.Host.Log(ctx, -4, "previous member state unusable, training from scratch", map[string]any{"err": err.Error()})
			} else {
				prev, prevModel = &h, m
			}
		}
	}
	var order []string
	if prev != nil {
		order = prev.Items
	}
	h, err := loadHistory(ctx, call.Host, call.Now, order)
	if err != nil {
		return nil, err
	}
	if len(h.baskets) == 0 {
		if call.Locale == "ko" {
			return nil, tools.Failf("학습할 회원 주문이 없어요: `crumb demo` 나 `crumb import` 로 주문 데이터를 먼저 넣어 주세요.")
		}
		return nil, tools.Failf("no member orders to train on: load orders with `crumb demo` or `crumb import` first")
	}
	out := &TrainOut{Baskets: len(h.baskets), Members: len(h.byMember), Items: len(h.products)}
	guest := buildGuest(h, h.baskets)

	all := allBaskets(h)
	var mm *member
	cfg := twotower.DefaultConfig()
	if in.Epochs > 0 {
		cfg.Epochs = in.Epochs
	}
	if prev == nil {
		out.Mode = "full"
		out.NewBaskets = len(h.baskets)
		if in.Epochs == 0 {
			sel, err := chooseEpochs(h, all, cfg)
			if err != nil {
				return nil, err
			}
			cfg.Epochs, out.Selection = sel.Epochs, &sel
		}
		if mm, out.Member, err = trainMember(h, all, cfg); err != nil {
			return nil, err
		}
		if out.Selection != nil {
			mm.repeat = out.Selection.Repeat
		}
	} else {
		out.Mode = "fine-tune"
		users := h.members(prev.Users)
		items := make([]string, len(h.products))
		for i, pr := range h.products {
			items[i] = pr.ID
		}
		prevModel.Grow(len(users), len(items), uint64(prev.Version)+1)
		mm = newMember(prevModel, items, users)
		mm.repeat = prev.Repeat
		// Examples: every basket after the cutoff, and a replay of earlier ones.
		s := split{byMember: h.byMember, first: map[string]int{}}
		var old []string
		for _, id := range users {
			bs := h.byMember[id]
			k := len(bs)
			for k > 0 && h.baskets[bs[k-1]].at.After(prev.Cutoff) {
				k--
			}
			s.first[id] = k
			out.NewBaskets += len(bs) - k
			if k > 0 {
				old = append(old, id)
			}
		}
		ex := mm.examples(h, s, uint64(prev.Version)*7919+1)
		if len(ex) > 0 {
			// Replay fineTuneReplay random earlier baskets per new one.
			r := rand.New(rand.NewPCG(uint64(prev.Version), 0x2e))
			for i := 0; i < out.NewBaskets*fineTuneReplay && len(old) > 0; i++ {
				id := old[r.IntN(len(old))]
				f := r.IntN(s.first[id])
				one := split{byMember: map[string][]int{id: h.byMember[id][:f+1]}, first: map[string]int{id: f}}
				ex = append(ex, mm.examples(h, one, uint64(i))...)
			}
			if mm.m.Grid == nil {
				// A state from before int8 grids: this epoch moves it onto one.
				mm.m.FitGrid()
			}
			if out.Member, err = mm.m.Train(ex, 1, uint64(prev.Version)+1); err != nil {
				return nil, err
			}
		}
		out.Member.Epochs = 1
	}
	spec := mm.spec(h, all)

	version := 1
	if prev != nil {
		version = prev.Version + 1
	} else if a, err := call.Host.GetArtifact(ctx, bundleKey, 0); err == nil {
		if b, err := bundle.Read(a.Data); err == nil {
			version = b.Manifest.Version + 1
		}
	}
	metrics, _ := json.Marshal(map[string]any{"mode": out.Mode, "baskets": out.Baskets, "new_baskets": out.NewBaskets,
		"members": out.Members, "items": out.Items, "member_training": out.Member, "epoch_selection": out.Selection})
	data, err := writeBundle(version, call.Now, metrics, guest, spec, mm)
	if err != nil {
		return nil, err
	}
	if len(data) > maxBundle {
		return nil, tools.Failf("the bundle is %.1f MB, more than the %.1f MB a HostAPI artifact can carry; lower the catalogue or member count", float64(len(data))/1e6, float64(maxBundle)/1e6)
	}
	sum := sha256.Sum256(data)
	out.Version, out.BundleBytes, out.SHA256 = version, len(data), hex.EncodeToString(sum[:])
	b, _ := bundle.Read(data)
	out.Files = b.Manifest.Files

	cutoff := h.baskets[len(h.baskets)-1].at
	state, err := encodeState(stateHeader{Version: version, Items: mm.items, Users: mm.users, Cutoff: cutoff, Baskets: len(h.baskets), Repeat: mm.repeat}, mm.m)
	if err != nil {
		return nil, err
	}
	if _, err := call.Host.PutArtifact(ctx, &tools.Artifact{Key: stateKey, Data: state,
		Metadata: json.RawMessage(fmt.Sprintf(`{"version":%d}`, version))}); err != nil {
		return nil, fmt.Errorf("keep member state: %w", err)
	}
	meta, _ := json.Marshal(map[string]any{"version": version, "sha256": out.SHA256, "size": len(data), "created_at": call.Now.UTC()})
	if _, err := call.Host.PutArtifact(ctx, &tools.Artifact{Key: bundleKey, Data: data, Metadata: meta}); err != nil {
		return nil, fmt.Errorf("publish bundle: %w", err)
	}
	p.mu.Lock()
	p.cur = nil
	p.mu.Unlock()
	out.Seconds = time.Since(start).Seconds()
	return out, nil
}

// writeBundle exports both graphs and the lookups, with probes for the runtime's self-check.
func writeBundle(version int, now time.Time, metrics json.RawMessage, guest *reco.Guest, spec *reco.MemberSpec, mm *member) ([]byte, error) {
	v := fmt.Sprint(version)
	fg, err := mm.m.ONNX(false, v)
	if err != nil {
		return nil, fmt.Errorf("export float graph: %w", err)
	}
	qg, err := mm.m.ONNX(true, v)
	if err != nil {
		return nil, fmt.Errorf("export int8 graph: %w", err)
	}
	gj, err := json.Marshal(guest)
	if err != nil {
		return nil, err
	}
	sj, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	pj, err := json.Marshal(probes(spec, mm))
	if err != nil {
		return nil, err
	}
	return bundle.Write(bundle.Manifest{Version: version, CreatedAt: now.UTC(), Metrics: metrics}, map[string][]byte{
		reco.FileGuest: gj, reco.FileMember: sj, reco.FileFloat: fg, reco.FileInt8: qg, reco.FileProbes: pj,
	})
}

// probes picks a few queries (known members with their purchases, the unknown member with a
// cart) and records the Go scores of their top items and a spread of others.
func probes(spec *reco.MemberSpec, mm *member) []reco.Probe {
	var reqs []reco.Request
	for i := 0; i < len(spec.Users) && len(reqs) < 6; i += max(1, len(spec.Users)/6) {
		reqs = append(reqs, reco.Request{UserID: spec.Users[i].ID})
	}
	reqs = append(reqs, reco.Request{UserID: "", Cart: spec.Items[:min(3, len(spec.Items))]})
	q := mm.m.Quantize()
	var out []reco.Probe
	for _, r := range reqs {
		query, _ := spec.Query(r)
		fs, err := mm.m.Scores(input(query))
		if err != nil {
			continue
		}
		qs, _ := q.Scores(input(query))
		pr := reco.Probe{Query: query, Items: items(reco.TopK(fs, nil, 10))}
		for j := 0; j < len(fs); j += max(1, len(fs)/10) {
			pr.Items = append(pr.Items, j)
		}
		for _, j := range pr.Items {
			pr.Float = append(pr.Float, fs[j])
			pr.Int8 = append(pr.Int8, qs[j])
		}
		out = append(out, pr)
	}
	return out
}
