package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

var modes = []string{ModeVector, ModeBM25, ModeHybrid}

func docIDs(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.DocID)
	}
	return out
}

func openCorpus(t testing.TB) *KB {
	t.Helper()
	kb, err := Open(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.IngestFS(context.Background(), Docs); err != nil {
		t.Fatal(err)
	}
	return kb
}

func TestCorpusIngests(t *testing.T) {
	kb, err := Open(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := kb.IngestFS(context.Background(), Docs)
	if err != nil {
		t.Fatal(err)
	}
	for col, min := range map[string]int{"brand": 3, "policies": 6, "operations": 3, "products": 52, "segments": 6, "stores": 12} {
		if rep.Collections[col] < min {
			t.Errorf("collection %s has %d documents, want at least %d", col, rep.Collections[col], min)
		}
	}
	// Every segment the segment plugin names has a definition.
	for _, seg := range []string{"vip", "loyal", "regular", "new", "at_risk", "dormant"} {
		hits, err := kb.Search(context.Background(), Query{Text: "고객", Collections: []string{"segments"}, Where: map[string]string{"segment": seg}, Mode: ModeBM25})
		if err != nil || len(hits) == 0 {
			t.Errorf("no segment document for %s: %v", seg, err)
		}
	}
	// Every demo product and store has a page.
	for i := 1; i <= 52; i++ {
		if !kb.HasDoc(fmt.Sprintf("product-p%03d", i)) {
			t.Errorf("no product sheet for P%03d", i)
		}
	}
	for i := 1; i <= 12; i++ {
		if !kb.HasDoc(fmt.Sprintf("store-s%02d", i)) {
			t.Errorf("no store page for S%02d", i)
		}
	}
}

func TestSearchFindsTheAnsweringDocument(t *testing.T) {
	kb := openCorpus(t)
	ctx := context.Background()
	for _, tc := range []struct{ q, want string }{
		{"크루아상에 계란 들어가요?", "product-p018"},
		{"how is EWR calculated?", "ops-ewr"},
		{"푸시 문구에 쓰면 안 되는 단어", "policy-banned-words"},
		{"서울역점은 언제 생겼어?", "store-s12"},
	} {
		for _, m := range modes {
			hits, err := kb.Search(ctx, Query{Text: tc.q, Mode: m, DistinctDocs: true})
			if err != nil {
				t.Fatal(err)
			}
			if ids := docIDs(hits); !slices.Contains(ids, tc.want) {
				t.Errorf("%s %q: %v does not hold %s", m, tc.q, ids, tc.want)
			}
		}
	}
	hits, _ := kb.Search(ctx, Query{Text: "크루아상 알레르기", Limit: 3})
	if len(hits) != 3 || hits[0].Title == "" || hits[0].Collection != "products" || hits[0].Metadata["product"] == "" {
		t.Errorf("hit fields: %+v", hits)
	}
	if hits[0].Heading == "" || !strings.Contains(hits[0].Heading, "알레르기") {
		t.Errorf("the best chunk for an allergen question should be the allergen section, got %q", hits[0].Heading)
	}
	for _, h := range hits {
		for k := range h.Metadata {
			if strings.HasPrefix(k, "_") {
				t.Errorf("reserved key %s leaks into a hit's metadata", k)
			}
		}
	}
}

// TestScopedRetrieval is seed 001's problem: a question about one segment
// must never be answered from another segment's material.
func TestScopedRetrieval(t *testing.T) {
	kb := openCorpus(t)
	ctx := context.Background()
	// The segment plugin writes profiles into "segments" with segment=<id>.
	profiles := []Document{
		{ID: "segment-profile-vip", Title: "VIP 프로필", Text: "## 많이 사는 상품\n홀케이크와 마카롱을 평균보다 2배 더 삽니다. 휴면 고객과 달리 주말 오후에 옵니다.", Metadata: map[string]string{"segment": "vip", "doc_type": "segment_profile"}},
		{ID: "segment-profile-dormant", Title: "휴면 프로필", Text: "## 많이 사는 상품\n단팥빵을 샀고 90일 넘게 오지 않았습니다. VIP 고객처럼 케이크를 사지는 않습니다.", Metadata: map[string]string{"segment": "dormant", "doc_type": "segment_profile"}},
	}
	if _, err := kb.Ingest(ctx, "segments", profiles); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"VIP 고객들의 특징은?", "휴면 고객은 뭘 사?", "what do dormant customers buy?", "고객 세그먼트별 쿠폰"} {
		for _, m := range modes {
			hits, err := kb.Search(ctx, Query{Text: q, Mode: m, Collections: []string{"segments"}, Where: map[string]string{"segment": "vip"}, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 {
				t.Errorf("%s %q: no VIP material found", m, q)
			}
			for _, h := range hits {
				if h.Metadata["segment"] != "vip" || h.Collection != "segments" {
					t.Errorf("%s %q scoped to VIP returned %s (segment %q, collection %s)", m, q, h.DocID, h.Metadata["segment"], h.Collection)
				}
			}
		}
	}
	// Unscoped, the dormant question reaches the dormant documents.
	hits, _ := kb.Search(ctx, Query{Text: "휴면 고객은 뭘 사?", Collections: []string{"segments"}, DistinctDocs: true, Limit: 2})
	for _, h := range hits {
		if h.Metadata["segment"] != "dormant" {
			t.Errorf("unscoped dormant question: %v", docIDs(hits))
		}
	}
	// A filter on a key no document has, or a collection that does not
	// exist yet, finds nothing rather than failing.
	for _, q := range []Query{
		{Text: "VIP", Where: map[string]string{"segment": "nobody"}},
		{Text: "VIP", Collections: []string{"not_yet"}},
	} {
		if hits, err := kb.Search(ctx, q); err != nil || len(hits) != 0 {
			t.Errorf("%+v: %v %v", q, docIDs(hits), err)
		}
	}
}

func TestIngestReplacesByID(t *testing.T) {
	ctx := context.Background()
	kb, _ := Open(ctx, Options{})
	v1 := Document{ID: "d1", Title: "정책", Text: "## 첫째\n바게트 이야기\n\n## 둘째\n크루아상 이야기\n\n## 셋째\n마카롱 이야기", Metadata: map[string]string{"v": "1"}}
	if n, err := kb.Ingest(ctx, "policies", []Document{v1, {ID: "d2", Text: "# 다른 문서\n바게트"}}); err != nil || n != 4 {
		t.Fatalf("ingest: %d %v", n, err)
	}
	v2 := Document{ID: "d1", Title: "정책", Text: "## 첫째\n소금빵 이야기", Metadata: map[string]string{"v": "2"}}
	if n, err := kb.Ingest(ctx, "policies", []Document{v2}); err != nil || n != 1 {
		t.Fatalf("re-ingest: %d %v", n, err)
	}
	if got := kb.Collections(); len(got) != 1 || got[0] != (CollectionInfo{"policies", 2, 2}) {
		t.Errorf("collections after re-ingest: %+v (want d1 with one chunk, d2 with one)", got)
	}
	for _, m := range modes {
		hits, err := kb.Search(ctx, Query{Text: "마카롱 이야기", Mode: m, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if strings.Contains(h.Text, "마카롱") || h.Metadata["v"] == "1" {
				t.Errorf("%s: the replaced version is still found: %+v", m, h)
			}
		}
		hits, _ = kb.Search(ctx, Query{Text: "소금빵", Mode: m, Limit: 10})
		if ids := docIDs(hits); len(ids) == 0 || ids[0] != "d1" || hits[0].Metadata["v"] != "2" {
			t.Errorf("%s: the new version is not found first: %v", m, ids)
		}
	}
	// The title defaults to the first heading; an empty document fails.
	hits, _ := kb.Search(ctx, Query{Text: "바게트", Mode: ModeBM25, Where: map[string]string{MetaDocID: "d2"}})
	if len(hits) != 1 || hits[0].Title != "다른 문서" {
		t.Errorf("title from heading: %+v", hits)
	}
	for _, bad := range []struct {
		col  string
		docs []Document
		want string
	}{
		{"Policies", []Document{{ID: "x", Text: "t"}}, "collection name"},
		{"p", []Document{{Text: "t"}}, "has no id"},
		{"p", []Document{{ID: "x", Text: "a"}, {ID: "x", Text: "b"}}, "twice"},
		{"p", []Document{{ID: "x", Text: "t", Metadata: map[string]string{"_doc_id": "y"}}}, "reserved"},
		{"p", []Document{{ID: "x", Text: "   "}}, "no text"},
	} {
		if _, err := kb.Ingest(ctx, bad.col, bad.docs); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: error %v, want %q", bad.docs, err, bad.want)
		}
	}
}

func TestDelete(t *testing.T) {
	ctx := context.Background()
	kb, _ := Open(ctx, Options{Dir: t.TempDir()})
	docs := []Document{
		{ID: "a", Text: "## 하나\n단팥빵\n\n## 둘\n우유", Metadata: map[string]string{"segment": "vip"}},
		{ID: "b", Text: "단팥빵과 우유", Metadata: map[string]string{"segment": "dormant"}},
		{ID: "c", Text: "단팥빵", Metadata: map[string]string{"segment": "vip"}},
	}
	if _, err := kb.Ingest(ctx, "segments", docs); err != nil {
		t.Fatal(err)
	}
	if n, err := kb.Delete(ctx, "segments", map[string]string{"segment": "vip"}); err != nil || n != 2 {
		t.Fatalf("delete vip: %d %v", n, err)
	}
	for _, m := range modes {
		hits, _ := kb.Search(ctx, Query{Text: "단팥빵 우유", Mode: m, Limit: 10})
		if ids := docIDs(hits); !slices.Equal(ids, []string{"b"}) {
			t.Errorf("%s after delete: %v", m, ids)
		}
	}
	if n, err := kb.Delete(ctx, "segments", nil); err != nil || n != 1 || len(kb.Collections()) != 0 {
		t.Errorf("delete all: %d %v %v", n, err, kb.Collections())
	}
	if n, err := kb.Delete(ctx, "nothing_here", nil); err != nil || n != 0 {
		t.Errorf("delete from a missing collection: %d %v", n, err)
	}
}

func TestPersistsAndRebuildsOnOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "knowledge")
	kb, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.IngestFS(ctx, Docs); err != nil {
		t.Fatal(err)
	}
	want := kb.Collections()
	before, _ := kb.Search(ctx, Query{Text: "쿠폰 중복 사용", Limit: 10})
	kb.Close()
	if _, err := kb.Search(ctx, Query{Text: "x"}); err == nil {
		t.Errorf("search after Close should fail")
	}

	kb2, err := Open(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := kb2.Collections(); !slices.Equal(got, want) {
		t.Errorf("collections after reopen %v, want %v", got, want)
	}
	after, _ := kb2.Search(ctx, Query{Text: "쿠폰 중복 사용", Limit: 10})
	if !slices.Equal(docIDs(before), docIDs(after)) {
		t.Errorf("hybrid results differ after reopen:\n%v\n%v", docIDs(before), docIDs(after))
	}
	for i := range before {
		if before[i].ChunkID != after[i].ChunkID || before[i].Text != after[i].Text || before[i].Heading != after[i].Heading {
			t.Errorf("hit %d differs after reopen: %+v vs %+v", i, before[i], after[i])
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, manifestFile))
	if !strings.Contains(string(raw), `"embedder": "hash"`) || !strings.Contains(string(raw), fmt.Sprintf(`"dim": %d`, DefaultHashDim)) {
		t.Errorf("manifest: %s", raw)
	}
}

type namedEmbedder struct {
	Embedder
	name string
}

func (n namedEmbedder) Name() string { return n.name }

func TestOpenRefusesAnotherEmbedder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kb, _ := Open(ctx, Options{Dir: dir})
	if _, err := kb.Ingest(ctx, "brand", []Document{{ID: "a", Text: "크럼"}}); err != nil {
		t.Fatal(err)
	}
	kb.Close()
	_, err := Open(ctx, Options{Dir: dir, Embedder: NewHashEmbedder(512)})
	want := fmt.Sprintf("knowledge base at %s was built with embedder hash (dim %d), not hash (dim 512); re-ingest with `crumb knowledge ingest --reset --embedder hash` or use --embedder hash", dir, DefaultHashDim)
	if err == nil || err.Error() != want {
		t.Errorf("other dimension:\n got %v\nwant %s", err, want)
	}
	if _, err := Open(ctx, Options{Dir: dir, Embedder: namedEmbedder{NewHashEmbedder(0), "openai"}}); err == nil || !strings.Contains(err.Error(), "built with embedder hash") || !strings.Contains(err.Error(), "--embedder hash") {
		t.Errorf("other embedder: %v", err)
	}
	// Reset rebuilds with the new embedder.
	kb, err = Open(ctx, Options{Dir: dir, Embedder: NewHashEmbedder(512), Reset: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(kb.Collections()) != 0 {
		t.Errorf("reset kept %v", kb.Collections())
	}
	if _, err := kb.Ingest(ctx, "brand", []Document{{ID: "a", Text: "크럼"}}); err != nil {
		t.Fatal(err)
	}
	kb.Close()
	if _, err := Open(ctx, Options{Dir: dir, Embedder: NewHashEmbedder(512)}); err != nil {
		t.Errorf("reopen after reset: %v", err)
	}
	// A database without its manifest is not guessed at.
	os.Remove(filepath.Join(dir, manifestFile))
	if _, err := Open(ctx, Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "--reset") {
		t.Errorf("missing manifest: %v", err)
	}
}

func TestIngestFS(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"docs/README.md":        {Data: []byte("# not a document")},
		"docs/events/e1.md":     {Data: []byte("---\nid: e1\nsegment: vip\nbudget_band: low\n---\n# 겨울 스탬프\n## 결과\n참여 420명")},
		"docs/events/e2.md":     {Data: []byte("---\nid: e2\nsegment: new\n---\n# 봄 시식회\n## 결과\n참여 80명")},
		"docs/events/notes.txt": {Data: []byte("ignored")},
	}
	kb, _ := Open(ctx, Options{})
	rep, err := kb.IngestFS(ctx, fsys)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Docs != 2 || rep.Collections["events"] != 2 || rep.Chunks != 2 {
		t.Errorf("report %+v", rep)
	}
	hits, _ := kb.Search(ctx, Query{Text: "스탬프 결과", Collections: []string{"events"}, Where: map[string]string{"budget_band": "low"}})
	if len(hits) != 1 || hits[0].DocID != "e1" || hits[0].Heading != "결과" || hits[0].Title != "겨울 스탬프" {
		t.Errorf("hits %+v", hits)
	}
	fsys["docs/events/copy.md"] = &fstest.MapFile{Data: []byte("---\nid: e1\n---\n# 복사본")}
	if _, err := kb.IngestFS(ctx, fsys); err == nil || !strings.Contains(err.Error(), "e1") || !strings.Contains(err.Error(), "copy.md") {
		t.Errorf("duplicate id: %v", err)
	}
	// The embedded corpus holds its format's README but never as a document.
	if _, err := fs.Stat(Docs, "docs/README.md"); err != nil {
		t.Errorf("docs/README.md: %v", err)
	}
}

func TestSearchValidates(t *testing.T) {
	kb, _ := Open(context.Background(), Options{})
	for _, q := range []Query{{Text: "x", Mode: "fuzzy"}, {Text: "  "}, {Text: "x", Limit: 5000}} {
		if _, err := kb.Search(context.Background(), q); err == nil {
			t.Errorf("%+v: no error", q)
		}
	}
	if hits, err := kb.Search(context.Background(), Query{Text: "빈 지식 베이스"}); err != nil || len(hits) != 0 {
		t.Errorf("empty knowledge base: %v %v", hits, err)
	}
}

func TestConcurrentSearchAndIngest(t *testing.T) {
	ctx := context.Background()
	kb := openCorpus(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range 10 {
				doc := Document{ID: fmt.Sprintf("seg-%d", g), Text: fmt.Sprintf("## 프로필 %d\nVIP 고객은 케이크를 %d배 더 삽니다.", i, i), Metadata: map[string]string{"segment": "vip"}}
				if _, err := kb.Ingest(ctx, "segments", []Document{doc}); err != nil {
					errs <- err
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := kb.Search(ctx, Query{Text: "VIP 케이크", Where: map[string]string{"segment": "vip"}}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	hits, _ := kb.Search(ctx, Query{Text: "프로필", Collections: []string{"segments"}, Mode: ModeBM25, Limit: 100})
	seen := map[string]int{}
	for _, h := range hits {
		if strings.HasPrefix(h.DocID, "seg-") {
			seen[h.DocID]++
		}
	}
	if len(seen) != 4 {
		t.Errorf("documents after concurrent upserts: %v", seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s has %d chunks after 10 upserts of one chunk", id, n)
		}
	}
}

func TestSyncCorpus(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	v1 := fstest.MapFS{
		"policies/a.md": {Data: []byte("---\nid: a\n---\n# 가\n환불 정책")},
		"policies/b.md": {Data: []byte("---\nid: b\n---\n# 나\n쿠폰 정책")},
	}
	kb, _ := Open(ctx, Options{Dir: dir})
	if _, err := kb.Ingest(ctx, "segments", []Document{{ID: "profile", Text: "VIP 프로필", Metadata: map[string]string{"segment": "vip"}}}); err != nil {
		t.Fatal(err)
	}
	if rep, did, err := kb.SyncCorpus(ctx, v1, false); err != nil || !did || rep.Docs != 2 {
		t.Fatalf("first sync: %+v %v %v", rep, did, err)
	}
	if _, did, err := kb.SyncCorpus(ctx, v1, false); err != nil || did {
		t.Errorf("unchanged corpus synced again: %v %v", did, err)
	}
	kb.Close()
	kb, _ = Open(ctx, Options{Dir: dir})
	if _, did, _ := kb.SyncCorpus(ctx, v1, false); did {
		t.Errorf("the fingerprint did not survive a reopen")
	}
	if _, did, _ := kb.SyncCorpus(ctx, v1, true); !did {
		t.Errorf("force did not sync")
	}
	v2 := fstest.MapFS{
		"policies/b.md": {Data: []byte("---\nid: b\n---\n# 나\n쿠폰 중복 사용 불가")},
		"policies/c.md": {Data: []byte("---\nid: c\n---\n# 다\n포인트")},
	}
	rep, did, err := kb.SyncCorpus(ctx, v2, false)
	if err != nil || !did || rep.Removed != 1 || rep.Docs != 2 {
		t.Fatalf("second sync: %+v %v %v", rep, did, err)
	}
	if kb.HasDoc("a") || !kb.HasDoc("b") || !kb.HasDoc("c") || !kb.HasDoc("profile") {
		t.Errorf("after sync: a %v b %v c %v profile %v (want false true true true)", kb.HasDoc("a"), kb.HasDoc("b"), kb.HasDoc("c"), kb.HasDoc("profile"))
	}
	hits, _ := kb.Search(ctx, Query{Text: "쿠폰 중복", Mode: ModeBM25})
	if len(hits) == 0 || hits[0].DocID != "b" || !strings.Contains(hits[0].Text, "중복") {
		t.Errorf("b not updated: %+v", hits)
	}
}

func TestReplace(t *testing.T) {
	ctx := context.Background()
	kb, _ := Open(ctx, Options{Dir: t.TempDir()})
	seg := map[string]string{"plugin": "segment", "segment": "vip"}
	if _, err := kb.Ingest(ctx, "segments", []Document{
		{ID: "a", Text: "VIP 프로필 첫판", Metadata: seg},
		{ID: "b", Text: "단골 프로필 첫판", Metadata: map[string]string{"plugin": "segment", "segment": "loyal"}},
		{ID: "c", Text: "다른 플러그인의 메모", Metadata: map[string]string{"plugin": "campaign"}},
	}); err != nil {
		t.Fatal(err)
	}
	stored, removed, err := kb.Replace(ctx, "segments", map[string]string{"plugin": "segment"}, []Document{
		{ID: "a", Text: "VIP 프로필 둘째판", Metadata: seg},
		{ID: "d", Text: "신규 프로필", Metadata: map[string]string{"plugin": "segment", "segment": "new"}},
	})
	if err != nil || stored != 2 || removed != 1 {
		t.Fatalf("replace: stored %d removed %d %v (want 2 and 1: b)", stored, removed, err)
	}
	if kb.HasDoc("b") || !kb.HasDoc("a") || !kb.HasDoc("c") || !kb.HasDoc("d") {
		t.Errorf("after replace: a %v b %v c %v d %v", kb.HasDoc("a"), kb.HasDoc("b"), kb.HasDoc("c"), kb.HasDoc("d"))
	}
	hits, _ := kb.Search(ctx, Query{Text: "프로필 첫판", Mode: ModeBM25, Limit: 10})
	for _, h := range hits {
		if strings.Contains(h.Text, "첫판") {
			t.Errorf("old text still found: %+v", h)
		}
	}
	// Replacing with nothing clears the plugin's documents only.
	if stored, removed, err := kb.Replace(ctx, "segments", map[string]string{"plugin": "segment"}, nil); err != nil || stored != 0 || removed != 2 {
		t.Errorf("replace with nothing: %d %d %v", stored, removed, err)
	}
	if got := kb.Collections(); len(got) != 1 || got[0].Docs != 1 {
		t.Errorf("collections %+v, want segments with c alone", got)
	}
	if _, _, err := kb.Replace(ctx, "segments", nil, nil); err != nil || len(kb.Collections()) != 0 {
		t.Errorf("replace all with nothing: %v %+v", err, kb.Collections())
	}
}
