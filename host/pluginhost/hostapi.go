package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"

	"github.com/crumb-dev/crumb/host/store"
	"github.com/crumb-dev/crumb/tools"
)

// Backend is the data the HostAPI serves.
type Backend interface {
	store.DatasetReader
	store.Artifacts
	store.PushQueue
}

// pluginAPI is the HostAPI one plugin sees. It refuses whatever the
// plugin's manifest did not declare; until the manifest is read it refuses
// everything.
type pluginAPI struct {
	plugin    string
	backend   Backend
	log       *slog.Logger
	knowledge KnowledgeBase
	gen       Generator
	caps      atomic.Pointer[tools.Capabilities]
	// conn is the plugin's current connection, for calling its validators
	// back while serving Generate.
	conn atomic.Pointer[tools.Client]
}

var _ tools.HostAPI = (*pluginAPI)(nil)

func (a *pluginAPI) capabilities() tools.Capabilities {
	if c := a.caps.Load(); c != nil {
		return *c
	}
	return tools.Capabilities{}
}

func (a *pluginAPI) ReadDataset(ctx context.Context, q *tools.DatasetQuery, fn func(json.RawMessage) error) error {
	if !slices.Contains(tools.Datasets, q.Dataset) {
		return fmt.Errorf("%w: unknown dataset %q (known: %v)", tools.ErrInvalid, q.Dataset, tools.Datasets)
	}
	if !a.capabilities().AllowsDataset(q.Dataset) {
		a.log.WarnContext(ctx, "plugin read refused", "plugin", a.plugin, "dataset", q.Dataset, "request_id", tools.RequestIDFrom(ctx))
		return fmt.Errorf("%w: plugin %s may not read dataset %q: it is not in its manifest's capabilities (declare it in Capabilities.Datasets)",
			tools.ErrPermission, a.plugin, q.Dataset)
	}
	return a.backend.ReadDataset(ctx, q, func(row any) error {
		raw, err := json.Marshal(row)
		if err != nil {
			return fmt.Errorf("encode %s row: %w", q.Dataset, err)
		}
		return fn(raw)
	})
}

func (a *pluginAPI) checkArtifacts() error {
	if !a.capabilities().Artifacts {
		return fmt.Errorf("%w: plugin %s may not keep artifacts: set Capabilities.Artifacts in its manifest", tools.ErrPermission, a.plugin)
	}
	return nil
}

func (a *pluginAPI) PutArtifact(ctx context.Context, art *tools.Artifact) (*tools.Artifact, error) {
	if err := a.checkArtifacts(); err != nil {
		return nil, err
	}
	if art.Key == "" {
		return nil, fmt.Errorf("%w: artifact key is empty", tools.ErrInvalid)
	}
	got, err := a.backend.PutArtifact(ctx, &store.Artifact{Plugin: a.plugin, Key: art.Key, Metadata: art.Metadata, Data: art.Data})
	if err != nil {
		return nil, fmt.Errorf("put artifact %s: %w", art.Key, err)
	}
	return &tools.Artifact{Key: got.Key, Version: got.Version, Metadata: got.Metadata, Data: got.Data, CreatedAt: got.CreatedAt}, nil
}

func (a *pluginAPI) GetArtifact(ctx context.Context, key string, version int) (*tools.Artifact, error) {
	if err := a.checkArtifacts(); err != nil {
		return nil, err
	}
	got, err := a.backend.GetArtifact(ctx, a.plugin, key, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: artifact %s (version %d) of plugin %s", tools.ErrNotFound, key, version, a.plugin)
	}
	if err != nil {
		return nil, fmt.Errorf("get artifact %s: %w", key, err)
	}
	return &tools.Artifact{Key: got.Key, Version: got.Version, Metadata: got.Metadata, Data: got.Data, CreatedAt: got.CreatedAt}, nil
}

func (a *pluginAPI) Log(ctx context.Context, level slog.Level, msg string, attrs map[string]any) error {
	args := []any{"plugin", a.plugin} // the request id comes from ctx
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		args = append(args, k, attrs[k])
	}
	a.log.Log(ctx, level, msg, args...)
	return nil
}

func (a *pluginAPI) EnqueuePush(ctx context.Context, cands []tools.PushCandidate) (int, int, error) {
	if !a.capabilities().Push {
		return 0, 0, fmt.Errorf("%w: plugin %s may not queue pushes: set Capabilities.Push in its manifest", tools.ErrPermission, a.plugin)
	}
	items := make([]store.PushItem, len(cands))
	for i, c := range cands {
		items[i] = store.PushItem{StoreID: c.StoreID, ProductID: c.ProductID, Date: c.Date, Payload: c.Payload}
	}
	created, err := a.backend.EnqueuePush(ctx, items)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %v", tools.ErrInvalid, err)
	}
	a.log.InfoContext(ctx, "pushes queued", "plugin", a.plugin, "created", created, "existing", len(items)-created)
	return created, len(items) - created, nil
}
