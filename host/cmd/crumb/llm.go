package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/crumb-dev/crumb/host/config"
	"github.com/crumb-dev/crumb/host/llm"
	"github.com/crumb-dev/crumb/host/llm/llmeval"
	"github.com/crumb-dev/crumb/prompts"
)

func init() {
	commands = append(commands, (*app).llmCmd, (*app).generateCmd)
	evalCommands = append(evalCommands, (*app).evalLLMCmd)
}

// generator builds the configured structured generator.
func (a *app) generator(opts ...llm.Option) (*llm.Generator, error) {
	set, err := prompts.Load()
	if err != nil {
		return nil, err
	}
	return llm.New(a.cfg.LLM, set, append([]llm.Option{llm.WithLogger(a.log)}, opts...)...)
}

func (a *app) llmCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "llm", Short: "The language model behind structured generation"}
	var call bool
	check := &cobra.Command{
		Use:   "check",
		Short: "Show the LLM configuration in force; with --call, make one real generation",
		Long: "llm check prints the provider, model, endpoint, whether the API key's environment variable is\n" +
			"set, the limits and the banned-word lists, without the network. --call also asks the provider\n" +
			"for one chat answer and prints how it went (outcome llm, repaired or fallback, and why).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := a.generator()
			if err != nil {
				return err
			}
			c := g.Config()
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "mode\t%s\n", g.Mode())
			if g.Mode() != "template" {
				key := "not set"
				if os.Getenv(c.APIKeyEnv) != "" {
					key = "set"
				}
				fmt.Fprintf(tw, "model\t%s\n", c.Model)
				fmt.Fprintf(tw, "base url\t%s\n", cmp.Or(c.BaseURL, "(provider default)"))
				if c.APIKeyEnv != "" {
					fmt.Fprintf(tw, "api key\t$%s %s\n", c.APIKeyEnv, key)
				}
				fmt.Fprintf(tw, "json mode\t%s\n", c.JSONMode)
				fmt.Fprintf(tw, "timeout / budget\t%s / %s\n", c.Timeout, c.Budget)
				fmt.Fprintf(tw, "attempts\t%d\n", c.MaxAttempts)
				fmt.Fprintf(tw, "rate limit\t%d/min, burst %d\n", c.RatePerMinute, c.Burst)
				fmt.Fprintf(tw, "breaker\t%d failures, %s cool-down\n", c.BreakerFailures, c.BreakerCooldown)
			} else {
				fmt.Fprintf(tw, "\tno llm.provider: every generation comes from the prompts' fallback templates\n")
			}
			set := g.Prompts()
			for _, l := range set.BannedLocales() {
				fmt.Fprintf(tw, "banned (%s)\t%d words and phrases\n", l, len(set.Banned(l)))
			}
			fmt.Fprintf(tw, "prompts\t%s\n", strings.Join(set.Prompts(), ", "))
			if err := tw.Flush(); err != nil {
				return err
			}
			if !call {
				return nil
			}
			text, res, err := g.ChatAnswer(cmd.Context(), llm.ChatAnswerInput{
				Locale: "ko", Question: "강남점 크루아상 재고 몇 개야?", Tool: "stock_on_hand",
				Result:   json.RawMessage(`{"store":"강남점","product":"크루아상","quantity":3,"as_of":"14:00"}`),
				Fallback: "강남점의 크루아상 재고는 3개입니다 (14:00 기준).",
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "\n%s\noutcome %s", text, res.Outcome)
			if res.Reason != "" {
				fmt.Fprintf(a.stdout, " (%s: %s)", res.Reason, res.Detail)
			}
			fmt.Fprintf(a.stdout, ", %d calls, %s\n", res.Attempts, res.Duration.Round(time.Millisecond))
			if g.Mode() != "template" && res.Outcome == llm.OutcomeFallback {
				return fmt.Errorf("the provider did not give a usable answer: %s", res.Detail)
			}
			return nil
		},
	}
	check.Flags().BoolVar(&call, "call", false, "make one real generation through the provider")
	cmd.AddCommand(check)
	return cmd
}

func (a *app) generateCmd() *cobra.Command {
	var (
		locale string
		vars   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "generate PROMPT",
		Short: "Run one structured generation (prompt id or id@vN) and print the checked output",
		Long: "generate renders PROMPT from the prompts package with --vars (a JSON object, or @file),\n" +
			"asks the configured LLM (or, in template mode, renders the fallback), checks the output\n" +
			"against the prompt's schema and the banned words, and prints it with its outcome.\n" +
			"Example: crumb generate chat.answer --vars '{\"question\":\"…\",\"tool\":\"stock_on_hand\",\"result\":{},\"fallback\":\"…\"}'",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw := []byte(vars)
			if name, ok := strings.CutPrefix(vars, "@"); ok {
				var err error
				if raw, err = os.ReadFile(name); err != nil {
					return fmt.Errorf("--vars: %w", err)
				}
			}
			if !json.Valid(raw) {
				return errors.New(`--vars: not valid JSON: give an object such as '{"item":"크루아상"}' or @vars.json`)
			}
			g, err := a.generator()
			if err != nil {
				return err
			}
			res, err := g.Generate(cmd.Context(), &llm.Request{Prompt: args[0], Locale: locale, Vars: json.RawMessage(raw)})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(res)
			}
			var pretty json.RawMessage = res.Output
			if b, err := json.MarshalIndent(res.Output, "", "  "); err == nil {
				pretty = b
			}
			fmt.Fprintf(a.stdout, "%s\n", pretty)
			fmt.Fprintf(a.stderr, "%s via %s: outcome %s", res.Prompt, res.Provider, res.Outcome)
			if res.Reason != "" {
				fmt.Fprintf(a.stderr, " (%s: %s)", res.Reason, res.Detail)
			}
			fmt.Fprintf(a.stderr, ", %d calls, %s\n", res.Attempts, res.Duration.Round(time.Microsecond))
			return nil
		},
	}
	cmd.Flags().StringVar(&locale, "locale", "ko", "ko or en")
	cmd.Flags().StringVar(&vars, "vars", "{}", "the prompt's variables: a JSON object, or @file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole result as JSON")
	return cmd
}

func (a *app) evalLLMCmd() *cobra.Command {
	var (
		cases       int
		seed        uint64
		concurrency int
		asJSON      bool
		timeout     time.Duration
		budget      time.Duration
	)
	cmd := &cobra.Command{
		Use:   "llm",
		Short: "Adversarial evaluation of structured generation against misbehaving fake LLM servers",
		Long: "eval llm runs --cases generations (push copy, six event plans, chat answers; Korean and\n" +
			"English) against fake OpenAI, Anthropic and Ollama servers started in this process, which answer\n" +
			"with invalid JSON, prose around the JSON, wrong types, five or seven plans, banned words (plain,\n" +
			"spaced out, mixed case, full-width), 401, 429, 5xx, hangs and slow bodies. Every delivered\n" +
			"output is checked again independently; the goal is 0 that fail the schema, the guard or the\n" +
			"business rules. It reports the share answered first time, repaired and from the fallback, and\n" +
			"the latency against the budget. No network, no key.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Minute)
			defer cancel()
			// The evaluation's own limits: the configured rate limit and
			// breaker are for a real provider, not for fake servers.
			cfg := config.LLMConfig{MaxAttempts: a.cfg.LLM.MaxAttempts, Timeout: timeout, Budget: budget}
			rep, err := llmeval.Run(ctx, llmeval.Options{Cases: cases, Seed: seed, Concurrency: concurrency, LLM: cfg})
			if err != nil {
				return err
			}
			if asJSON {
				b, err := rep.JSON()
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s\n", b)
			} else {
				fmt.Fprint(a.stdout, rep.Table())
			}
			if bad := rep.FailSchema + rep.FailGuard + rep.FailValidator + rep.Errors; bad > 0 {
				return fmt.Errorf("%d delivered outputs failed their checks or errored (goal 0)", bad)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&cases, "cases", 1000, "number of generations")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the scripted misbehaviour")
	cmd.Flags().IntVar(&concurrency, "concurrency", 16, "generations in flight")
	cmd.Flags().DurationVar(&timeout, "timeout", 300*time.Millisecond, "time-out of one provider call")
	cmd.Flags().DurationVar(&budget, "budget", 1500*time.Millisecond, "time budget of one generation")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
