package knowledge

import (
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	chromem "github.com/philippgille/chromem-go"
)

// Docs is the demo brand's corpus: Markdown documents with YAML front
// matter under docs/, one directory per collection (see docs/README.md).
//
//go:embed docs
var Docs embed.FS

// Document is a document to ingest. Text is Markdown; it is cut into
// chunks under its headings.
type Document struct {
	ID       string
	Title    string
	Text     string
	Metadata map[string]string
}

// Search modes.
const (
	ModeHybrid = "hybrid" // vector and BM25 fused by reciprocal rank (the default)
	ModeVector = "vector"
	ModeBM25   = "bm25"
)

// Query is a search.
type Query struct {
	// Collections to search; empty means all. A collection that does not
	// exist yet has no hits.
	Collections []string
	Text        string
	// Where keeps only chunks whose metadata has every key with exactly
	// that value, in both arms ({"segment": "vip"}).
	Where map[string]string
	// Limit is the number of hits (default 5, at most 1000).
	Limit int
	// Mode is hybrid (default), vector or bm25.
	Mode string
	// DistinctDocs keeps only the best chunk of each document.
	DistinctDocs bool
}

// Hit is one chunk found.
type Hit struct {
	DocID      string            `json:"doc_id"`
	ChunkID    string            `json:"chunk_id"`
	Collection string            `json:"collection"`
	Title      string            `json:"title"`
	Heading    string            `json:"heading,omitempty"`
	Text       string            `json:"text"`
	Metadata   map[string]string `json:"metadata,omitempty"`
	// Score is the fused reciprocal-rank score (hybrid), the cosine
	// similarity (vector) or the BM25 score (bm25): higher is better,
	// comparable within one search only.
	Score float64 `json:"score"`
}

// Options opens a knowledge base.
type Options struct {
	// Dir holds the database; empty keeps it in memory.
	Dir string
	// Embedder embeds chunks and queries (default: the hash embedder).
	Embedder Embedder
	// Reset deletes whatever Dir holds first.
	Reset bool
	// Chunk bounds chunk sizes.
	Chunk ChunkOptions
}

// Reserved metadata keys, kept on every chunk.
const (
	MetaDocID   = "_doc_id"
	MetaTitle   = "_title"
	MetaHeading = "_heading"
	MetaChunk   = "_chunk"
)

const (
	manifestFile = "manifest.json"
	chromemDir   = "chromem"
	// rrfK is the reciprocal rank fusion constant of Cormack et al.
	// (2009). Smaller values and arm weights were tried on the eval set;
	// none was better by more than one question, so the standard stays.
	rrfK = 60
)

// KB is a knowledge base. Its methods are safe for concurrent use.
type KB struct {
	mu       sync.RWMutex
	dir      string
	db       *chromem.DB
	emb      Embedder
	man      manifest
	idx      *bm25Index
	docs     map[string]map[string][]string // collection → doc id → chunk ids
	chunkOpt ChunkOptions
	closed   bool
}

// manifest records what built the database.
type manifest struct {
	Format   int    `json:"format"`
	Embedder string `json:"embedder"`
	Dim      int    `json:"dim"`
	// Corpus is what SyncCorpus last ingested.
	Corpus *corpusState `json:"corpus,omitempty"`
}

type corpusState struct {
	Fingerprint string   `json:"fingerprint"`
	Docs        []string `json:"docs"` // collection/id, sorted
}

// Open opens (creating if needed) the knowledge base in opt.Dir and
// rebuilds the BM25 index from the stored chunks. It fails when the
// database was built with another embedder or dimension.
func Open(ctx context.Context, opt Options) (*KB, error) {
	emb := opt.Embedder
	if emb == nil {
		emb = NewHashEmbedder(0)
	}
	if opt.Chunk.Max <= 0 {
		opt.Chunk.Max = 900
	}
	kb := &KB{dir: opt.Dir, emb: emb, idx: newBM25(), docs: map[string]map[string][]string{}, chunkOpt: opt.Chunk,
		man: manifest{Format: 1, Embedder: emb.Name(), Dim: emb.Dim()}}
	if opt.Dir == "" {
		kb.db = chromem.NewDB()
		return kb, nil
	}
	if opt.Reset {
		for _, p := range []string{filepath.Join(opt.Dir, chromemDir), filepath.Join(opt.Dir, manifestFile)} {
			if err := os.RemoveAll(p); err != nil {
				return nil, fmt.Errorf("reset knowledge base at %s: %w", opt.Dir, err)
			}
		}
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create knowledge base directory: %w", err)
	}
	raw, err := os.ReadFile(filepath.Join(opt.Dir, manifestFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if entries, _ := os.ReadDir(filepath.Join(opt.Dir, chromemDir)); len(entries) > 0 {
			return nil, fmt.Errorf("knowledge base at %s has data but no %s: rebuild it with `crumb knowledge ingest --reset`", opt.Dir, manifestFile)
		}
		if err := kb.writeManifest(); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("read knowledge base manifest: %w", err)
	default:
		var m manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("knowledge base at %s: %s is damaged (%v): rebuild it with `crumb knowledge ingest --reset`", opt.Dir, manifestFile, err)
		}
		if m.Embedder != emb.Name() || (m.Dim != 0 && emb.Dim() != 0 && m.Dim != emb.Dim()) {
			other := emb.Name()
			if emb.Dim() != 0 {
				other += fmt.Sprintf(" (dim %d)", emb.Dim())
			}
			return nil, fmt.Errorf("knowledge base at %s was built with embedder %s (dim %d), not %s; re-ingest with `crumb knowledge ingest --reset --embedder %s` or use --embedder %s",
				opt.Dir, m.Embedder, m.Dim, other, emb.Name(), m.Embedder)
		}
		kb.man = m
	}
	kb.db, err = chromem.NewPersistentDB(filepath.Join(opt.Dir, chromemDir), false)
	if err != nil {
		return nil, fmt.Errorf("open knowledge base at %s: %w", opt.Dir, err)
	}
	if err := kb.rebuild(ctx); err != nil {
		return nil, err
	}
	return kb, nil
}

func (kb *KB) writeManifest() error {
	if kb.dir == "" {
		return nil
	}
	raw, _ := json.MarshalIndent(kb.man, "", "  ")
	tmp := filepath.Join(kb.dir, manifestFile+".tmp")
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("write knowledge base manifest: %w", err)
	}
	return os.Rename(tmp, filepath.Join(kb.dir, manifestFile))
}

// rebuild fills the BM25 index and the document table from the chunks
// chromem-go loaded from disk.
func (kb *KB) rebuild(ctx context.Context) error {
	for name, c := range kb.db.ListCollections() {
		n := c.Count()
		if n == 0 {
			continue
		}
		if kb.man.Dim == 0 {
			return fmt.Errorf("knowledge base at %s holds chunks but no dimension in %s: rebuild it with `crumb knowledge ingest --reset`", kb.dir, manifestFile)
		}
		// chromem-go lists no documents; a query that keeps all of them
		// does.
		probe := make([]float32, kb.man.Dim)
		probe[0] = 1
		res, err := c.QueryEmbedding(ctx, probe, n, nil, nil)
		if err != nil {
			return fmt.Errorf("load collection %s: %w", name, err)
		}
		for _, r := range res {
			kb.index(name, r.ID, r.Metadata, r.Content)
		}
	}
	kb.idx.compact()
	return nil
}

// index adds one stored chunk to the BM25 index and the document table.
func (kb *KB) index(collection, chunkID string, meta map[string]string, content string) {
	user := make(map[string]string, len(meta))
	for k, v := range meta {
		if !strings.HasPrefix(k, "_") {
			user[k] = v
		}
	}
	r := &record{key: collection + "\x00" + chunkID, Collection: collection, DocID: meta[MetaDocID], ChunkID: chunkID,
		Title: meta[MetaTitle], Heading: meta[MetaHeading], Text: content, Metadata: user}
	kb.idx.add(r, embedText(r.Title, r.Heading, r.Text))
	byDoc := kb.docs[collection]
	if byDoc == nil {
		byDoc = map[string][]string{}
		kb.docs[collection] = byDoc
	}
	byDoc[r.DocID] = append(byDoc[r.DocID], chunkID)
}

// embedText is what both arms see of a chunk: its title and heading path
// give a short section its context.
func embedText(title, heading, text string) string {
	var b strings.Builder
	b.WriteString(title)
	if heading != "" {
		b.WriteString("\n")
		b.WriteString(heading)
	}
	b.WriteString("\n")
	b.WriteString(text)
	return b.String()
}

// Embedder returns the knowledge base's embedder.
func (kb *KB) Embedder() Embedder { return kb.emb }

// Close releases the knowledge base. Writes are on disk already.
func (kb *KB) Close() error {
	kb.mu.Lock()
	defer kb.mu.Unlock()
	kb.closed = true
	return nil
}

var (
	collectionName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	metaKey        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)
)

// Ingest stores docs in collection, replacing documents with the same ID
// (their old chunks go). It returns the number of chunks stored.
func (kb *KB) Ingest(ctx context.Context, collection string, docs []Document) (int, error) {
	n, _, err := kb.write(ctx, collection, false, nil, docs)
	return n, err
}

// Replace atomically removes from collection every document matching
// where (as Delete does; all of the collection's documents when where is
// empty) and stores docs: a search sees the old set or the new one, never
// neither. It returns the chunks stored and the documents removed (not
// counting those docs replaced by id). The host uses it for a plugin's
// rewrite of its own documents (where {"plugin": name}).
func (kb *KB) Replace(ctx context.Context, collection string, where map[string]string, docs []Document) (stored, removed int, err error) {
	return kb.write(ctx, collection, true, where, docs)
}

func (kb *KB) write(ctx context.Context, collection string, replace bool, where map[string]string, docs []Document) (int, int, error) {
	if !collectionName.MatchString(collection) {
		return 0, 0, fmt.Errorf("collection name %q: use lower-case letters, digits, - and _ (up to 64)", collection)
	}
	type chunkDoc struct {
		doc chromem.Document
		rec record
	}
	var chunks []chunkDoc
	seen := map[string]bool{}
	for i, d := range docs {
		if strings.TrimSpace(d.ID) == "" {
			return 0, 0, fmt.Errorf("document %d of %d (title %q) has no id", i+1, len(docs), d.Title)
		}
		if seen[d.ID] {
			return 0, 0, fmt.Errorf("document id %q is given twice in one ingest into %s", d.ID, collection)
		}
		seen[d.ID] = true
		for k := range d.Metadata {
			if strings.HasPrefix(k, "_") {
				return 0, 0, fmt.Errorf("document %s: metadata key %q is reserved (keys starting with _ belong to the knowledge base)", d.ID, k)
			}
			if !metaKey.MatchString(k) {
				return 0, 0, fmt.Errorf("document %s: metadata key %q: use letters, digits and _ (snake_case)", d.ID, k)
			}
		}
		title := cmp.Or(strings.TrimSpace(d.Title), firstHeading(d.Text), d.ID)
		parts := ChunkMarkdown(title, d.Text, kb.chunkOpt)
		if len(parts) == 0 {
			return 0, 0, fmt.Errorf("document %s (%s) has no text to index", d.ID, title)
		}
		for n, p := range parts {
			id := d.ID + "#" + strconv.Itoa(n)
			meta := make(map[string]string, len(d.Metadata)+4)
			for k, v := range d.Metadata {
				meta[k] = v
			}
			meta[MetaDocID], meta[MetaTitle], meta[MetaHeading], meta[MetaChunk] = d.ID, title, p.Heading, strconv.Itoa(n)
			chunks = append(chunks, chunkDoc{
				doc: chromem.Document{ID: id, Metadata: meta, Content: p.Text},
				rec: record{Collection: collection, DocID: d.ID, ChunkID: id, Title: title, Heading: p.Heading, Text: p.Text},
			})
		}
	}
	if len(chunks) == 0 && !replace {
		return 0, 0, nil
	}
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = embedText(c.rec.Title, c.rec.Heading, c.rec.Text)
	}
	var vecs [][]float32
	if len(texts) > 0 {
		var err error
		if vecs, err = kb.emb.Embed(ctx, texts); err != nil {
			return 0, 0, fmt.Errorf("embed %d chunks for %s: %w", len(texts), collection, err)
		}
	}
	if len(vecs) != len(texts) {
		return 0, 0, fmt.Errorf("embed chunks for %s: embedder %s returned %d vectors for %d texts", collection, kb.emb.Name(), len(vecs), len(texts))
	}

	kb.mu.Lock()
	defer kb.mu.Unlock()
	if kb.closed {
		return 0, 0, errors.New("knowledge base is closed")
	}
	if len(vecs) > 0 {
		if err := kb.checkDim(len(vecs[0])); err != nil {
			return 0, 0, err
		}
	}
	for i := range chunks {
		v := vecs[i]
		if len(v) != len(vecs[0]) {
			return 0, 0, fmt.Errorf("embedder %s returned vectors of dimensions %d and %d", kb.emb.Name(), len(vecs[0]), len(v))
		}
		if isZero(v) {
			// chromem-go would divide by a zero norm; a text without any
			// feature (only punctuation) is simply never a vector match.
			v = make([]float32, len(v))
			v[0] = 1e-3
		}
		chunks[i].doc.Embedding = v
	}
	c, err := kb.db.GetOrCreateCollection(collection, nil, kb.embedFunc())
	if err != nil {
		return 0, 0, fmt.Errorf("create collection %s: %w", collection, err)
	}
	// The documents' old chunks go first, and with Replace every
	// document matching where.
	var old []string
	for _, d := range docs {
		old = append(old, kb.docs[collection][d.ID]...)
	}
	removed := 0
	if replace {
		for docID := range kb.matchingDocs(collection, where) {
			if !seen[docID] {
				removed++
				old = append(old, kb.docs[collection][docID]...)
			}
		}
	}
	if err := kb.deleteChunks(ctx, c, collection, old); err != nil {
		return 0, 0, err
	}
	if len(chunks) > 0 {
		cdocs := make([]chromem.Document, len(chunks))
		for i, ch := range chunks {
			cdocs[i] = ch.doc
		}
		if err := c.AddDocuments(ctx, cdocs, 2); err != nil {
			return 0, 0, fmt.Errorf("store chunks in %s: %w", collection, err)
		}
		for _, ch := range chunks {
			kb.index(collection, ch.doc.ID, ch.doc.Metadata, ch.doc.Content)
		}
	}
	if len(kb.docs[collection]) == 0 {
		delete(kb.docs, collection)
		if err := kb.db.DeleteCollection(collection); err != nil {
			return 0, removed, fmt.Errorf("delete empty collection %s: %w", collection, err)
		}
	}
	kb.idx.compact()
	return len(chunks), removed, nil
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// checkDim records the dimension of the first vectors and refuses others.
func (kb *KB) checkDim(dim int) error {
	if kb.man.Dim == 0 {
		kb.man.Dim = dim
		return kb.writeManifest()
	}
	if kb.man.Dim != dim {
		where := "this knowledge base"
		if kb.dir != "" {
			where = "knowledge base at " + kb.dir
		}
		return fmt.Errorf("%s holds vectors of dimension %d but embedder %s made %d; re-ingest with `crumb knowledge ingest --reset` or use the embedder and model it was built with",
			where, kb.man.Dim, kb.emb.Name(), dim)
	}
	return nil
}

// embedFunc lets chromem-go embed with our embedder, should it ever need
// to (we always pass vectors).
func (kb *KB) embedFunc() chromem.EmbeddingFunc {
	return func(ctx context.Context, text string) ([]float32, error) {
		v, err := kb.emb.Embed(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		return v[0], nil
	}
}

// deleteChunks removes chunks by id from chromem-go, the index and the
// document table. The caller holds the write lock.
func (kb *KB) deleteChunks(ctx context.Context, c *chromem.Collection, collection string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := c.Delete(ctx, nil, nil, ids...); err != nil {
		return fmt.Errorf("delete old chunks from %s: %w", collection, err)
	}
	byDoc := kb.docs[collection]
	for _, id := range ids {
		if r := kb.idx.get(collection + "\x00" + id); r != nil {
			delete(byDoc, r.DocID)
		}
		kb.idx.remove(collection + "\x00" + id)
	}
	return nil
}

// Delete removes from collection the documents having a chunk whose
// metadata matches every key of where (all of the collection's documents
// when where is empty), and returns how many documents went.
func (kb *KB) Delete(ctx context.Context, collection string, where map[string]string) (int, error) {
	kb.mu.Lock()
	defer kb.mu.Unlock()
	if kb.closed {
		return 0, errors.New("knowledge base is closed")
	}
	byDoc := kb.docs[collection]
	if len(byDoc) == 0 {
		return 0, nil
	}
	c := kb.db.GetCollection(collection, kb.embedFunc())
	if c == nil {
		return 0, nil
	}
	docIDs := kb.matchingDocs(collection, where)
	var ids []string
	for d := range docIDs {
		ids = append(ids, byDoc[d]...)
	}
	if err := kb.deleteChunks(ctx, c, collection, ids); err != nil {
		return 0, err
	}
	if len(kb.docs[collection]) == 0 {
		delete(kb.docs, collection)
		if err := kb.db.DeleteCollection(collection); err != nil {
			return len(docIDs), fmt.Errorf("delete empty collection %s: %w", collection, err)
		}
	}
	kb.idx.compact()
	return len(docIDs), nil
}

// matchingDocs are the ids of the documents in collection with a chunk
// matching where. The caller holds the lock.
func (kb *KB) matchingDocs(collection string, where map[string]string) map[string]bool {
	out := map[string]bool{}
	for docID, chunkIDs := range kb.docs[collection] {
		for _, id := range chunkIDs {
			if r := kb.idx.get(collection + "\x00" + id); r != nil && matches(r, where) {
				out[docID] = true
				break
			}
		}
	}
	return out
}

// matches reports whether a chunk has every key of where with that value;
// reserved keys (_doc_id …) match the chunk's own fields.
func matches(r *record, where map[string]string) bool {
	for k, v := range where {
		var got string
		switch k {
		case MetaDocID:
			got = r.DocID
		case MetaTitle:
			got = r.Title
		case MetaHeading:
			got = r.Heading
		case MetaChunk:
			got = r.ChunkID[strings.LastIndexByte(r.ChunkID, '#')+1:]
		default:
			var ok bool
			if got, ok = r.Metadata[k]; !ok {
				return false
			}
		}
		if got != v {
			return false
		}
	}
	return true
}

// CollectionInfo describes one collection.
type CollectionInfo struct {
	Name   string `json:"name"`
	Docs   int    `json:"docs"`
	Chunks int    `json:"chunks"`
}

// HasDoc reports whether a document with id is stored in any collection.
func (kb *KB) HasDoc(id string) bool {
	kb.mu.RLock()
	defer kb.mu.RUnlock()
	for _, byDoc := range kb.docs {
		if _, ok := byDoc[id]; ok {
			return true
		}
	}
	return false
}

// Collections lists the collections with their sizes, by name.
func (kb *KB) Collections() []CollectionInfo {
	kb.mu.RLock()
	defer kb.mu.RUnlock()
	var out []CollectionInfo
	for name, byDoc := range kb.docs {
		ci := CollectionInfo{Name: name, Docs: len(byDoc)}
		for _, ids := range byDoc {
			ci.Chunks += len(ids)
		}
		out = append(out, ci)
	}
	slices.SortFunc(out, func(a, b CollectionInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Search finds the chunks best matching q.
func (kb *KB) Search(ctx context.Context, q Query) ([]Hit, error) {
	mode := cmp.Or(q.Mode, ModeHybrid)
	if mode != ModeHybrid && mode != ModeVector && mode != ModeBM25 {
		return nil, fmt.Errorf("search mode %q: want hybrid, vector or bm25", q.Mode)
	}
	if strings.TrimSpace(q.Text) == "" {
		return nil, errors.New("search text is empty")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 5
	}
	if limit > 1000 {
		return nil, fmt.Errorf("limit %d: at most 1000", limit)
	}
	// Each arm ranks a deeper list than asked for, so that fusion can
	// promote what one arm ranks low; DistinctDocs needs more still.
	depth := max(limit*4, 50)
	if q.DistinctDocs {
		depth = max(depth, limit*12)
	}
	var qvec []float32
	if mode != ModeBM25 {
		vs, err := kb.emb.Embed(ctx, []string{q.Text})
		if err != nil {
			return nil, fmt.Errorf("embed the query: %w", err)
		}
		qvec = vs[0]
	}

	kb.mu.RLock()
	defer kb.mu.RUnlock()
	if kb.closed {
		return nil, errors.New("knowledge base is closed")
	}
	cols := q.Collections
	if len(cols) == 0 {
		for name := range kb.docs {
			cols = append(cols, name)
		}
	}
	colSet := map[string]bool{}
	for _, c := range cols {
		colSet[c] = true
	}

	var vec, lex []scored
	if mode != ModeBM25 && !isZero(qvec) {
		if kb.man.Dim != 0 && len(qvec) != kb.man.Dim {
			return nil, fmt.Errorf("query vector has dimension %d, the knowledge base %d: use the embedder it was built with (%s)", len(qvec), kb.man.Dim, kb.man.Embedder)
		}
		var err error
		if vec, err = kb.vectorSearch(ctx, colSet, q.Where, qvec, depth); err != nil {
			return nil, err
		}
	}
	if mode != ModeVector {
		lex = kb.idx.search(q.Text, func(r *record) bool { return colSet[r.Collection] && matches(r, q.Where) }, depth)
	}

	var ranked []scored
	switch mode {
	case ModeVector:
		ranked = vec
	case ModeBM25:
		ranked = lex
	default:
		if q.DistinctDocs {
			ranked = fuseDocs(vec, lex)
		} else {
			ranked = fuse(vec, lex)
		}
	}
	out := make([]Hit, 0, limit)
	seenDoc := map[string]bool{}
	for _, s := range ranked {
		if len(out) == limit {
			break
		}
		r := s.rec
		if q.DistinctDocs {
			k := r.Collection + "\x00" + r.DocID
			if seenDoc[k] {
				continue
			}
			seenDoc[k] = true
		}
		out = append(out, Hit{DocID: r.DocID, ChunkID: r.ChunkID, Collection: r.Collection, Title: r.Title,
			Heading: r.Heading, Text: r.Text, Metadata: copyMeta(r.Metadata), Score: s.score})
	}
	return out, nil
}

func copyMeta(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// vectorSearch asks chromem-go for the n nearest chunks in each collection
// (filtered by where) and merges them. The caller holds the read lock.
func (kb *KB) vectorSearch(ctx context.Context, cols map[string]bool, where map[string]string, qvec []float32, n int) ([]scored, error) {
	names := make([]string, 0, len(cols))
	for c := range cols {
		names = append(names, c)
	}
	slices.Sort(names)
	var out []scored
	for _, name := range names {
		if len(kb.docs[name]) == 0 {
			continue
		}
		c := kb.db.GetCollection(name, kb.embedFunc())
		if c == nil {
			continue
		}
		k := min(n, c.Count())
		if k == 0 {
			continue
		}
		var w map[string]string
		if len(where) > 0 {
			w = where
		}
		res, err := c.QueryEmbedding(ctx, qvec, k, w, nil)
		if err != nil {
			return nil, fmt.Errorf("vector search in %s: %w", name, err)
		}
		for _, r := range res {
			rec := kb.idx.get(name + "\x00" + r.ID)
			if rec == nil || math.IsNaN(float64(r.Similarity)) {
				continue
			}
			out = append(out, scored{rec, float64(r.Similarity)})
		}
	}
	slices.SortFunc(out, func(a, b scored) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return cmpKey(a.rec.key, b.rec.key)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// fuse merges two rankings by reciprocal rank fusion: a chunk scores
// Σ 1/(k + rank) over the arms that found it.
func fuse(a, b []scored) []scored {
	score := map[*record]float64{}
	for _, list := range [][]scored{a, b} {
		for i, s := range list {
			score[s.rec] += 1 / float64(rrfK+i+1)
		}
	}
	out := make([]scored, 0, len(score))
	for r, s := range score {
		out = append(out, scored{r, s})
	}
	slices.SortFunc(out, func(x, y scored) int {
		switch {
		case x.score > y.score:
			return -1
		case x.score < y.score:
			return 1
		}
		return cmpKey(x.rec.key, y.rec.key)
	})
	return out
}

// fuseDocs fuses two rankings at the document level: each arm ranks
// documents by their best chunk, so two arms that find different sections
// of one document agree on it. A document is represented by its chunk of
// best chunk-level fused score.
func fuseDocs(a, b []scored) []scored {
	type docKey struct{ col, id string }
	score := map[docKey]float64{}
	for _, list := range [][]scored{a, b} {
		seen := map[docKey]bool{}
		rank := 0
		for _, s := range list {
			k := docKey{s.rec.Collection, s.rec.DocID}
			if seen[k] {
				continue
			}
			seen[k] = true
			rank++
			score[k] += 1 / float64(rrfK+rank)
		}
	}
	best := map[docKey]*record{}
	for _, s := range fuse(a, b) {
		k := docKey{s.rec.Collection, s.rec.DocID}
		if best[k] == nil {
			best[k] = s.rec
		}
	}
	out := make([]scored, 0, len(score))
	for k, s := range score {
		out = append(out, scored{best[k], s})
	}
	slices.SortFunc(out, func(x, y scored) int {
		switch {
		case x.score > y.score:
			return -1
		case x.score < y.score:
			return 1
		}
		return cmpKey(x.rec.key, y.rec.key)
	})
	return out
}

// IngestReport says what IngestFS stored.
type IngestReport struct {
	Collections map[string]int `json:"collections"` // documents by collection
	Docs        int            `json:"docs"`
	Chunks      int            `json:"chunks"`
	// Removed counts the documents SyncCorpus deleted because the corpus
	// no longer has them.
	Removed int `json:"removed,omitempty"`
}

// corpus is a directory of documents read into memory.
type corpus struct {
	byCol       map[string][]Document
	keys        []string // collection/id, sorted
	fingerprint string
}

func readCorpus(fsys fs.FS) (*corpus, error) {
	c := &corpus{byCol: map[string][]Document{}}
	from := map[string]string{} // collection/id → path
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !isDocFile(p) {
			return nil
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(raw))
		h.Write(raw)
		doc, col, err := ParseDocument(fsys, p)
		if err != nil {
			return err
		}
		key := col + "/" + doc.ID
		if prev, dup := from[key]; dup {
			return fmt.Errorf("%s and %s both have id %q in collection %s: ids must be unique within a collection", prev, p, doc.ID, col)
		}
		from[key] = p
		c.keys = append(c.keys, key)
		c.byCol[col] = append(c.byCol[col], doc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(c.keys)
	c.fingerprint = hex.EncodeToString(h.Sum(nil))[:16]
	return c, nil
}

func (kb *KB) ingestCorpus(ctx context.Context, c *corpus) (IngestReport, error) {
	rep := IngestReport{Collections: map[string]int{}}
	cols := make([]string, 0, len(c.byCol))
	for col := range c.byCol {
		cols = append(cols, col)
	}
	slices.Sort(cols)
	for _, col := range cols {
		n, err := kb.Ingest(ctx, col, c.byCol[col])
		if err != nil {
			return rep, err
		}
		rep.Collections[col] = len(c.byCol[col])
		rep.Docs += len(c.byCol[col])
		rep.Chunks += n
	}
	return rep, nil
}

// IngestFS ingests every Markdown document (*.md except README.md) under
// fsys: front matter gives id, title, collection and metadata; the
// collection defaults to the name of the file's directory. Documents with
// the same id replace the stored ones.
func (kb *KB) IngestFS(ctx context.Context, fsys fs.FS) (IngestReport, error) {
	c, err := readCorpus(fsys)
	if err != nil {
		return IngestReport{Collections: map[string]int{}}, err
	}
	return kb.ingestCorpus(ctx, c)
}

// SyncCorpus keeps the knowledge base in step with a corpus such as Docs,
// cheaply enough to call on every start: when the corpus's fingerprint is
// the one recorded at the last sync (and force is false) it does nothing
// and reports false; otherwise it ingests the corpus and deletes the
// documents the last synced corpus had and this one has not. Documents
// written by others (segment profiles from the segment plugin) are left
// alone.
func (kb *KB) SyncCorpus(ctx context.Context, fsys fs.FS, force bool) (IngestReport, bool, error) {
	c, err := readCorpus(fsys)
	if err != nil {
		return IngestReport{Collections: map[string]int{}}, false, err
	}
	kb.mu.RLock()
	prev := kb.man.Corpus
	kb.mu.RUnlock()
	if !force && prev != nil && prev.Fingerprint == c.fingerprint {
		return IngestReport{Collections: map[string]int{}}, false, nil
	}
	rep, err := kb.ingestCorpus(ctx, c)
	if err != nil {
		return rep, false, err
	}
	if prev != nil {
		for _, key := range prev.Docs {
			if _, found := slices.BinarySearch(c.keys, key); found {
				continue
			}
			col, id, _ := strings.Cut(key, "/")
			n, err := kb.Delete(ctx, col, map[string]string{MetaDocID: id})
			if err != nil {
				return rep, false, err
			}
			rep.Removed += n
		}
	}
	kb.mu.Lock()
	defer kb.mu.Unlock()
	kb.man.Corpus = &corpusState{Fingerprint: c.fingerprint, Docs: c.keys}
	return rep, true, kb.writeManifest()
}

// ParseDocument reads one Markdown document of a corpus and returns it
// with its collection.
func ParseDocument(fsys fs.FS, p string) (Document, string, error) {
	raw, err := fs.ReadFile(fsys, p)
	if err != nil {
		return Document{}, "", err
	}
	meta, body, err := splitFrontMatter(string(raw))
	if err != nil {
		return Document{}, "", fmt.Errorf("%s: %w", p, err)
	}
	id := meta["id"]
	if id == "" {
		return Document{}, "", fmt.Errorf("%s: front matter has no id (add a line `id: …`, unique within the collection)", p)
	}
	col := meta["collection"]
	if col == "" {
		col = path.Base(path.Dir(p))
		if col == "." || col == "/" {
			return Document{}, "", fmt.Errorf("%s: no collection: add `collection: …` to the front matter or put the file in a directory named after its collection", p)
		}
	}
	if !collectionName.MatchString(col) {
		return Document{}, "", fmt.Errorf("%s: collection %q: use lower-case letters, digits, - and _", p, col)
	}
	title := cmp.Or(meta["title"], firstHeading(body), strings.TrimSuffix(path.Base(p), ".md"))
	md := map[string]string{}
	for k, v := range meta {
		switch k {
		case "id", "title", "collection":
			continue
		}
		if strings.HasPrefix(k, "_") {
			return Document{}, "", fmt.Errorf("%s: front matter key %q is reserved (keys starting with _ belong to the knowledge base)", p, k)
		}
		if !metaKey.MatchString(k) {
			return Document{}, "", fmt.Errorf("%s: front matter key %q: use letters, digits and _", p, k)
		}
		md[k] = v
	}
	return Document{ID: id, Title: title, Text: body, Metadata: md}, col, nil
}
