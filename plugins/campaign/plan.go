package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/crumb-dev/crumb/plugins/internal/names"
	"github.com/crumb-dev/crumb/tools"
)

// PlanInput is the store profile an event plan is for. The property names
// store, season, budget and purpose are the ones the host's slot filler
// maps its slots onto.
type PlanInput struct {
	Store    string `json:"store,omitempty" jsonschema:"store id, name or district (S01, 강남점, Gangnam); the whole brand when empty"`
	Region   string `json:"region,omitempty" jsonschema:"Seoul district when no store is given (마포구, Mapo-gu)"`
	Industry string `json:"industry,omitempty" jsonschema:"bakery (the default), cafe or dessert"`
	Purpose  string `json:"purpose,omitempty" jsonschema:"new_customers, revisit, sales, awareness or loyalty; Korean or English words work too (신규 고객 유치, 재방문)"`
	Season   string `json:"season,omitempty" jsonschema:"spring, summer, autumn or winter, or an occasion (christmas, 추석, valentine, 어린이날 …); the current season when empty"`
	Budget   int    `json:"budget,omitempty" jsonschema:"total budget in won (500000 for 50만원); 6000000 when empty"`
	Channel  string `json:"channel,omitempty" jsonschema:"online or offline: those plans are shown first; all six are returned"`
	Locale   string `json:"locale,omitempty" jsonschema:"ko or en; the caller's locale when empty"`
}

// Recommendation is one event plan, in the seed's shape: budget level
// (low, medium, high), type (online, offline) and the plan; id is
// "<budget>-<type>".
type Recommendation struct {
	ID                   string `json:"id,omitempty" jsonschema:"budget-type, e.g. low-online (optional)"`
	Budget               string `json:"budget" jsonschema:"low, medium or high"`
	Type                 string `json:"type" jsonschema:"online or offline"`
	Title                string `json:"title" jsonschema:"event title"`
	Prize                string `json:"prize" jsonschema:"the prize or benefit"`
	Participation        string `json:"participation" jsonschema:"how customers take part"`
	ExpectedParticipants int    `json:"expectedParticipants" jsonschema:"expected participants (integer)"`
	Cost                 int    `json:"cost" jsonschema:"expected cost in won (integer), inside the budget level's band"`
	ROI                  int    `json:"roi" jsonschema:"expected return on investment in percent (integer)"`
}

// Trends are the industry, location and season analysis.
type Trends struct {
	Industry string `json:"industry" jsonschema:"industry trend"`
	Location string `json:"location" jsonschema:"location trend"`
	Season   string `json:"season" jsonschema:"season trend"`
}

// planDoc is what the host generates and checks. TotalBudget is fixed by
// the schema (const) so that the validator, which sees only the output,
// knows the budget bands.
type planDoc struct {
	TotalBudget     int              `json:"totalBudget" jsonschema:"the total budget in won, copied exactly"`
	Trends          Trends           `json:"trends"`
	Recommendations []Recommendation `json:"recommendations" jsonschema:"exactly six plans: low, medium and high budget, each online and offline"`
}

// PastEvent is a past event a plan was grounded in.
type PastEvent struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Year         int    `json:"year"`
	Where        string `json:"where"`
	Season       string `json:"season"`
	Channel      string `json:"channel"`
	Cost         int    `json:"cost"`
	Participants int    `json:"participants"`
	ROI          int    `json:"roi"`
	// UsedFor is the plan (low-online …) the fallback built from it.
	UsedFor string `json:"usedFor"`
	// Adapted says whether its numbers were scaled to the plan's band.
	Adapted bool `json:"adapted"`
}

// PlanOutput is six event plans for a store profile, with the trends, the
// budget bands and the past events they were grounded in.
type PlanOutput struct {
	Store           string           `json:"store,omitempty"`
	StoreName       string           `json:"storeName,omitempty"`
	Region          string           `json:"region,omitempty"`
	Industry        string           `json:"industry"`
	Purpose         string           `json:"purpose,omitempty"`
	Season          string           `json:"season"`
	Occasion        string           `json:"occasion,omitempty"`
	Locale          string           `json:"locale"`
	TotalBudget     int              `json:"totalBudget"`
	Bands           Bands            `json:"bands"`
	Trends          Trends           `json:"trends"`
	Recommendations []Recommendation `json:"recommendations"`
	Basis           []PastEvent      `json:"basis"`
	Outcome         string           `json:"outcome"`
	Reason          string           `json:"reason,omitempty"`

	// For Display only.
	channel string
	where   string
}

// defaultBudget is the total budget when none is given: with the bands
// below it gives the seed's examples (low ₩250–300k, medium ₩1.5–1.8M,
// high ₩5–6M).
const defaultBudget = 6_000_000

// Budget limits a plan accepts.
const (
	minBudget = 100_000
	maxBudget = 1_000_000_000
)

func (c *campaign) eventPlanTool() tools.Tool {
	return tools.NewTool("event_plan",
		"Six event plans (low, medium, high budget × online, offline) for a store profile, grounded in the brand's most similar past events: trends, title, prize, participation, expected participants, cost and ROI.",
		c.eventPlan, eventPlanIntent())
}

// profile is a resolved PlanInput.
type profile struct {
	storeID, storeName, where       string
	region, district, area          string
	industry, purpose, purposeLabel string
	season, occasion, channel       string
	locale                          string
	budget                          int
}

func (c *campaign) eventPlan(ctx context.Context, call *tools.Call, in PlanInput) (*PlanOutput, error) {
	p, err := c.resolveProfile(ctx, call, in)
	if err != nil {
		return nil, err
	}
	events, err := searchEvents(ctx, call.Host, p)
	if err != nil {
		return nil, err
	}
	bands := bandsFor(p.budget)
	fb, basis, err := buildFallback(p, bands, events)
	if err != nil {
		return nil, err
	}
	fallback, err := json.Marshal(fb)
	if err != nil {
		return nil, err
	}
	if errs := validatePlan(fallback); len(errs) > 0 {
		// Past events whose texts break the limits or the banned words:
		// a corpus mistake the corpus test should have caught.
		return nil, fmt.Errorf("event plan fallback from %v fails the plan validator: %s", basis, strings.Join(errs, "; "))
	}
	schema, err := planSchema(p.budget)
	if err != nil {
		return nil, err
	}
	vars, err := json.Marshal(planVars(p, bands, basis, events))
	if err != nil {
		return nil, err
	}
	g, err := generate(ctx, call.Host, &tools.GenerateRequest{
		Prompt: promptEventPlan, Locale: p.locale, Vars: vars, Schema: schema, Fallback: fallback, Validator: validatorEventPlan,
	}, validatePlan)
	if err != nil {
		return nil, err
	}
	var doc planDoc
	if err := json.Unmarshal(g.Output, &doc); err != nil {
		return nil, fmt.Errorf("decode generated event plan: %w", err)
	}
	recs := doc.Recommendations
	for i := range recs {
		recs[i].ID = recs[i].Budget + "-" + recs[i].Type
	}
	slices.SortStableFunc(recs, func(a, b Recommendation) int {
		return cmp.Compare(slotIndex(a.Budget, a.Type), slotIndex(b.Budget, b.Type))
	})
	return &PlanOutput{
		Store: p.storeID, StoreName: p.storeName, Region: p.region, Industry: p.industry, Purpose: p.purpose,
		Season: p.season, Occasion: p.occasion, Locale: p.locale, TotalBudget: p.budget, Bands: bands,
		Trends: doc.Trends, Recommendations: recs, Basis: basis,
		Outcome: g.Outcome, Reason: g.Reason, channel: p.channel, where: p.where,
	}, nil
}

// resolveProfile checks the input and fills in the store's district and
// trade area, the season (from the call's date when not given) and the
// budget.
func (c *campaign) resolveProfile(ctx context.Context, call *tools.Call, in PlanInput) (profile, error) {
	locale, err := localeOf(in.Locale, call.Locale)
	if err != nil {
		return profile{}, err
	}
	p := profile{locale: locale, budget: cmp.Or(in.Budget, defaultBudget)}
	if p.budget < minBudget || p.budget > maxBudget {
		if locale == "ko" {
			return p, tools.Failf("예산 %s원으로는 기획할 수 없어요: %s원에서 %s원 사이로 알려 주세요 (예: 50만원 → 500000).", thousands(p.budget), thousands(minBudget), thousands(maxBudget))
		}
		return p, tools.Failf("budget %d won: want %d to %d won (e.g. 500000 for ₩500k)", p.budget, minBudget, maxBudget)
	}
	switch ch := strings.ToLower(strings.TrimSpace(in.Channel)); ch {
	case "", "online", "offline":
		p.channel = ch
	case "온라인":
		p.channel = "online"
	case "오프라인":
		p.channel = "offline"
	default:
		return p, tools.Failf("channel %q: want online or offline", in.Channel)
	}
	p.industry = parseIndustry(in.Industry)
	p.purpose, p.purposeLabel = parsePurpose(in.Purpose, locale)
	now := call.Now
	if now.IsZero() {
		now = c.clock()
	}
	p.season, p.occasion = parseSeason(in.Season, now.In(seoul).Month())
	if p.season == "" {
		if locale == "ko" {
			return p, tools.Failf("시즌 %q을(를) 모르겠어요: 봄, 여름, 가을, 겨울 또는 크리스마스·추석 같은 기념일로 알려 주세요.", in.Season)
		}
		return p, tools.Failf("season %q: want spring, summer, autumn or winter, or an occasion such as christmas or chuseok", in.Season)
	}
	if q := cmp.Or(strings.TrimSpace(in.Store), strings.TrimSpace(in.Region)); q != "" {
		cat, err := c.catalog(ctx, call.Host)
		if err != nil {
			return p, err
		}
		s, err := names.Store(cat.stores, q, locale)
		if err != nil {
			return p, err
		}
		p.district, p.area = s.District, s.Area
		p.region = "서울 " + s.District
		if in.Store != "" {
			p.storeID, p.storeName, p.where = s.ID, s.Name, s.Name
			if locale == "en" {
				p.storeName, p.where = s.NameEN, s.NameEN
			}
		} else {
			p.where = p.region
			if locale == "en" {
				p.where = s.DistrictEN
			}
		}
	}
	if p.where == "" {
		p.where = tr(locale, "크럼 베이커리", "Crumb Bakery")
	}
	return p, nil
}

// slots are the six plans in the seed's order.
var slots = [6]struct{ budget, typ string }{
	{"low", "online"}, {"low", "offline"}, {"medium", "online"}, {"medium", "offline"}, {"high", "online"}, {"high", "offline"},
}

func slotIndex(budget, typ string) int {
	for i, s := range slots {
		if s.budget == budget && s.typ == typ {
			return i
		}
	}
	return len(slots)
}

// planSchema is the JSON schema of a generated plan: the seed's schema
// (exactly six recommendations, enums, integers) with the total budget
// fixed. It is derived from planDoc.
func planSchema(budget int) ([]byte, error) {
	s, err := jsonschema.For[planDoc](nil)
	if err != nil {
		return nil, fmt.Errorf("event plan schema: %w", err)
	}
	var b any = budget
	s.Properties["totalBudget"].Const = &b
	six := 6
	recs := s.Properties["recommendations"]
	recs.MinItems, recs.MaxItems = &six, &six
	item := recs.Items
	item.Properties["budget"].Enum = []any{"low", "medium", "high"}
	item.Properties["type"].Enum = []any{"online", "offline"}
	one := 1
	for _, f := range []string{"title", "prize", "participation"} {
		item.Properties[f].MinLength = &one
	}
	for _, f := range []string{"industry", "location", "season"} {
		s.Properties["trends"].Properties[f].MinLength = &one
	}
	return json.Marshal(s)
}

// planVars are the prompt's variables: the profile, the bands and the past
// events (those the fallback used first).
func planVars(p profile, bands Bands, basis []PastEvent, events []pastEvent) map[string]any {
	type ev struct {
		ID            string `json:"id"`
		Title         string `json:"title"`
		Year          int    `json:"year"`
		Where         string `json:"where"`
		Season        string `json:"season"`
		Channel       string `json:"channel"`
		BudgetBand    string `json:"budget_band"`
		Prize         string `json:"prize"`
		Participation string `json:"participation"`
		Participants  int    `json:"participants"`
		Cost          int    `json:"cost"`
		ROI           int    `json:"roi"`
	}
	byID := map[string]pastEvent{}
	for _, e := range events {
		byID[e.id] = e
	}
	var similar []ev
	for _, b := range basis {
		e := byID[b.ID]
		similar = append(similar, ev{e.id, e.titleIn(p.locale), e.year, e.whereIn(p.locale), e.season, e.channel, e.band, e.prizeIn(p.locale), e.participationIn(p.locale), e.participants, e.cost, e.roi})
	}
	return map[string]any{
		"locale": p.locale, "store": p.where, "store_id": p.storeID, "region": p.region, "area": p.area,
		"industry": p.industry, "industry_label": industryLabel(p.industry, p.locale),
		"purpose": p.purpose, "purpose_label": p.purposeLabel,
		"season": p.season, "season_label": seasonLabel(p.season, p.locale), "occasion": p.occasion, "occasion_label": occasionLabel(p.occasion, p.locale),
		"budget": p.budget, "bands": bands, "similar_events": similar,
	}
}

func tr(locale, ko, en string) string {
	if locale == "ko" {
		return ko
	}
	return en
}

// thousands writes n with comma separators: 1500000 → 1,500,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
