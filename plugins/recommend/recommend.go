package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/crumb-dev/crumb/edge/reco"
	"github.com/crumb-dev/crumb/plugins/internal/names"
	"github.com/crumb-dev/crumb/tools"
)

// RecommendIn are recommend's arguments: a product, a member, a cart, or several of them.
type RecommendIn struct {
	Product  string   `json:"product,omitempty" jsonschema:"a product id or its Korean or English name: what goes well with it"`
	MemberID string   `json:"member_id,omitempty" jsonschema:"a member (customer) id: recommendations for that member"`
	Cart     []string `json:"cart,omitempty" jsonschema:"products already in the cart (ids or names); never recommended back"`
	Limit    int      `json:"limit,omitempty" jsonschema:"how many products (default 5, at most 20)"`
}

// Product is a product in a recommendation answer.
type Product struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// Recommendation is one recommended product.
type Recommendation struct {
	Product
	Score  float64 `json:"score"`
	Source string  `json:"source"` // co_purchase, similar_tags, popular or member
}

// RecommendOut is recommend's result.
type RecommendOut struct {
	Model           string           `json:"model"` // guest or member
	MemberID        string           `json:"member_id,omitempty"`
	MemberKnown     bool             `json:"member_known"`
	Cart            []Product        `json:"cart"`
	Recommendations []Recommendation `json:"recommendations"`
	BundleVersion   int              `json:"bundle_version"`
}

func (p *recommender) recommend(ctx context.Context, call *tools.Call, in RecommendIn) (*RecommendOut, error) {
	ko := call.Locale == "ko"
	if in.Product == "" && in.MemberID == "" && len(in.Cart) == 0 {
		if ko {
			return nil, tools.Failf("무엇을 기준으로 추천할지 알려 주세요: 상품(예: 크루아상), 회원 번호(예: 회원 12345) 또는 장바구니 상품.")
		}
		return nil, tools.Failf("say what to recommend for: a product (e.g. croissant), a member id (e.g. member 12345) or the products in a cart")
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 5
	}
	limit = min(limit, 20)
	p.mu.Lock()
	l, err := p.load(ctx, call)
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	g := l.guest
	var cart []int
	for _, q := range append([]string{in.Product}, in.Cart...) {
		if strings.TrimSpace(q) == "" {
			continue
		}
		i, ok := findItem(g, q)
		if !ok {
			if ko {
				return nil, tools.Failf("%q 상품을 찾을 수 없어요. 한글 또는 영문 상품명으로 물어봐 주세요 (예: 크루아상, croissant).", q)
			}
			return nil, tools.Failf("unknown product %q; try its Korean or English name, e.g. 크루아상 or croissant", q)
		}
		cart = append(cart, i)
	}
	out := &RecommendOut{Model: "guest", MemberID: in.MemberID, BundleVersion: l.version}
	for _, i := range cart {
		out.Cart = append(out.Cart, product(g, i))
	}
	var recs []reco.Scored
	if in.MemberID != "" {
		_, known := l.spec.User(in.MemberID)
		out.MemberKnown = known
		if known && l.member != nil {
			ids := make([]string, len(cart))
			excl := map[int]bool{}
			for k, i := range cart {
				ids[k] = g.Items[i].ID
			}
			query, _ := l.spec.Query(reco.Request{UserID: in.MemberID, Cart: ids})
			scores, err := l.member.Scores(input(query))
			if err != nil {
				return nil, err
			}
			l.spec.AddRepeat(in.MemberID, scores)
			for _, id := range ids {
				if c, ok := l.spec.Item(id); ok {
					excl[c] = true
				}
			}
			out.Model = "member"
			for _, s := range reco.TopK(scores, excl, limit) {
				if gi, ok := g.Index(l.spec.Items[s.Item]); ok {
					recs = append(recs, reco.Scored{Item: gi, Score: s.Score, Source: reco.SourceMember})
				}
			}
		} else if !known && len(cart) == 0 {
			if ko {
				return nil, tools.Failf("회원 %s의 구매 기록이 없어 맞춤 추천을 할 수 없어요. 장바구니 상품을 알려 주시면 함께 사면 좋은 상품을 추천해 드릴게요.", in.MemberID)
			}
			return nil, tools.Failf("member %s has no purchases the model knows, so there is nothing to personalise; give the products in their cart for basket recommendations", in.MemberID)
		}
	}
	if out.Model == "guest" {
		recs = g.Recommend(cart, nil, limit)
	}
	for _, s := range recs {
		out.Recommendations = append(out.Recommendations, Recommendation{Product: product(g, s.Item), Score: round3(s.Score), Source: string(s.Source)})
	}
	return out, nil
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5*sign(x))) / 1000 }

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

func product(g *reco.Guest, i int) Product {
	it := g.Items[i]
	return Product{ID: it.ID, Name: it.Name, NameEN: it.NameEN}
}

// findItem resolves a product id or name among the bundle's items.
func findItem(g *reco.Guest, q string) (int, bool) {
	if i, ok := g.Index(q); ok {
		return i, true
	}
	idx := make([]int, len(g.Items))
	for i := range idx {
		idx[i] = i
	}
	return names.Best(q, idx, func(i int) []string { return []string{g.Items[i].ID, g.Items[i].Name, g.Items[i].NameEN} })
}

// label is "크루아상 (Croissant)" in Korean and "Croissant (크루아상)" in English; one name when
// both are the same.
func (p Product) label(locale string) string {
	a, b := p.NameEN, p.Name
	if locale == "ko" {
		a, b = p.Name, p.NameEN
	}
	if a == "" {
		a = p.ID
	}
	if b == "" || b == a {
		return a
	}
	return fmt.Sprintf("%s (%s)", a, b)
}

var sourceText = map[string][2]string{
	"co_purchase":  {"함께 구매", "bought together"},
	"similar_tags": {"비슷한 태그", "similar tags"},
	"popular":      {"인기 상품", "popular"},
	"member":       {"회원 모델", "member model"},
}

// Display implements tools.Displayer: a sentence and a table, in Korean or English.
func (o *RecommendOut) Display(locale string) *tools.Display {
	ko := locale == "ko"
	lang := 1
	if ko {
		lang = 0
	}
	var top []string
	for _, r := range o.Recommendations[:min(3, len(o.Recommendations))] {
		top = append(top, r.label(locale))
	}
	var cart []string
	for _, c := range o.Cart {
		cart = append(cart, c.label(locale))
	}
	var text string
	switch {
	case len(o.Recommendations) == 0 && ko:
		text = "추천할 상품을 찾지 못했어요."
	case len(o.Recommendations) == 0:
		text = "I found nothing to recommend."
	case o.Model == "member" && ko:
		text = fmt.Sprintf("회원 %s님께 추천할 상품은 %s 등이에요 (회원 맞춤 two-tower 모델, 번들 v%d).", o.MemberID, strings.Join(top, ", "), o.BundleVersion)
	case o.Model == "member":
		text = fmt.Sprintf("For member %s I would recommend %s (two-tower member model, bundle v%d).", o.MemberID, strings.Join(top, ", "), o.BundleVersion)
	case len(cart) == 1 && ko:
		text = fmt.Sprintf("%s와(과) 함께 사면 좋은 상품은 %s 등이에요.", cart[0], strings.Join(top, ", "))
	case len(cart) == 1:
		text = fmt.Sprintf("%s goes well with %s.", cart[0], strings.Join(top, ", "))
	case ko:
		text = fmt.Sprintf("장바구니(%s)에 더하면 좋은 상품은 %s 등이에요.", strings.Join(cart, ", "), strings.Join(top, ", "))
	default:
		text = fmt.Sprintf("With %s in the cart, I would add %s.", strings.Join(cart, ", "), strings.Join(top, ", "))
	}
	if o.MemberID != "" && o.Model == "guest" {
		if ko {
			text += fmt.Sprintf(" (회원 %s의 구매 기록이 모델에 없어 장바구니 기준으로 추천했어요.)", o.MemberID)
		} else {
			text += fmt.Sprintf(" (Member %s is not known to the member model, so these are basket recommendations.)", o.MemberID)
		}
	}
	t := tools.Table{Title: "Recommendations", Columns: []string{"#", "Product", "상품", "Score", "Why"}}
	if ko {
		t = tools.Table{Title: "추천 상품", Columns: []string{"순위", "상품", "Product", "점수", "근거"}}
	}
	for i, r := range o.Recommendations {
		a, b := r.NameEN, r.Name
		if ko {
			a, b = r.Name, r.NameEN
		}
		t.Rows = append(t.Rows, []any{i + 1, a, b, r.Score, sourceText[r.Source][lang]})
	}
	return &tools.Display{Text: text, Tables: []tools.Table{t}}
}
