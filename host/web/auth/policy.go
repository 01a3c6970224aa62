package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/crumb-dev/crumb/tools"
)

// StaffIntents are the intents store staff may use: the day-to-day of a
// shop (stock, waste, demand, products and what goes with them, the
// knowledge base).
var StaffIntents = []string{
	"stock_lookup", "product_info", "product_lookup", "product_recommend",
	"waste_forecast", "demand_forecast", "knowledge_qa", "help",
}

// Policy says which role may call which tool. The rule is by intent, so a
// new plugin needs no change here:
//   - admin may call every tool, including those that serve no intent
//     (train, backtest, evaluate, order_placed …);
//   - marketer may call every tool that serves at least one intent, that is
//     everything a chat can reach;
//   - staff may call the tools that serve one of StaffIntents.
type Policy struct {
	StaffIntents []string
}

// DefaultPolicy is the policy described on Policy.
func DefaultPolicy() *Policy { return &Policy{StaffIntents: StaffIntents} }

// Allows reports whether role may call the tool. An empty role is an
// in-process caller (the CLI, the scheduler) and may call anything; every
// network channel sets the caller's role.
func (p *Policy) Allows(role string, t tools.ToolInfo) bool {
	switch role {
	case "", Admin:
		return true
	case Marketer:
		return len(t.Intents) > 0
	case Staff:
		for _, in := range t.Intents {
			if slices.Contains(p.StaffIntents, in.Name) {
				return true
			}
		}
	}
	return false
}

// Denial is the message, in the caller's language, that a role may not
// call a tool.
func (p *Policy) Denial(role string, t tools.ToolInfo, locale string) string {
	var intents []string
	for _, in := range t.Intents {
		intents = append(intents, in.Name)
	}
	need := Marketer
	if len(intents) == 0 {
		need = Admin
	}
	if locale == "ko" {
		return fmt.Sprintf("%s 역할은 %s 기능을 쓸 수 없어요 (%s 이상 필요). 관리자에게 %s 토큰을 요청하세요.", role, t.Name, need, need)
	}
	what := t.Name
	if len(intents) > 0 {
		what += " (" + strings.Join(intents, ", ") + ")"
	}
	return fmt.Sprintf("role %s may not use %s; it needs %s or above: ask an admin for a %s token", role, what, need, need)
}

// Invoker is what the chat engine calls tools through.
type Invoker interface {
	Invoke(ctx context.Context, inv *tools.Invocation) (*tools.Result, error)
	Manifests() []tools.Manifest
}

// Guard enforces a policy on every call made through an Invoker: a call
// the caller's role (CallInfo.Role) may not make comes back as a tool
// failure the user can read, and never reaches the plugin.
type Guard struct {
	next   Invoker
	policy *Policy
}

// NewGuard wraps next; a nil policy is DefaultPolicy.
func NewGuard(next Invoker, p *Policy) *Guard {
	if p == nil {
		p = DefaultPolicy()
	}
	return &Guard{next: next, policy: p}
}

// Manifests are the wrapped invoker's.
func (g *Guard) Manifests() []tools.Manifest { return g.next.Manifests() }

// Invoke calls the tool if the caller's role allows it.
func (g *Guard) Invoke(ctx context.Context, inv *tools.Invocation) (*tools.Result, error) {
	role := inv.CallInfo.Role
	if role != "" {
		info, ok := Lookup(g.next.Manifests(), inv.Tool)
		if !ok {
			// Unknown tools are the plugin host's to report.
			return g.next.Invoke(ctx, inv)
		}
		if !g.policy.Allows(role, info) {
			return &tools.Result{Failure: g.policy.Denial(role, info, inv.CallInfo.Locale)}, nil
		}
	}
	return g.next.Invoke(ctx, inv)
}

// Lookup finds a tool by id (plugin.tool) or bare name in manifests.
func Lookup(ms []tools.Manifest, name string) (tools.ToolInfo, bool) {
	var hit tools.ToolInfo
	n := 0
	for _, m := range ms {
		for _, t := range m.Tools {
			if m.Name+"."+t.Name == name {
				return t, true
			}
			if t.Name == name {
				hit = t
				n++
			}
		}
	}
	return hit, n == 1
}
