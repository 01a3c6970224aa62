package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/crumb-dev/crumb/host/slack"
	"github.com/crumb-dev/crumb/host/store"
)

// seenLedger says every event was seen before, so the fuzzer's requests
// are parsed and claimed but never answered.
type seenLedger struct{ store.SlackEvents }

func (seenLedger) ClaimSlackEvent(context.Context, string, string, time.Duration, int) (*store.SlackClaim, bool, error) {
	return nil, false, nil
}

// FuzzSlackRequests signs arbitrary bodies and sends them to the three
// Slack endpoints: the adapter answers 200 or 400 and never panics.
func FuzzSlackRequests(f *testing.F) {
	f.Add("/slack/events", `{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","user":"U1","text":"<@U2> hi <@U3","channel":"C1","ts":"1.2"}}`)
	f.Add("/slack/events", `{"type":"url_verification","challenge":"abc"}`)
	f.Add("/slack/commands", "command=%2Fcrumb&text=%EC%98%A4%EB%8A%98&user_id=U1&channel_id=C1&trigger_id=t1")
	f.Add("/slack/interactive", `payload={"type":"block_actions","trigger_id":"t","actions":[{"action_id":"crumb_feedback_up","value":"c"}]}`)
	f.Add("/slack/interactive", "payload=%7B%22type%22%3A%22block_actions%22%7D")
	a, err := slack.New(slack.Options{Chat: nopChat{}, Ledger: seenLedger{}, BotToken: "xoxb-test", SigningSecret: secret, APIURL: "http://127.0.0.1:1/api/"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path, body string) {
		if !strings.HasPrefix(path, "/slack/") {
			return
		}
		req := httptest.NewRequest(http.MethodPost, "http://crumb"+"/x", strings.NewReader(body))
		req.URL.Path = path
		req.Header = sign(body, time.Now(), secret)
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
		default:
			t.Fatalf("%s %q: status %d %s", path, body, rec.Code, rec.Body.String())
		}
	})
}
