// Package intent classifies what a chat turn asks for and extracts its slots
// (dates, stores, products, segments, seasons, budgets, member ids, spans of
// days), offline and in Korean and English.
//
// A Classifier learns every intent example of the plugins' manifests and the
// host's own examples (help, knowledge_qa, out_of_scope and a few for every
// canonical intent) with an embedder written for short bilingual utterances:
// hashed TF-IDF over stemmed words, Latin character trigrams and Hangul
// syllable n-grams taken with the spaces removed, with entity names masked
// and English spelling corrected. An utterance is scored against the
// examples by cosine similarity (nearest neighbours per intent), its
// confidence is calibrated so that it estimates the probability of being
// right, and an utterance far from every example is out of scope. When a
// Fallback (an LLM) is configured it is asked only when the fast path is
// unsure.
//
// Classify also takes the previous turn's Result: a follow-up such as "and
// tomorrow?" or "강남점은?" keeps the previous intent and merges its slots.
//
// `crumb eval intent --file F` measures a labelled TSV with this package's
// Evaluate; testdata/dev.tsv is the tuning set and testdata/heldout.tsv was
// written before the classifier and never tuned on.
package intent
