// Command showcase is a test plugin for the web UI's browser test: its tools
// answer with cards (six event plans, push previews) so that the UI's
// generic card rendering is exercised whatever plugins the tree has. The UI
// knows nothing of it: it draws the cards from their generic fields.
package main

import (
	"context"
	"fmt"

	"github.com/crumb-dev/crumb/tools"
)

type In struct {
	Season string `json:"season,omitempty"`
}

type Plans struct {
	Plans []string `json:"plans"`
}

func (p Plans) Display(locale string) *tools.Display {
	d := &tools.Display{Text: "Six winter event plans, by budget and channel."}
	if locale == "ko" {
		d.Text = "겨울 이벤트 기획안 6개입니다 (예산 × 채널)."
	}
	budgets := []string{"low", "medium", "high"}
	costs := []int{300000, 1200000, 4500000}
	for i, b := range budgets {
		for _, ch := range []string{"online", "offline"} {
			title := fmt.Sprintf("Winter %s · %s", ch, b)
			if locale == "ko" {
				title = fmt.Sprintf("겨울 %s 이벤트 · 예산 %s", map[string]string{"online": "온라인", "offline": "오프라인"}[ch], map[string]string{"low": "소", "medium": "중", "high": "대"}[b])
			}
			d.Cards = append(d.Cards, tools.Card{Kind: "event_plan", Title: title, Subtitle: ch + " / " + b,
				Body:   "Hot chocolate with a croissant stamp card.",
				Fields: []tools.Field{{Label: "cost", Value: fmt.Sprintf("₩%d", costs[i])}, {Label: "roi", Value: fmt.Sprintf("%.1f", 1.4+0.3*float64(i))}}})
		}
	}
	return d
}

type Pushes struct {
	Count int `json:"count"`
}

func (p Pushes) Display(locale string) *tools.Display {
	d := &tools.Display{Text: "Two push previews for the closing-time offer."}
	cards := []tools.Card{
		{Kind: "push_preview", Title: "Warm croissants until 9 pm", Body: "Your Gangnam bakery has buttery croissants fresh from the oven.", Subtitle: "Get 30% off now →"},
		{Kind: "push_preview", Title: "A sweet end to the day", Body: "Strawberry cake slices are waiting at Hongdae.", Subtitle: "See today's offer →"},
	}
	if locale == "ko" {
		d.Text = "마감 할인 푸시 미리보기 2개입니다."
		cards = []tools.Card{
			{Kind: "push_preview", Title: "갓 구운 크루아상, 밤 9시까지", Body: "강남점에서 버터 향 가득한 크루아상을 만나보세요.", Subtitle: "지금 30% 할인받기 →"},
			{Kind: "push_preview", Title: "하루의 달콤한 마무리", Body: "홍대점 딸기 케이크 조각이 기다리고 있어요.", Subtitle: "오늘의 혜택 보기 →"},
		}
	}
	d.Cards = cards
	return d
}

func main() {
	plan := tools.NewTool("event_plan", "Plan a seasonal event (showcase).",
		func(ctx context.Context, c *tools.Call, in In) (Plans, error) {
			return Plans{Plans: []string{"a", "b", "c", "d", "e", "f"}}, nil
		},
		tools.WithIntent("event_plan", "겨울 이벤트 기획해줘", "plan a winter event", "연말 이벤트 아이디어 줘", "ideas for a christmas event"))
	push := tools.NewTool("push_copy", "Write push copy (showcase).",
		func(ctx context.Context, c *tools.Call, in In) (Pushes, error) { return Pushes{Count: 2}, nil },
		tools.WithIntent("push_copy", "마감 할인 푸시 문구 만들어줘", "write push copy for the closing-time discount", "푸시 알림 문구 써줘", "draft a push notification"))
	tools.Serve(tools.Plugin{Name: "showcase", Version: "0.0.1", Tools: []tools.Tool{plan, push}})
}
