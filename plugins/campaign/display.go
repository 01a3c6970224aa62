package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// Display shows the plans: a summary with the trends, a table of the six
// and one card per plan (the web UI renders them as plan cards).
func (o *PlanOutput) Display(locale string) *tools.Display {
	l := o.Locale
	money := func(n int) string { return tr(l, thousands(n)+"원", "₩"+thousands(n)) }
	d := &tools.Display{}
	var b strings.Builder
	season := seasonLabel(o.Season, l)
	if o.Occasion != "" {
		season = occasionLabel(o.Occasion, l)
	}
	fmt.Fprint(&b, tr(l,
		fmt.Sprintf("%s %s 이벤트 기획안 6개예요 (총예산 %s). 과거 비슷한 이벤트 %d건을 바탕으로 했어요.", o.where, season, money(o.TotalBudget), len(o.Basis)),
		fmt.Sprintf("Six %s event plans for %s (total budget %s), built on %d similar past events.", season, o.where, money(o.TotalBudget), len(o.Basis))))
	fmt.Fprintf(&b, "\n• %s: %s\n• %s: %s\n• %s: %s",
		tr(l, "업종", "Industry"), o.Trends.Industry, tr(l, "지역", "Location"), o.Trends.Location, tr(l, "시즌", "Season"), o.Trends.Season)
	if o.Outcome == tools.OutcomeFallback {
		fmt.Fprint(&b, tr(l, "\n(과거 이벤트 데이터로 작성한 기본 기획안이에요.)", "\n(Plans built from the past-event data.)"))
	} else {
		// The model wrote the plans from these events; which plan came from
		// which is the model's choice, so they are listed, not paired.
		var titles []string
		for _, e := range o.Basis {
			titles = append(titles, fmt.Sprintf("%s (%d)", e.Title, e.Year))
		}
		fmt.Fprint(&b, tr(l, "\n참고한 과거 이벤트: ", "\nPast events used: ")+strings.Join(titles, ", "))
	}
	d.Text = b.String()

	bandText := func(level string) string {
		bd, _ := o.Bands.of(level)
		return fmt.Sprintf("%s %s–%s", bandLabels[level][map[bool]int{true: 0, false: 1}[l == "ko"]], money(bd.Min), money(bd.Max))
	}
	table := tools.Table{
		Title: tr(l, "예산 구간: ", "Budget bands: ") + strings.Join([]string{bandText("low"), bandText("medium"), bandText("high")}, " · "),
		Columns: []string{tr(l, "구분", "Plan"), tr(l, "제목", "Title"), tr(l, "경품", "Prize"), tr(l, "참여 방법", "How to take part"),
			tr(l, "예상 참여자", "Expected participants"), tr(l, "비용(원)", "Cost (KRW)"), "ROI (%)"},
	}
	basis := map[string]PastEvent{}
	for _, e := range o.Basis {
		basis[e.UsedFor] = e
	}
	recs := slices.Clone(o.Recommendations)
	if o.channel != "" {
		slices.SortStableFunc(recs, func(a, b Recommendation) int {
			return boolRank(b.Type == o.channel) - boolRank(a.Type == o.channel)
		})
	}
	for _, r := range recs {
		table.Rows = append(table.Rows, []any{slotLabel(r.Budget, r.Type, l), r.Title, r.Prize, r.Participation, r.ExpectedParticipants, r.Cost, r.ROI})
		card := tools.Card{
			Kind: "event_plan", Title: r.Title, Subtitle: slotLabel(r.Budget, r.Type, l), Body: r.Participation,
			Fields: []tools.Field{
				{Label: tr(l, "경품", "Prize"), Value: r.Prize},
				{Label: tr(l, "예상 참여자", "Expected participants"), Value: tr(l, thousands(r.ExpectedParticipants)+"명", thousands(r.ExpectedParticipants))},
				{Label: tr(l, "비용", "Cost"), Value: money(r.Cost)},
				{Label: "ROI", Value: fmt.Sprintf("%d%%", r.ROI)},
			},
		}
		if e, ok := basis[r.ID]; ok && o.Outcome == tools.OutcomeFallback {
			card.Fields = append(card.Fields, tools.Field{Label: tr(l, "참고한 과거 이벤트", "Based on"), Value: fmt.Sprintf("%s (%d, %s)", e.Title, e.Year, e.Where)})
		}
		d.Cards = append(d.Cards, card)
	}
	d.Tables = []tools.Table{table}
	return d
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Display shows the push as a phone notification preview card, with the
// previews for other segments when no segment was asked for.
func (o *PushOutput) Display(locale string) *tools.Display {
	l := o.req.locale
	if l == "" {
		l = locale
	}
	offer := tr(l, "할인 없음", "no discount")
	if o.req.pct > 0 {
		offer = fmt.Sprintf("%d%%", o.req.pct)
	}
	d := &tools.Display{Text: tr(l,
		fmt.Sprintf("%s 푸시 문구예요 (대상: %s, 할인: %s).", o.req.item, segmentLabel(o.req.segment, l), offer),
		fmt.Sprintf("Push copy for %s (segment: %s, discount: %s).", o.req.item, segmentLabel(o.req.segment, l), offer))}
	if len(o.previews) > 0 {
		d.Text += tr(l, " 다른 고객군용 미리보기도 함께 보여 드려요.", " Previews for other segments follow.")
	}
	for _, p := range append([]PushOutput{*o}, o.previews...) {
		how := tr(l, "템플릿", "template")
		switch p.Outcome {
		case "llm":
			how = tr(l, "AI 작성", "written by the model")
		case "repaired":
			how = tr(l, "AI 작성 (수정 후 통과)", "written by the model after a retry")
		}
		d.Cards = append(d.Cards, tools.Card{
			Kind: "push_preview", Title: p.Headline, Body: p.PushText, Subtitle: p.ActionLine,
			Fields: []tools.Field{
				{Label: tr(l, "상품", "Item"), Value: p.req.item},
				{Label: tr(l, "대상", "Segment"), Value: segmentLabel(p.req.segment, l)},
				{Label: tr(l, "할인", "Discount"), Value: offer},
				{Label: tr(l, "작성", "Written by"), Value: how},
			},
		})
	}
	return d
}
