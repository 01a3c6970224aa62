package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// Band is a range of cost in won, both ends included.
type Band struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Bands are the cost ranges of the three budget levels for a total budget
// B: low is 4% to under 20% of B, medium 20% to under 50%, high 50% to
// 100%. With the default B of ₩6,000,000 that is low ₩240,000–1,199,999
// (the seed's low plans cost ₩250–300k), medium ₩1.2M–2,999,999 (seed
// ₩1.5–1.8M) and high ₩3M–6M (seed ₩5–6M): a high plan may use the whole
// budget, a low one is a cheap test.
type Bands struct {
	Low    Band `json:"low"`
	Medium Band `json:"medium"`
	High   Band `json:"high"`
}

// Band edges in percent of the total budget, and the point of each band a
// past event's cost is scaled to when it falls outside (about the
// geometric middle of the band).
const (
	lowFromPct    = 4
	mediumFromPct = 20
	highFromPct   = 50
)

var anchorPct = map[string]float64{"low": 9, "medium": 32, "high": 71}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// bandsFor returns the bands of a total budget.
func bandsFor(budget int) Bands {
	at := func(pct int) int { return ceilDiv(budget*pct, 100) }
	return Bands{
		Low:    Band{at(lowFromPct), at(mediumFromPct) - 1},
		Medium: Band{at(mediumFromPct), at(highFromPct) - 1},
		High:   Band{at(highFromPct), budget},
	}
}

func (b Bands) of(level string) (Band, bool) {
	switch level {
	case "low":
		return b.Low, true
	case "medium":
		return b.Medium, true
	case "high":
		return b.High, true
	}
	return Band{}, false
}

// pastEvent is one past event read from the knowledge base's metadata.
type pastEvent struct {
	id, title, titleEN, prize, prizeEN, participation, participationEN string
	shop, shopEN, industry, region, district, area, store              string
	season, occasion, purpose, channel, band                           string
	cost, participants, roi, year                                      int
	// rank is how high the search placed it (1 first, lower later).
	rank float64
}

func (e pastEvent) titleIn(locale string) string {
	return tr(locale, e.title, cmp.Or(e.titleEN, e.title))
}
func (e pastEvent) prizeIn(locale string) string {
	return tr(locale, e.prize, cmp.Or(e.prizeEN, e.prize))
}
func (e pastEvent) participationIn(locale string) string {
	return tr(locale, e.participation, cmp.Or(e.participationEN, e.participation))
}
func (e pastEvent) whereIn(locale string) string {
	return tr(locale, cmp.Or(e.shop, e.region), cmp.Or(e.shopEN, e.shop, e.region))
}

// eventFromHit reads a past event from a search hit's metadata; false when
// the document lacks what a plan needs (numbers, prize, participation).
func eventFromHit(h tools.KnowledgeHit) (pastEvent, bool) {
	md := h.Metadata
	num := func(k string) (int, bool) {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(md[k]), ",", ""))
		return n, err == nil
	}
	e := pastEvent{
		id: h.DocID, title: cmp.Or(md["title"], h.Title), titleEN: md["title_en"],
		prize: md["prize"], prizeEN: md["prize_en"], participation: md["participation"], participationEN: md["participation_en"],
		shop: md["shop"], shopEN: md["shop_en"], industry: md["industry"], region: md["region"], district: md["district"],
		area: md["area"], store: md["store"], season: md["season"], occasion: md["occasion"], purpose: md["purpose"],
		channel: md["channel"], band: md["budget_band"],
	}
	var ok [4]bool
	e.cost, ok[0] = num("cost")
	e.participants, ok[1] = num("participants")
	e.roi, ok[2] = num("roi")
	e.year, ok[3] = num("year")
	if e.id == "" || e.title == "" || e.prize == "" || e.participation == "" || e.cost <= 0 || e.participants <= 0 || !ok[2] || !ok[3] ||
		(e.channel != "online" && e.channel != "offline") {
		return e, false
	}
	return e, true
}

// searchEvents finds past events like the profile: for each channel, those
// of the season, then those of any season; and those of the district. The
// knowledge base filters by metadata and ranks by the query's words.
func searchEvents(ctx context.Context, host tools.HostAPI, p profile) ([]pastEvent, error) {
	text := strings.Join(slices.DeleteFunc([]string{
		seasonLabel(p.season, "ko"), p.season, occasionLabel(p.occasion, "ko"), p.occasion,
		industryLabel(p.industry, "ko"), p.industry, purposeLabel(p.purpose, "ko"), p.purpose, p.region, "이벤트",
	}, func(s string) bool { return s == "" }), " ")
	var queries []map[string]string
	for _, ch := range []string{"online", "offline"} {
		queries = append(queries, map[string]string{"season": p.season, "channel": ch}, map[string]string{"channel": ch})
	}
	if p.district != "" {
		queries = append(queries, map[string]string{"district": p.district})
	}
	seen := map[string]int{}
	var out []pastEvent
	skipped := 0
	for _, where := range queries {
		hits, err := host.SearchKnowledge(ctx, &tools.KnowledgeQuery{Collections: []string{eventsCollection}, Text: text, Where: where, Limit: 40})
		if err != nil {
			if errors.Is(err, tools.ErrNotFound) {
				return nil, tools.Failf("%s", tr(p.locale,
					"과거 이벤트를 찾을 지식 베이스가 없어요: 호스트에 지식 베이스를 켜고 knowledge/docs/events 문서를 넣어 주세요 ("+err.Error()+").",
					"there is no knowledge base to find past events in: start the host with its knowledge base and the knowledge/docs/events corpus ("+err.Error()+")"))
			}
			return nil, fmt.Errorf("search past events %v: %w", where, err)
		}
		for i, h := range hits {
			e, ok := eventFromHit(h)
			if !ok {
				skipped++
				continue
			}
			e.rank = 1 / float64(1+i)
			if j, dup := seen[e.id]; dup {
				out[j].rank = max(out[j].rank, e.rank)
				continue
			}
			seen[e.id] = len(out)
			out = append(out, e)
		}
	}
	if skipped > 0 {
		// A document without the plan fields is a corpus mistake; say so
		// in the host's log rather than fail the plan.
		_ = host.Log(ctx, slog.LevelWarn, "past events without cost, participants, roi, year, prize or participation were skipped", map[string]any{"hits": skipped})
	}
	slices.SortFunc(out, func(a, b pastEvent) int { return cmp.Compare(a.id, b.id) })
	return out, nil
}

// similarity rates how well a past event fits a plan slot of the profile:
// same season and occasion first, then industry, district, trade area,
// purpose, a cost near the slot's band, and a little for being found early
// and being recent. The weights are a judgement: season matters most
// because the corpus's lessons are seasonal.
func similarity(p profile, e pastEvent, anchor float64) float64 {
	s := 0.0
	if e.season == p.season {
		s += 3
	}
	if p.occasion != "" && e.occasion == p.occasion {
		s += 2
	}
	if e.industry == p.industry {
		s += 1
	}
	if p.district != "" && e.district == p.district {
		s += 1
	}
	if p.area != "" && e.area == p.area {
		s += 0.5
	}
	if p.storeID != "" && e.store == p.storeID {
		s += 0.3
	}
	if p.purpose != "" && e.purpose == p.purpose {
		s += 1
	}
	s -= math.Abs(math.Log(float64(e.cost) / anchor))
	s += 0.3 * e.rank
	s += 0.02 * float64(e.year-2020)
	return s
}

// buildFallback builds the six plans from the most similar past events:
// each slot (budget level × channel) takes the best-scoring event of its
// channel not used by another slot. An event whose cost lies in the slot's
// band keeps its numbers; otherwise its cost is moved to the band's anchor
// and participants and ROI follow (participants grow with cost^0.8, so ROI
// falls as the budget grows, as the seed asks).
func buildFallback(p profile, bands Bands, events []pastEvent) (planDoc, []PastEvent, error) {
	type cand struct {
		slot, ev int
		score    float64
	}
	var cands []cand
	for si, sl := range slots {
		anchor := float64(p.budget) * anchorPct[sl.budget] / 100
		for ei, e := range events {
			if e.channel == sl.typ {
				cands = append(cands, cand{si, ei, similarity(p, e, anchor)})
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.slot, b.slot), cmp.Compare(events[a.ev].id, events[b.ev].id))
	})
	chosen := [len(slots)]int{-1, -1, -1, -1, -1, -1}
	used := map[int]bool{}
	for _, c := range cands {
		if chosen[c.slot] < 0 && !used[c.ev] {
			chosen[c.slot], used[c.ev] = c.ev, true
		}
	}
	doc := planDoc{TotalBudget: p.budget}
	var basis []PastEvent
	for si, sl := range slots {
		if chosen[si] < 0 {
			return doc, nil, tools.Failf("%s", tr(p.locale,
				fmt.Sprintf("%s 기획에 참고할 %s 과거 이벤트가 부족해요 (%d건). knowledge/docs/events 문서가 지식 베이스에 들어 있는지 확인해 주세요.", slotLabel(sl.budget, sl.typ, "ko"), typeLabels[sl.typ][0], len(events)),
				fmt.Sprintf("not enough past %s events to plan %s (found %d): check that the knowledge/docs/events corpus is in the knowledge base", sl.typ, slotLabel(sl.budget, sl.typ, "en"), len(events))))
		}
		e := events[chosen[si]]
		band, _ := bands.of(sl.budget)
		cost, participants, roi, adapted := adapt(e, band, float64(p.budget)*anchorPct[sl.budget]/100, unitFor(p.budget))
		doc.Recommendations = append(doc.Recommendations, Recommendation{
			Budget: sl.budget, Type: sl.typ,
			Title: e.titleIn(p.locale), Prize: e.prizeIn(p.locale), Participation: e.participationIn(p.locale),
			ExpectedParticipants: participants, Cost: cost, ROI: roi,
		})
		basis = append(basis, PastEvent{
			ID: e.id, Title: e.titleIn(p.locale), Year: e.year, Where: e.whereIn(p.locale), Season: e.season, Channel: e.channel,
			Cost: e.cost, Participants: e.participants, ROI: e.roi, UsedFor: sl.budget + "-" + sl.typ, Adapted: adapted,
		})
	}
	doc.Trends = trendsOf(p, events)
	return doc, basis, nil
}

// unitFor is what costs are rounded to: ₩10,000 from a ₩1M budget up,
// ₩1,000 below.
func unitFor(budget int) int {
	if budget >= 1_000_000 {
		return 10_000
	}
	return 1_000
}

// adapt fits a past event's numbers to a band; see buildFallback.
func adapt(e pastEvent, band Band, anchor float64, unit int) (cost, participants, roi int, adapted bool) {
	if e.cost >= band.Min && e.cost <= band.Max {
		return e.cost, e.participants, e.roi, false
	}
	lo, hi := ceilDiv(band.Min, unit)*unit, band.Max/unit*unit
	cost = int(math.Round(anchor/float64(unit))) * unit
	if lo > hi { // a band narrower than the unit
		lo, hi = band.Min, band.Max
		cost = int(math.Round(anchor))
	}
	cost = min(max(cost, lo), hi)
	s := float64(cost) / float64(e.cost)
	participants = max(1, int(math.Round(float64(e.participants)*math.Pow(s, 0.8))))
	roi = int(math.Round(((1+float64(e.roi)/100)*math.Pow(s, -0.2) - 1) * 100))
	return cost, participants, max(roi, -100), true
}

// trendsOf writes the three trends from the past events found: counts,
// averages and the best events of the industry, the district (or the
// trade area) and the season.
func trendsOf(p profile, events []pastEvent) Trends {
	l := p.locale
	stat := func(keep func(pastEvent) bool) (n, roi, part int, best []pastEvent) {
		for _, e := range events {
			if keep(e) {
				n++
				roi += e.roi
				part += e.participants
				best = append(best, e)
			}
		}
		if n > 0 {
			roi, part = roi/n, part/n
		}
		slices.SortStableFunc(best, func(a, b pastEvent) int { return cmp.Or(cmp.Compare(b.roi, a.roi), cmp.Compare(a.id, b.id)) })
		return n, roi, part, best
	}
	var t Trends

	ind := industryLabel(p.industry, l)
	n, roi, _, best := stat(func(e pastEvent) bool { return e.industry == p.industry })
	if n == 0 {
		n, roi, _, best = stat(func(pastEvent) bool { return true })
		ind = tr(l, "비슷한 소매", "similar retail")
	}
	_, _, on, _ := stat(func(e pastEvent) bool { return e.industry == p.industry && e.channel == "online" })
	_, _, off, _ := stat(func(e pastEvent) bool { return e.industry == p.industry && e.channel == "offline" })
	t.Industry = tr(l,
		fmt.Sprintf("%s 과거 이벤트 %d건의 평균 ROI는 %d%%, 평균 참여는 온라인 %s명·오프라인 %s명이에요. ROI가 가장 높았던 건 '%s' (%d%%)예요.", ind, n, roi, thousands(on), thousands(off), best[0].titleIn(l), best[0].roi),
		fmt.Sprintf("%d past %s events averaged %d%% ROI, with %s participants online and %s offline on average. The best ROI was \"%s\" (%d%%).", n, ind, roi, thousands(on), thousands(off), best[0].titleIn(l), best[0].roi))

	switch {
	case p.district != "":
		n, _, part, best := stat(func(e pastEvent) bool { return e.district == p.district })
		hint := areaHint(p.area, l)
		if n > 0 {
			t.Location = tr(l,
				fmt.Sprintf("%s(%s 상권)에서 열린 과거 이벤트 %d건, 평균 참여 %s명. 대표 사례는 '%s'. %s", p.region, areaLabel(p.area, l), n, thousands(part), best[0].titleIn(l), hint),
				fmt.Sprintf("%d past events in %s (a %s area) drew %s participants on average; a good example is \"%s\". Here %s", n, p.where, areaLabel(p.area, l), thousands(part), best[0].titleIn(l), hint))
		} else {
			n, _, part, _ := stat(func(e pastEvent) bool { return e.area == p.area })
			t.Location = tr(l,
				fmt.Sprintf("%s에서 열린 과거 이벤트는 없어 같은 %s 상권 이벤트 %d건(평균 참여 %s명)을 참고했어요. %s", p.region, areaLabel(p.area, l), n, thousands(part), hint),
				fmt.Sprintf("No past events in %s, so %d events in other %s areas were used (%s participants on average). Here %s", p.where, n, areaLabel(p.area, l), thousands(part), hint))
		}
	default:
		districts := map[string]bool{}
		for _, e := range events {
			districts[e.district] = true
		}
		_, _, part, _ := stat(func(pastEvent) bool { return true })
		t.Location = tr(l,
			fmt.Sprintf("매장을 정하지 않아 서울 %d개 구에서 열린 과거 이벤트 %d건을 모두 참고했어요 (평균 참여 %s명). 매장을 알려 주시면 상권에 맞춰 다시 골라 드려요.", len(districts), len(events), thousands(part)),
			fmt.Sprintf("No store given, so all %d past events across %d Seoul districts were used (%s participants on average). Name a store to match its trade area.", len(events), len(districts), thousands(part)))
	}

	n, roi, _, best = stat(func(e pastEvent) bool { return e.season == p.season })
	season := seasonLabel(p.season, l)
	if n == 0 {
		t.Season = tr(l, fmt.Sprintf("%s 시즌 과거 이벤트가 없어 다른 시즌 사례를 참고했어요.", season), fmt.Sprintf("No past %s events were found, so other seasons were used.", season))
		return t
	}
	top := "'" + best[0].titleIn(l) + "' (" + strconv.Itoa(best[0].roi) + "%)"
	if len(best) > 1 {
		top += ", '" + best[1].titleIn(l) + "' (" + strconv.Itoa(best[1].roi) + "%)"
	}
	t.Season = tr(l,
		fmt.Sprintf("%s 시즌 과거 이벤트 %d건의 평균 ROI는 %d%%. 성과 상위: %s.", season, n, roi, top),
		fmt.Sprintf("%d past %s events averaged %d%% ROI. Top performers: %s.", n, season, roi, strings.ReplaceAll(top, "'", "\"")))
	if p.occasion != "" {
		k, _, _, ob := stat(func(e pastEvent) bool { return e.occasion == p.occasion })
		if k > 0 {
			t.Season += tr(l,
				fmt.Sprintf(" %s 이벤트는 %d건, 대표 사례 '%s'.", occasionLabel(p.occasion, l), k, ob[0].titleIn(l)),
				fmt.Sprintf(" %d were %s events, e.g. \"%s\".", k, occasionLabel(p.occasion, l), ob[0].titleIn(l)))
		}
	}
	return t
}
