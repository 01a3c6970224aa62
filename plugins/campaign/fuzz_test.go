package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/crumb-dev/crumb/tools"
)

// FuzzPushCopyArgs feeds push_copy arbitrary arguments: it must never
// panic or fail with a Go error, and whatever it writes must be clean and
// within the limits.
func FuzzPushCopyArgs(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"product_name":"크루아상","segment":"vip","discount_pct":30}`, `{"product":"P029","locale":"en","segment":"at risk"}`,
		`{"product_name":"폐기 빵"}`, `{"product_name":"  ","segment":"VIP_3"}`, `{"discount_pct":-1}`, `{"ewr":1e308}`, `[1]`, `"x"`,
	} {
		f.Add(s)
	}
	host := fixture(f)
	p := Plugin()
	f.Fuzz(func(t *testing.T, args string) {
		res, err := p.Tools[1].Run(context.Background(), &tools.Call{CallInfo: tools.CallInfo{Locale: "ko", Now: today}, Host: host}, []byte(args))
		if err != nil {
			// The fake host refuses a fallback that fails the checks: that
			// would be the plugin's bug.
			t.Fatalf("%s: %v", args, err)
		}
		if res.Failure != "" {
			return
		}
		var out PushOutput
		if err := json.Unmarshal(res.Output, &out); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{out.Headline, out.PushText, out.ActionLine} {
			if strings.TrimSpace(s) == "" || runes(s) > 120 {
				t.Errorf("%s: part %q empty or too long", args, s)
			}
		}
	})
}

// FuzzEventPlanArgs feeds event_plan arbitrary arguments.
func FuzzEventPlanArgs(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"store":"강남점","season":"크리스마스","budget":500000}`, `{"season":"설","budget":100000,"channel":"오프라인"}`,
		`{"budget":999999999,"industry":"cafe","purpose":"재방문"}`, `{"store":"x"}`, `{"budget":-5}`, `{"season":"🎄"}`,
	} {
		f.Add(s)
	}
	host := fixture(f)
	p := Plugin()
	f.Fuzz(func(t *testing.T, args string) {
		res, err := p.Tools[0].Run(context.Background(), &tools.Call{CallInfo: tools.CallInfo{Locale: "en", Now: today}, Host: host}, []byte(args))
		if err != nil {
			t.Fatalf("%s: %v", args, err)
		}
		if res.Failure != "" {
			return
		}
		var out PlanOutput
		if err := json.Unmarshal(res.Output, &out); err != nil || len(out.Recommendations) != 6 {
			t.Fatalf("%s: %v, %d plans", args, err, len(out.Recommendations))
		}
	})
}

// FuzzValidators feeds both validators arbitrary outputs: they must not
// panic, and an output they accept must decode into the plugin's types.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"totalBudget":6000000,"trends":{},"recommendations":[{}]}`, `{"totalBudget":1e400}`, `{"totalBudget":-1}`,
		`{"item":"크루아상","locale":"ko","headline":"크루아상","push_text":"크루아상","action_line":"x"}`, `null`, `[]`, `{"recommendations":"x","totalBudget":5}`,
	} {
		f.Add(s)
	}
	c := newCampaign()
	f.Fuzz(func(t *testing.T, out string) {
		if len(validatePlan([]byte(out))) == 0 {
			var d planDoc
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Errorf("accepted plan does not decode: %v", err)
			}
		}
		if len(c.validatePush([]byte(out))) == 0 {
			var d pushDoc
			if err := json.Unmarshal([]byte(out), &d); err != nil || fold(d.Item) == "" {
				t.Errorf("accepted push does not decode: %v", err)
			}
		}
	})
}
