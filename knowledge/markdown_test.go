package knowledge

import (
	"maps"
	"strings"
	"testing"
	"testing/fstest"
)

func TestChunkMarkdownKeepsHeadingPaths(t *testing.T) {
	body := `# 쿠폰 정책

머리말입니다.

## 쿠폰 종류

### 생일 쿠폰
홀케이크 5,000원 할인.

### 신규 가입 쿠폰
아메리카노 1잔.

## 빈 절

## 사용 규칙
한 번에 한 장.

` + "```" + `
# 코드 안의 제목은 제목이 아닙니다
` + "```" + `
`
	got := ChunkMarkdown("쿠폰 정책", body, ChunkOptions{})
	want := []Chunk{
		{"", "머리말입니다."},
		{"쿠폰 종류 > 생일 쿠폰", "홀케이크 5,000원 할인."},
		{"쿠폰 종류 > 신규 가입 쿠폰", "아메리카노 1잔."},
		{"사용 규칙", "한 번에 한 장.\n\n```\n# 코드 안의 제목은 제목이 아닙니다\n```"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d chunks %#v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("chunk %d = %#v, want %#v", i, got[i], want[i])
		}
	}
}

func TestChunkMarkdownSplitsLongSections(t *testing.T) {
	para := strings.Repeat("가나다라마바사아자차카타파하 ", 10) // 150 characters
	body := "## 긴 절\n\n" + para + "\n\n" + para + "\n\n" + para
	got := ChunkMarkdown("t", body, ChunkOptions{Max: 320})
	if len(got) != 2 {
		t.Fatalf("got %d chunks, want 2 (two paragraphs fit in 320 characters)", len(got))
	}
	for _, c := range got {
		if c.Heading != "긴 절" || runeLen(c.Text) > 320 {
			t.Errorf("chunk %q (%d chars) under %q", c.Text[:20], runeLen(c.Text), c.Heading)
		}
	}
	// A single unbreakable run is cut anyway.
	long := strings.Repeat("가", 1000)
	for _, c := range ChunkMarkdown("t", long, ChunkOptions{Max: 300}) {
		if runeLen(c.Text) > 300 {
			t.Errorf("chunk of %d characters", runeLen(c.Text))
		}
	}
}

func TestChunkMarkdownJoinsShortSections(t *testing.T) {
	body := "## 가격\n3,200원.\n\n## 보관\n실온 24시간.\n\n## 긴 설명\n" + strings.Repeat("버터 향이 가득합니다. ", 20)
	got := ChunkMarkdown("크루아상", body, ChunkOptions{Min: 40, Max: 120})
	joined := Chunk{"", "가격\n3,200원.\n\n보관\n실온 24시간."}
	if len(got) < 2 || got[0] != joined || got[1].Heading != "긴 설명" {
		t.Errorf("short sections should be joined to the next, not to a section too long to join:\n got %#v\nwant %#v first", got, joined)
	}
	// A short section alone keeps its heading and text as they are.
	if got := ChunkMarkdown("t", "## 가격\n3,200원.", ChunkOptions{Min: 40}); len(got) != 1 || got[0] != (Chunk{"가격", "3,200원."}) {
		t.Errorf("lone short section: %#v", got)
	}
}

func TestFrontMatter(t *testing.T) {
	meta, body, err := splitFrontMatter("---\nid: a-1\ncost_krw: 1500000\nratio: 0.25\nopen: true\ntags: [winter, stamp]\nempty:\n---\n# 제목\n본문\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "a-1", "cost_krw": "1500000", "ratio": "0.25", "open": "true", "tags": "winter,stamp"}
	if !maps.Equal(meta, want) {
		t.Errorf("meta = %v, want %v", meta, want)
	}
	if body != "# 제목\n본문\n" {
		t.Errorf("body = %q", body)
	}
	for _, bad := range []string{
		"---\nid: a\n# never closed\n",
		"---\nid: a\nid: b\n---\n",
		"---\nnested:\n  a: 1\n---\n",
		"---\n- a list\n---\n",
		"---\nid: [unclosed\n---\n",
	} {
		if _, _, err := splitFrontMatter(bad); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
	if meta, body, err := splitFrontMatter("no front matter"); err != nil || len(meta) != 0 || body != "no front matter" {
		t.Errorf("plain document: %v %q %v", meta, body, err)
	}
}

func TestParseDocument(t *testing.T) {
	fsys := fstest.MapFS{
		"events/e1.md":        {Data: []byte("---\nid: e1\nsegment: vip\ncost: 300000\n---\n# 겨울 스탬프\n본문")},
		"x.md":                {Data: []byte("---\nid: x\n---\n본문")},
		"events/noid.md":      {Data: []byte("---\ntitle: t\n---\n본문")},
		"events/reserved.md":  {Data: []byte("---\nid: r\n_doc_id: x\n---\n본문")},
		"Events/badcol.md":    {Data: []byte("---\nid: b\n---\n본문")},
		"brand/explicit.md":   {Data: []byte("---\nid: ex\ncollection: policies\ntitle: 명시\n---\n본문")},
		"brand/no-heading.md": {Data: []byte("---\nid: nh\n---\n본문")},
	}
	d, col, err := ParseDocument(fsys, "events/e1.md")
	if err != nil || col != "events" || d.ID != "e1" || d.Title != "겨울 스탬프" || !maps.Equal(d.Metadata, map[string]string{"segment": "vip", "cost": "300000"}) {
		t.Errorf("e1: %+v %s %v", d, col, err)
	}
	if d, col, err := ParseDocument(fsys, "brand/explicit.md"); err != nil || col != "policies" || d.Title != "명시" {
		t.Errorf("explicit: %+v %s %v", d, col, err)
	}
	if d, _, err := ParseDocument(fsys, "brand/no-heading.md"); err != nil || d.Title != "no-heading" {
		t.Errorf("title from the file name: %+v %v", d, err)
	}
	for p, want := range map[string]string{
		"x.md":               "no collection",
		"events/noid.md":     "has no id",
		"events/reserved.md": "reserved",
		"Events/badcol.md":   "collection \"Events\"",
	} {
		if _, _, err := ParseDocument(fsys, p); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file and %q", p, err, want)
		}
	}
}

func FuzzChunkMarkdown(f *testing.F) {
	f.Add("---\nid: a\n---\n# t\n## h\ntext")
	f.Add("```\n# x\n```\n## y\n\n\nz")
	f.Add("#no space\n####### seven\n## a ##\n")
	f.Fuzz(func(t *testing.T, src string) {
		_, body, err := splitFrontMatter(src)
		if err != nil {
			return
		}
		for _, c := range ChunkMarkdown("t", body, ChunkOptions{Max: 50, Min: 10}) {
			if strings.TrimSpace(c.Text) == "" {
				t.Fatalf("empty chunk from %q", src)
			}
			if runeLen(c.Text) > 50+runeLen(c.Heading)+50 {
				t.Fatalf("chunk of %d characters from %q", runeLen(c.Text), src)
			}
		}
	})
}
