package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/crumb-dev/crumb/tools"
	"github.com/crumb-dev/crumb/tools/plugintest"
)

// corpusDir is the past-event corpus the knowledge base ingests.
const corpusDir = "../../knowledge/docs/events"

// loadCorpus reads the past events as knowledge documents, front matter as
// metadata (every value a string), as the knowledge base does.
var loadCorpus = sync.OnceValues(func() ([]tools.KnowledgeDoc, error) {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "*.md"))
	if err != nil {
		return nil, err
	}
	var docs []tools.KnowledgeDoc
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		rest, ok := bytes.CutPrefix(raw, []byte("---\n"))
		if !ok {
			return nil, fmt.Errorf("%s: no front matter", p)
		}
		front, body, ok := bytes.Cut(rest, []byte("\n---\n"))
		if !ok {
			return nil, fmt.Errorf("%s: front matter not closed", p)
		}
		var md map[string]any
		if err := yaml.Unmarshal(front, &md); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		meta := map[string]string{}
		for k, v := range md {
			meta[k] = fmt.Sprint(v)
		}
		docs = append(docs, tools.KnowledgeDoc{ID: meta["id"], Title: meta["title"], Text: string(body), Metadata: meta})
	}
	return docs, nil
})

func corpus(t testing.TB) []tools.KnowledgeDoc {
	t.Helper()
	docs, err := loadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

// demoStores are host/demo's stores (plugins do not import the host).
var demoStores = []tools.Store{
	{ID: "S01", Name: "강남점", NameEN: "Gangnam", District: "강남구", DistrictEN: "Gangnam-gu", Area: "office"},
	{ID: "S02", Name: "홍대점", NameEN: "Hongdae", District: "마포구", DistrictEN: "Mapo-gu", Area: "university"},
	{ID: "S03", Name: "여의도점", NameEN: "Yeouido", District: "영등포구", DistrictEN: "Yeongdeungpo-gu", Area: "office"},
	{ID: "S04", Name: "잠실점", NameEN: "Jamsil", District: "송파구", DistrictEN: "Songpa-gu", Area: "residential"},
	{ID: "S05", Name: "종로점", NameEN: "Jongno", District: "종로구", DistrictEN: "Jongno-gu", Area: "tourist"},
	{ID: "S06", Name: "신촌점", NameEN: "Sinchon", District: "서대문구", DistrictEN: "Seodaemun-gu", Area: "university"},
	{ID: "S07", Name: "성수점", NameEN: "Seongsu", District: "성동구", DistrictEN: "Seongdong-gu", Area: "tourist"},
	{ID: "S08", Name: "이태원점", NameEN: "Itaewon", District: "용산구", DistrictEN: "Yongsan-gu", Area: "tourist"},
	{ID: "S09", Name: "건대점", NameEN: "Konkuk Univ.", District: "광진구", DistrictEN: "Gwangjin-gu", Area: "university"},
	{ID: "S10", Name: "목동점", NameEN: "Mokdong", District: "양천구", DistrictEN: "Yangcheon-gu", Area: "residential"},
	{ID: "S11", Name: "왕십리점", NameEN: "Wangsimni", District: "성동구", DistrictEN: "Seongdong-gu", Area: "station"},
	{ID: "S12", Name: "서울역점", NameEN: "Seoul Station", District: "중구", DistrictEN: "Jung-gu", Area: "station"},
}

// demoProducts are some of host/demo's products, the longest names
// included.
var demoProducts = []tools.Product{
	{ID: "P001", Name: "식빵", NameEN: "White Bread", Category: "bread", Price: 4500},
	{ID: "P006", Name: "소금빵", NameEN: "Salt Bread", Category: "bread", Price: 3200},
	{ID: "P016", Name: "크림치즈 베이글", NameEN: "Cream Cheese Bagel", Category: "bread", Price: 3900},
	{ID: "P018", Name: "크루아상", NameEN: "Croissant", Category: "pastry", Price: 3200},
	{ID: "P020", Name: "아몬드 크루아상", NameEN: "Almond Croissant", Category: "pastry", Price: 4300},
	{ID: "P026", Name: "치즈케이크", NameEN: "Cheesecake", Category: "cake", Price: 6500},
	{ID: "P029", Name: "딸기 생크림 케이크", NameEN: "Strawberry Cream Cake", Category: "cake", Price: 34000},
	{ID: "P035", Name: "햄치즈 샌드위치", NameEN: "Ham & Cheese Sandwich", Category: "sandwich", Price: 5500},
	{ID: "P039", Name: "BLT 샌드위치", NameEN: "BLT Sandwich", Category: "sandwich", Price: 6500},
	{ID: "P045", Name: "진저맨 쿠키", NameEN: "Gingerbread Man Cookie", Category: "cookie", Price: 3000},
	{ID: "P046", Name: "우유", NameEN: "Milk", Category: "beverage", Price: 1600},
	{ID: "P048", Name: "아메리카노", NameEN: "Americano", Category: "beverage", Price: 3500},
}

// today is the fixture's day: 17:00 in Seoul on a winter Tuesday.
var today = time.Date(2026, 12, 15, 17, 0, 0, 0, seoul)

// fixture is a host with the demo stores and products, today's stock, the
// past-event corpus and the plugin's validators.
func fixture(t testing.TB) *plugintest.Host {
	t.Helper()
	var stores, products, stock []any
	for _, s := range demoStores {
		stores = append(stores, s)
	}
	for i, p := range demoProducts {
		products = append(products, p)
		for _, s := range demoStores[:3] {
			for h := 7; h <= 17; h++ {
				// P018 (croissant) has the most units left at 17:00.
				q := 40 - 3*(h-7) + i
				if p.ID == "P018" {
					q += 30
				}
				stock = append(stock, tools.StockSnapshot{StoreID: s.ID, ProductID: p.ID, At: time.Date(2026, 12, 15, h, 0, 0, 0, seoul), Quantity: q})
			}
		}
	}
	return &plugintest.Host{
		Datasets:   map[string][]any{tools.DatasetStores: stores, tools.DatasetProducts: products, tools.DatasetStock: stock},
		Allowed:    Plugin().Capabilities.Datasets,
		Knowledge:  map[string][]tools.KnowledgeDoc{eventsCollection: corpus(t)},
		Validators: Plugin().Validators,
	}
}

// run calls a tool of the plugin as the host does (JSON arguments).
func run(t testing.TB, p tools.Plugin, host tools.HostAPI, locale, tool, args string) *tools.Result {
	t.Helper()
	i := slices.IndexFunc(p.Tools, func(x tools.Tool) bool { return x.Info().Name == tool })
	if i < 0 {
		t.Fatalf("no tool %s", tool)
	}
	res, err := p.Tools[i].Run(context.Background(), &tools.Call{CallInfo: tools.CallInfo{Locale: locale, Now: today}, Host: host}, []byte(args))
	if err != nil {
		t.Fatalf("%s %s: %v", tool, args, err)
	}
	return res
}

// TestCorpus checks the past events the plans are grounded in: enough of
// them, every field a plan needs, one spelling per key, and at least two
// events for every season × budget level × channel so that any season can
// fill all six plans from its own events.
func TestCorpus(t *testing.T) {
	docs := corpus(t)
	if len(docs) < 60 {
		t.Fatalf("%d past events, want at least 60", len(docs))
	}
	districts := map[string]bool{}
	for _, s := range demoStores {
		districts[s.District] = true
	}
	cells := map[[3]string]int{}
	ids := map[string]bool{}
	for _, d := range docs {
		md := d.Metadata
		t.Run(d.ID, func(t *testing.T) {
			if ids[d.ID] {
				t.Errorf("duplicate id")
			}
			ids[d.ID] = true
			for k, want := range map[string][]string{
				"collection": {"events"}, "doc_type": {"past_event"}, "locale": {"ko,en"},
				"industry": {"bakery", "cafe", "dessert"}, "season": {"spring", "summer", "autumn", "winter"},
				"budget_band": {"low", "medium", "high"}, "channel": {"online", "offline"},
				"purpose": {"new_customers", "revisit", "sales", "awareness", "loyalty"},
				"area":    {"office", "residential", "university", "tourist", "station"},
			} {
				if !slices.Contains(want, md[k]) {
					t.Errorf("%s = %q, want one of %v", k, md[k], want)
				}
			}
			if !districts[md["district"]] || md["region"] != "서울 "+md["district"] {
				t.Errorf("district %q, region %q: want a demo store's district and 서울 <district>", md["district"], md["region"])
			}
			if md["industry"] == "bakery" && !slices.ContainsFunc(demoStores, func(s tools.Store) bool { return s.ID == md["store"] && s.District == md["district"] }) {
				t.Errorf("brand event at store %q in %s: want a demo store in that district", md["store"], md["district"])
			}
			nums := map[string]int{}
			for _, k := range []string{"budget", "cost", "participants", "roi", "year"} {
				n, err := strconv.Atoi(md[k])
				if err != nil || n <= 0 {
					t.Errorf("%s = %q, want a positive whole number", k, md[k])
				}
				nums[k] = n
			}
			band := "high"
			switch {
			case nums["budget"] <= 500_000:
				band = "low"
			case nums["budget"] <= 2_000_000:
				band = "medium"
			}
			if md["budget_band"] != band || nums["cost"] > nums["budget"] {
				t.Errorf("budget %d, cost %d, band %s: want band %s (low ≤ ₩500k < medium ≤ ₩2M < high) and cost within budget", nums["budget"], nums["cost"], md["budget_band"], band)
			}
			if !strings.HasPrefix(d.ID, "evt-"+md["year"]+"-"+md["season"]+"-") {
				t.Errorf("id %s: want evt-<year>-<season>-…", d.ID)
			}
			e, ok := eventFromHit(tools.KnowledgeHit{DocID: d.ID, Title: d.Title, Metadata: md})
			if !ok {
				t.Fatalf("not usable as a past event: %v", md)
			}
			// These fields become plan texts: the plan validator's limits
			// and banned words apply.
			for _, loc := range []string{"ko", "en"} {
				var errs []string
				checkText(&errs, "title", e.titleIn(loc), planLimits["title"][0], planLimits["title"][1])
				checkText(&errs, "prize", e.prizeIn(loc), planLimits["prize"][0], planLimits["prize"][1])
				checkText(&errs, "participation", e.participationIn(loc), planLimits["participation"][0], planLimits["participation"][1])
				for _, err := range errs {
					t.Errorf("%s: %s", loc, err)
				}
			}
			for _, h := range []string{"## 무엇을 했나", "## 결과와 교훈", "## Summary (EN)"} {
				if !strings.Contains(d.Text, h) {
					t.Errorf("body lacks the section %q", h)
				}
			}
		})
		cells[[3]string{md["season"], md["budget_band"], md["channel"]}]++
	}
	for _, s := range []string{"spring", "summer", "autumn", "winter"} {
		for _, sl := range slots {
			if n := cells[[3]string{s, sl.budget, sl.typ}]; n < 2 {
				t.Errorf("%s %s-%s: %d past events, want at least 2", s, sl.budget, sl.typ, n)
			}
		}
	}
}
