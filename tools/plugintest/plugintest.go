// Package plugintest helps test Crumb plugins at the depths the house style
// asks for: a fake HostAPI for unit tests, the real gRPC path in process
// (Connect), and the real plugin binary as a subprocess (Build and Start).
package plugintest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/crumb-dev/crumb/tools"
)

// Connect serves p over a real gRPC connection inside the test process and
// returns the host's client for it; host is served back to the plugin over
// go-plugin's broker.
func Connect(t testing.TB, p tools.Plugin, host tools.HostAPI) *tools.Client {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, tools.NewPluginSet(&p, host))
	// Closing the client asks the server to shut down; stopping the server
	// here as well would race with that.
	t.Cleanup(func() { client.Close() })
	c, err := tools.Dispense(client)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Build compiles the plugin main package pkg (an import path such as
// github.com/crumb-dev/crumb/plugins/catalog, or a directory) into a
// temporary directory and returns the binary's path.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build plugin %s: %v", pkg, err)
	}
	return bin
}

// Start launches a plugin binary as a subprocess with go-plugin, as the host
// does (AutoMTLS, handshake), and returns the client and the go-plugin client
// that owns the process. The process is killed when the test ends.
func Start(t testing.TB, binary string, host tools.HostAPI) (*tools.Client, *plugin.Client) {
	t.Helper()
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  tools.Handshake(),
		Plugins:          tools.NewPluginSet(nil, host),
		Cmd:              exec.Command(binary),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Level: hclog.Warn, Output: os.Stderr}),
	})
	t.Cleanup(pc.Kill)
	rpc, err := pc.Client()
	if err != nil {
		t.Fatalf("start plugin %s: %v", binary, err)
	}
	c, err := tools.Dispense(rpc)
	if err != nil {
		t.Fatal(err)
	}
	return c, pc
}

// Host is an in-memory HostAPI for tests. Datasets maps a dataset name to
// its rows (any JSON-encodable values); Allowed, when not nil, limits the
// datasets that may be read, as the real host does with a manifest's
// capabilities. Logs, artifacts, pushes, knowledge and generation requests
// are kept in memory.
type Host struct {
	Datasets map[string][]any
	Allowed  []string
	// Knowledge holds documents by collection for SearchKnowledge;
	// WriteKnowledge adds to it.
	Knowledge map[string][]tools.KnowledgeDoc
	// Validators are the plugin's validators, applied by Generate.
	Validators map[string]tools.Validator
	// GenerateFunc, when set, answers Generate instead of the fallback.
	GenerateFunc func(context.Context, *tools.GenerateRequest) (*tools.Generation, error)

	mu          sync.Mutex
	generations []tools.GenerateRequest
	artifacts   map[string][]*tools.Artifact
	logs        []string
	pushes      map[[3]string]tools.PushCandidate
}

var _ tools.HostAPI = (*Host)(nil)

// ReadDataset returns the dataset's rows that match the query's store,
// product and date filters and limit, as the host does.
func (h *Host) ReadDataset(ctx context.Context, q *tools.DatasetQuery, fn func(json.RawMessage) error) error {
	if h.Allowed != nil && !slices.Contains(h.Allowed, q.Dataset) {
		return fmt.Errorf("%w: dataset %q is not in the plugin's capabilities", tools.ErrPermission, q.Dataset)
	}
	rows, ok := h.Datasets[q.Dataset]
	if !ok && !slices.Contains(tools.Datasets, q.Dataset) {
		return fmt.Errorf("%w: unknown dataset %q", tools.ErrInvalid, q.Dataset)
	}
	n := 0
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if !matches(raw, q) {
			continue
		}
		if err := fn(raw); err != nil {
			return err
		}
		if n++; q.Limit > 0 && n >= q.Limit {
			break
		}
	}
	return nil
}

// matches applies the query's filters to a row by its JSON fields:
// store_id (or id for stores), product_id (or id for products), and date
// (or the day of at) against From and To.
func matches(raw json.RawMessage, q *tools.DatasetQuery) bool {
	var row struct {
		ID        string    `json:"id"`
		StoreID   string    `json:"store_id"`
		ProductID string    `json:"product_id"`
		Date      string    `json:"date"`
		At        time.Time `json:"at"`
	}
	if json.Unmarshal(raw, &row) != nil {
		return true
	}
	store, product := row.StoreID, row.ProductID
	switch q.Dataset {
	case tools.DatasetStores:
		store = row.ID
	case tools.DatasetProducts:
		product = row.ID
	}
	if len(q.Stores) > 0 && store != "" && !slices.Contains(q.Stores, store) {
		return false
	}
	if len(q.Products) > 0 && product != "" && !slices.Contains(q.Products, product) {
		return false
	}
	day := row.Date
	if day == "" && !row.At.IsZero() {
		day = row.At.In(seoul).Format(tools.DateLayout)
	}
	if day != "" && ((q.From != "" && day < q.From) || (q.To != "" && day > q.To)) {
		return false
	}
	return true
}

var seoul = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		return time.FixedZone("KST", 9*3600)
	}
	return loc
}()

// PutArtifact keeps a new version of the artifact.
func (h *Host) PutArtifact(_ context.Context, a *tools.Artifact) (*tools.Artifact, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.artifacts == nil {
		h.artifacts = map[string][]*tools.Artifact{}
	}
	cp := *a
	cp.Data = slices.Clone(a.Data)
	cp.Version = len(h.artifacts[a.Key]) + 1
	cp.CreatedAt = time.Now().UTC()
	h.artifacts[a.Key] = append(h.artifacts[a.Key], &cp)
	out := cp
	return &out, nil
}

// GetArtifact returns a kept artifact.
func (h *Host) GetArtifact(_ context.Context, key string, version int) (*tools.Artifact, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	vs := h.artifacts[key]
	if len(vs) == 0 || version > len(vs) || version < 0 {
		return nil, fmt.Errorf("%w: artifact %s version %d", tools.ErrNotFound, key, version)
	}
	a := vs[len(vs)-1]
	if version > 0 {
		a = vs[version-1]
	}
	out := *a
	return &out, nil
}

// Log records the message.
func (h *Host) Log(_ context.Context, level slog.Level, msg string, _ map[string]any) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, level.String()+" "+msg)
	return nil
}

// EnqueuePush keeps the candidates, once per store, product and day.
func (h *Host) EnqueuePush(_ context.Context, cands []tools.PushCandidate) (created, existing int, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.pushes == nil {
		h.pushes = map[[3]string]tools.PushCandidate{}
	}
	for _, c := range cands {
		k := [3]string{c.StoreID, c.ProductID, c.Date}
		if _, ok := h.pushes[k]; ok {
			existing++
			continue
		}
		h.pushes[k] = c
		created++
	}
	return created, existing, nil
}

// Pushes returns the queued push candidates.
func (h *Host) Pushes() []tools.PushCandidate {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]tools.PushCandidate, 0, len(h.pushes))
	for _, c := range h.pushes {
		out = append(out, c)
	}
	return out
}

// Logs returns the messages logged so far.
func (h *Host) Logs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.logs)
}
