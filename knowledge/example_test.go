package knowledge_test

import (
	"context"
	"fmt"

	"github.com/crumb-dev/crumb/knowledge"
)

// A knowledge base in memory with the default (hash) embedder: two segment
// profiles, and a question scoped to one segment.
func ExampleKB_Search() {
	ctx := context.Background()
	kb, err := knowledge.Open(ctx, knowledge.Options{})
	if err != nil {
		panic(err)
	}
	defer kb.Close()
	_, err = kb.Ingest(ctx, "segments", []knowledge.Document{
		{ID: "vip", Title: "VIP 고객", Text: "## 구매 특징\n홀케이크와 마카롱을 많이 삽니다.\n\n## 방문 시간\n주말 오후에 옵니다.",
			Metadata: map[string]string{"segment": "vip"}},
		{ID: "dormant", Title: "휴면 고객", Text: "## 구매 특징\n단팥빵을 가끔 샀습니다.",
			Metadata: map[string]string{"segment": "dormant"}},
	})
	if err != nil {
		panic(err)
	}
	hits, err := kb.Search(ctx, knowledge.Query{
		Text:        "VIP 고객들은 어떤 상품을 구매해?",
		Collections: []string{"segments"},
		Where:       map[string]string{"segment": "vip"},
		Limit:       1,
	})
	if err != nil {
		panic(err)
	}
	for _, h := range hits {
		fmt.Printf("%s > %s: %s\n", h.Title, h.Heading, h.Text)
	}
	// Output: VIP 고객 > 구매 특징: 홀케이크와 마카롱을 많이 삽니다.
}
