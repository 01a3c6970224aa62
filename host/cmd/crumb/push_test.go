package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/chat"
	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/push"
	"github.com/crumb-dev/crumb/host/slack"
	"github.com/crumb-dev/crumb/host/store"
)

// pushSlackAPI is a Slack Web API in the test: chat.postMessage records
// the messages the push system posts.
type pushSlackAPI struct {
	mu    sync.Mutex
	posts []url.Values
}

func (s *pushSlackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	w.Header().Set("Content-Type", "application/json")
	switch strings.TrimPrefix(r.URL.Path, "/api/") {
	case "chat.postMessage":
		s.mu.Lock()
		s.posts = append(s.posts, form)
		n := len(s.posts)
		s.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1795249370.%06d"}`, form.Get("channel"), n)
	default:
		fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

func (s *pushSlackAPI) take() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.posts
	s.posts = nil
	return out
}

type noChat struct{}

func (noChat) Stream(context.Context, *chat.Turn, func(chat.Event)) (*chat.Reply, error) {
	return &chat.Reply{Text: "-"}, nil
}

// TestPushApprovalInSlack wires the push pipeline to a Slack adapter as
// serve does: the approval request becomes a message with buttons in the
// approval channel, a signed button click through the adapter's HTTP
// endpoint decides the store's pushes, and they go out.
func TestPushApprovalInSlack(t *testing.T) {
	api := &pushSlackAPI{}
	slackSrv := httptest.NewServer(api)
	t.Cleanup(slackSrv.Close)
	st, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "crumb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	const signing = "slack-signing-secret"
	cfg := config.Slack{BotToken: "xoxb-test", SigningSecret: signing, APIURL: slackSrv.URL + "/api/"}
	ad, err := slack.New(slack.Options{Chat: noChat{}, Ledger: st, BotToken: cfg.BotToken, SigningSecret: signing, APIURL: cfg.APIURL,
		Role: func(string) string { return "staff" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ad.Close)

	now := time.Date(2026, 11, 21, 17, 0, 0, 0, scheduleZone)
	sys := &pushSystem{approver: &lateApprover{}, notifier: &lateNotifier{}}
	copyw := push.CopywriterFunc(func(_ context.Context, reqs []push.CopyRequest) ([]push.CopyResult, error) {
		out := make([]push.CopyResult, len(reqs))
		for i, r := range reqs {
			out[i].Copy = push.Copy{Headline: "오늘 저녁 " + r.ProductName, PushText: r.ProductName + " 할인", ActionLine: "매장에서 만나요", Outcome: "fallback"}
		}
		return out, nil
	})
	sys.pipeline, err = push.NewPipeline(push.PipelineOptions{Store: st, Copy: copyw, Approver: sys.approver, Clock: pushTestClock{now},
		Settings: push.Settings{Location: scheduleZone, Approval: true, ApprovalChannel: "#store-staff", ApprovalTimeout: 10 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	// Before Slack connects, the request fails and says why.
	pl, _ := json.Marshal(map[string]any{"ewr": 31.5, "product": "크루아상", "store": "강남점"})
	if _, err := st.EnqueuePush(t.Context(), []store.PushItem{{StoreID: "S01", ProductID: "P018", Date: "2026-11-21", Payload: pl}}); err != nil {
		t.Fatal(err)
	}
	sys.pipeline.Pass(t.Context())
	jobs, _ := st.PushJobs(t.Context(), "", nil, 0)
	if !strings.Contains(jobs[0].LastError, "Slack is not connected") {
		t.Fatalf("without Slack: %+v", jobs[0])
	}

	sys.connectSlack(ad, cfg)
	// The retry is due after the backoff; a new pipeline clock moves past it.
	sys.pipeline, _ = push.NewPipeline(push.PipelineOptions{Store: st, Copy: copyw, Approver: sys.approver, Clock: pushTestClock{now.Add(time.Minute)},
		Settings: push.Settings{Location: scheduleZone, Approval: true, ApprovalChannel: "#store-staff", ApprovalTimeout: 10 * time.Minute}})
	if rep, err := sys.pipeline.Pass(t.Context()); err != nil || rep.ApprovalAsked != 1 {
		t.Fatalf("approval pass: %+v %v", rep, err)
	}
	posts := api.take()
	if len(posts) != 1 || posts[0].Get("channel") != "#store-staff" || !strings.Contains(posts[0].Get("text"), "강남점 마감 할인 푸시 1건 승인 요청 (17:11까지)") {
		t.Fatalf("approval message: %v", posts)
	}
	blocks := posts[0].Get("blocks")
	for _, want := range []string{`"action_id":"crumb_push_approve"`, `"value":"S01:2026-11-21"`, `"action_id":"crumb_push_reject"`, "오늘 저녁 크루아상", "예상 폐기율 31.5%"} {
		if !strings.Contains(blocks, want) {
			t.Fatalf("blocks lack %s: %s", want, blocks)
		}
	}

	// Staff click "모두 승인": Slack posts the interaction to the adapter.
	web := httptest.NewServer(ad)
	t.Cleanup(web.Close)
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "T-1", "user": map[string]string{"id": "U01STAFF"}, "channel": map[string]string{"id": "C01"},
		"message": map[string]string{"ts": "1795249370.000001"}, "actions": []map[string]string{{"action_id": push.ActionApprove, "value": "S01:2026-11-21"}},
	})
	body := url.Values{"payload": {string(payload)}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signing))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, _ := http.NewRequest(http.MethodPost, web.URL+"/slack/interactive", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("interaction: %v %v", resp, err)
	}
	resp.Body.Close()
	ad.Wait()
	posts = api.take()
	if len(posts) != 1 || posts[0].Get("thread_ts") != "1795249370.000001" || !strings.Contains(posts[0].Get("text"), "<@U01STAFF> 님이 푸시 1건을 승인했습니다") {
		t.Fatalf("thread reply: %v", posts)
	}
	if rep, err := sys.pipeline.Pass(t.Context()); err != nil || rep.Sent != 1 {
		t.Fatalf("after approval: %+v %v", rep, err)
	}
	jobs, _ = st.PushJobs(t.Context(), "", nil, 0)
	if jobs[0].Status != store.PushSent || jobs[0].DecidedBy != "slack:U01STAFF" {
		t.Fatalf("push: %+v", jobs[0])
	}

	// A job's result goes to its channel as a reply.
	if err := sys.notifier.Notify(t.Context(), &push.Notice{Channel: "#crumb-reports", Job: "weekly_vip_report", Title: "주간 VIP 고객 리포트 · 2026-11-23",
		Reply: &chat.Reply{Text: "VIP 고객은 주로 토요일 18시에 옵니다.", Locale: "ko"}}); err != nil {
		t.Fatal(err)
	}
	posts = api.take()
	if len(posts) != 1 || posts[0].Get("channel") != "#crumb-reports" || !strings.Contains(posts[0].Get("text"), "주간 VIP 고객 리포트") || !strings.Contains(posts[0].Get("text"), "토요일 18시") {
		t.Fatalf("report: %v", posts)
	}
}

type pushTestClock struct{ t time.Time }

func (c pushTestClock) Now() time.Time                         { return c.t }
func (c pushTestClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
