package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// collection is the knowledge collection the plugin writes its segment
// profiles to; the host's retrieval filters it by segment, so a question
// about one segment finds that segment's profile and no other's.
const collection = "segments"

// baseKey is a segment key without its value qualifier: dormant_high →
// dormant, regular_mid_2 → regular.
func baseKey(key string) string {
	for _, t := range tiers {
		if i := strings.Index(key, "_"+t.key); i > 0 {
			return key[:i]
		}
	}
	return key
}

// publishProfiles writes one profile per segment and locale to the
// knowledge base, replacing the previous model's. A host without a
// knowledge base is not an error: the model works without it.
func publishProfiles(ctx context.Context, call *tools.Call, st *state, now time.Time) (int, error) {
	var docs []tools.KnowledgeDoc
	for seg, n := range st.art.Names {
		p := profileOf(st, seg, now)
		for _, locale := range []string{"ko", "en"} {
			title := fmt.Sprintf("Segment profile: %s", n.EN)
			if locale == "ko" {
				title = fmt.Sprintf("고객 세그먼트 프로필: %s", n.KO)
			}
			docs = append(docs, tools.KnowledgeDoc{
				ID:    fmt.Sprintf("segment-profile-%s-%s", n.Key, locale),
				Title: title,
				Text:  profileMarkdown(p, locale, st.version, now),
				Metadata: map[string]string{
					"segment": baseKey(n.Key), "segment_key": n.Key, "doc_type": "segment_profile",
					"locale": locale, "model_version": fmt.Sprint(st.version), "as_of": now.In(seoul).Format(tools.DateLayout),
				},
			})
		}
	}
	written, err := call.Host.WriteKnowledge(ctx, &tools.KnowledgeWrite{Collection: collection, Docs: docs, Replace: true})
	if errors.Is(err, tools.ErrNotFound) {
		return 0, nil
	}
	return written, err
}

// profileMarkdown is a segment profile as a short Markdown document.
func profileMarkdown(p *ProfileOutput, locale string, version int, now time.Time) string {
	var b strings.Builder
	ko := locale == "ko"
	s := p.Segment
	day := now.In(seoul).Format(tools.DateLayout)
	list := func(ls []Lift) string {
		parts := make([]string, len(ls))
		for i, l := range ls {
			name := l.NameEN
			if ko {
				name = l.Name
			}
			parts[i] = fmt.Sprintf("%s (%.0f%%, lift %.1f)", name, 100*l.Share, l.Lift)
		}
		if len(parts) == 0 {
			return "-"
		}
		return strings.Join(parts, ", ")
	}
	if ko {
		fmt.Fprintf(&b, "# %s 고객 프로필\n\n", s.SegmentKO)
		fmt.Fprintf(&b, "세그먼트 모델 버전 %d, %s 기준.\n\n## 규모와 RFM\n\n", version, day)
		fmt.Fprintf(&b, "%s 고객은 %d명(전체의 %.1f%%)이고 매출의 %.1f%%를 차지합니다. 평균 최근성 %.0f일, 주문 %.1f회, 누적 구매 %.0f원.\n\n",
			s.SegmentKO, s.Customers, 100*s.Share, 100*s.RevenueShare, s.RecencyDays, s.Frequency, s.Monetary)
		fmt.Fprintf(&b, "## 구매 특징\n\n- 많이 사는 상품: %s\n- 많이 사는 분류: %s\n- 주로 오는 시간: %s\n- 주로 오는 요일: %s\n- 자주 가는 매장: %s\n- 주문당 평균 %.1f개(전체 %.1f개), 평균 주문 금액 %.0f원\n",
			list(p.TopProducts), list(p.TopCategories), list(p.Hours), list(p.Weekdays), list(p.Stores), p.BasketUnits, p.AllBasket, p.OrderValue)
		return b.String()
	}
	fmt.Fprintf(&b, "# %s customers\n\n", s.Segment)
	fmt.Fprintf(&b, "Segment model version %d, as of %s.\n\n## Size and RFM\n\n", version, day)
	fmt.Fprintf(&b, "%s customers number %d (%.1f%% of all) and bring %.1f%% of revenue. Mean recency %.0f days, %.1f orders, %.0f spent.\n\n",
		s.Segment, s.Customers, 100*s.Share, 100*s.RevenueShare, s.RecencyDays, s.Frequency, s.Monetary)
	fmt.Fprintf(&b, "## What they buy\n\n- Top products: %s\n- Top categories: %s\n- Hours: %s\n- Weekdays: %s\n- Stores: %s\n- %.1f items per order (all customers %.1f), mean order %.0f\n",
		list(p.TopProducts), list(p.TopCategories), list(p.Hours), list(p.Weekdays), list(p.Stores), p.BasketUnits, p.AllBasket, p.OrderValue)
	return b.String()
}
