// Package llm owns structured generation, the only way text written by a
// language model reaches users.
//
// Generator.Generate renders a prompt from package prompts (its system
// prompt carries the negative instructions), asks the configured provider
// for JSON in the provider's JSON-schema or JSON mode, and checks the
// answer: JSON Schema (google/jsonschema-go), then the Guard (banned words
// after normalisation), then the caller's business validator. A bad answer
// is re-asked with the list of what was wrong, a bounded number of times;
// then the fallback is used — the caller's or the prompt's fallback
// template rendered from the same variables — and it must pass the same
// checks. Every generation's outcome (llm, repaired, fallback) and reason
// goes to Prometheus and to a Recorder.
//
// Providers (OpenAI and every OpenAI-compatible server, Anthropic, Ollama)
// are chosen by name from a Registry. Each call has a time-out, calls pass
// a per-provider rate limiter and a circuit breaker, and the whole
// generation has a time budget: when the provider hangs, fails or is
// rate-limited, the answer still arrives within the budget, from the
// fallback. With no provider configured (template mode) the fallback
// templates are the generator: every feature works offline and
// deterministically.
package llm
