// Package knowledge owns Crumb's knowledge base: documents cut into chunks
// under their Markdown headings, stored with their embeddings in a
// persistent chromem-go database, and searched by hybrid retrieval — a
// vector arm (cosine over the embeddings) and a BM25 arm with Korean-aware
// tokens (Hangul syllable unigrams and bigrams, so 서울은 finds 서울),
// fused by reciprocal rank. Metadata filters (segment, store, doc type …)
// and collection restrictions apply in both arms, which is what scoped
// retrieval needs: a question about VIPs never sees the dormant segment's
// profile.
//
// Embedders are chosen by name: hash (the offline default: hashed
// character n-grams weighted by TF-IDF), openai, ollama (HTTP) and onnx (a
// local sentence-transformer run with ONNX Runtime). The embedder's name and
// dimension are recorded beside the database; opening it with another one is
// an error that says how to rebuild.
//
// The demo brand's corpus is embedded as Docs; its format is described in
// docs/README.md.
package knowledge
