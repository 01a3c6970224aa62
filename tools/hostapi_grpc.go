package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/crumb-dev/crumb/tools/internal/protocol/toolsv1"
)

// Rows are sent in chunks of at most chunkRows rows or about chunkBytes.
const (
	chunkRows  = 1024
	chunkBytes = 512 << 10
	// artifactChunk is the size of one artifact data chunk.
	artifactChunk = 1 << 20
)

// hostAPIServer runs in the host and serves one plugin's HostAPI.
type hostAPIServer struct {
	pb.UnimplementedHostAPIServer
	impl HostAPI
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the request being served.
// The host sets it for every chat turn and API call, and on each HostAPI
// call a plugin makes during that request; RequestIDFrom reads it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func (s *hostAPIServer) ReadDataset(req *pb.ReadDatasetRequest, stream pb.HostAPI_ReadDatasetServer) error {
	var q DatasetQuery
	if err := json.Unmarshal(req.QueryJson, &q); err != nil {
		return status.Errorf(codes.InvalidArgument, "decode dataset query: %v", err)
	}
	ctx := WithRequestID(stream.Context(), req.RequestId)
	chunk := &pb.DatasetChunk{}
	size := 0
	flush := func() error {
		if len(chunk.Rows) == 0 {
			return nil
		}
		err := stream.Send(chunk)
		chunk, size = &pb.DatasetChunk{}, 0
		return err
	}
	err := s.impl.ReadDataset(ctx, &q, func(row json.RawMessage) error {
		chunk.Rows = append(chunk.Rows, row)
		size += len(row)
		if len(chunk.Rows) >= chunkRows || size >= chunkBytes {
			return flush()
		}
		return nil
	})
	if err != nil {
		return toStatus(err)
	}
	return toStatus0(flush())
}

func (s *hostAPIServer) PutArtifact(stream pb.HostAPI_PutArtifactServer) error {
	first, err := stream.Recv()
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "put artifact: %v", err)
	}
	if first.Info == nil {
		return status.Error(codes.InvalidArgument, "put artifact: first chunk carries no info")
	}
	a := &Artifact{Key: first.Info.Key, Metadata: first.Info.MetadataJson, Data: first.Data}
	for {
		c, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		a.Data = append(a.Data, c.Data...)
	}
	got, err := s.impl.PutArtifact(stream.Context(), a)
	if err != nil {
		return toStatus(err)
	}
	return stream.SendAndClose(artifactInfoToProto(got))
}

func (s *hostAPIServer) GetArtifact(req *pb.GetArtifactRequest, stream pb.HostAPI_GetArtifactServer) error {
	a, err := s.impl.GetArtifact(stream.Context(), req.Key, int(req.Version))
	if err != nil {
		return toStatus(err)
	}
	data := a.Data
	first := true
	for first || len(data) > 0 {
		n := min(len(data), artifactChunk)
		c := &pb.ArtifactChunk{Data: data[:n]}
		if first {
			c.Info = artifactInfoToProto(a)
			first = false
		}
		if err := stream.Send(c); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

func (s *hostAPIServer) Log(ctx context.Context, req *pb.LogRequest) (*pb.LogResponse, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(req.Level)); err != nil {
		level = slog.LevelInfo
	}
	var attrs map[string]any
	if len(req.AttrsJson) > 0 {
		if err := json.Unmarshal(req.AttrsJson, &attrs); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "decode log attrs: %v", err)
		}
	}
	if err := s.impl.Log(WithRequestID(ctx, req.RequestId), level, req.Message, attrs); err != nil {
		return nil, toStatus(err)
	}
	return &pb.LogResponse{}, nil
}

func (s *hostAPIServer) EnqueuePush(ctx context.Context, req *pb.EnqueuePushRequest) (*pb.EnqueuePushResponse, error) {
	cands := make([]PushCandidate, len(req.Candidates))
	for i, c := range req.Candidates {
		cands[i] = PushCandidate{StoreID: c.StoreId, ProductID: c.ProductId, Date: c.Date, Payload: c.PayloadJson}
	}
	created, existing, err := s.impl.EnqueuePush(WithRequestID(ctx, req.RequestId), cands)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.EnqueuePushResponse{Created: int64(created), Existing: int64(existing)}, nil
}

func (s *hostAPIServer) SearchKnowledge(ctx context.Context, req *pb.SearchKnowledgeRequest) (*pb.SearchKnowledgeResponse, error) {
	var q KnowledgeQuery
	if err := json.Unmarshal(req.QueryJson, &q); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "decode knowledge query: %v", err)
	}
	hits, err := s.impl.SearchKnowledge(WithRequestID(ctx, req.RequestId), &q)
	if err != nil {
		return nil, toStatus(err)
	}
	raw, err := json.Marshal(hits)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encode knowledge hits: %v", err)
	}
	return &pb.SearchKnowledgeResponse{HitsJson: raw}, nil
}

func (s *hostAPIServer) WriteKnowledge(ctx context.Context, req *pb.WriteKnowledgeRequest) (*pb.WriteKnowledgeResponse, error) {
	var w KnowledgeWrite
	if err := json.Unmarshal(req.WriteJson, &w); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "decode knowledge write: %v", err)
	}
	n, err := s.impl.WriteKnowledge(WithRequestID(ctx, req.RequestId), &w)
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.WriteKnowledgeResponse{Written: int64(n)}, nil
}

func (s *hostAPIServer) Generate(ctx context.Context, req *pb.GenerateRequest) (*pb.GenerateResponse, error) {
	var r GenerateRequest
	if err := json.Unmarshal(req.RequestJson, &r); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "decode generate request: %v", err)
	}
	g, err := s.impl.Generate(WithRequestID(ctx, req.RequestId), &r)
	if err != nil {
		return nil, toStatus(err)
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encode generation: %v", err)
	}
	return &pb.GenerateResponse{GenerationJson: raw}, nil
}

func toStatus0(err error) error {
	if err == nil {
		return nil
	}
	return toStatus(err)
}

func artifactInfoToProto(a *Artifact) *pb.ArtifactInfo {
	return &pb.ArtifactInfo{
		Key:          a.Key,
		Version:      int64(a.Version),
		MetadataJson: a.Metadata,
		CreatedAt:    a.CreatedAt.Format(time.RFC3339Nano),
		Size:         int64(len(a.Data)),
	}
}

// hostAPIClient runs in the plugin and forwards HostAPI calls to the host.
type hostAPIClient struct {
	rpc       pb.HostAPIClient
	requestID string
}

func (c *hostAPIClient) ReadDataset(ctx context.Context, q *DatasetQuery, fn func(json.RawMessage) error) error {
	raw, err := json.Marshal(q)
	if err != nil {
		return fmt.Errorf("encode dataset query: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the stream if fn stops early
	stream, err := c.rpc.ReadDataset(ctx, &pb.ReadDatasetRequest{QueryJson: raw, RequestId: c.requestID})
	if err != nil {
		return fromStatus(err)
	}
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fromStatus(err)
		}
		for _, row := range chunk.Rows {
			if err := fn(row); err != nil {
				return err
			}
		}
	}
}

func (c *hostAPIClient) PutArtifact(ctx context.Context, a *Artifact) (*Artifact, error) {
	stream, err := c.rpc.PutArtifact(ctx)
	if err != nil {
		return nil, fromStatus(err)
	}
	data := a.Data
	first := true
	for first || len(data) > 0 {
		n := min(len(data), artifactChunk)
		chunk := &pb.ArtifactChunk{Data: data[:n]}
		if first {
			chunk.Info = &pb.ArtifactInfo{Key: a.Key, MetadataJson: a.Metadata, Size: int64(len(a.Data))}
			first = false
		}
		if err := stream.Send(chunk); err != nil {
			break // the real error comes from CloseAndRecv
		}
		data = data[n:]
	}
	info, err := stream.CloseAndRecv()
	if err != nil {
		return nil, fromStatus(err)
	}
	out := *a
	out.Version = int(info.Version)
	out.CreatedAt, _ = time.Parse(time.RFC3339Nano, info.CreatedAt)
	return &out, nil
}

func (c *hostAPIClient) GetArtifact(ctx context.Context, key string, version int) (*Artifact, error) {
	stream, err := c.rpc.GetArtifact(ctx, &pb.GetArtifactRequest{Key: key, Version: int64(version)})
	if err != nil {
		return nil, fromStatus(err)
	}
	var a *Artifact
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fromStatus(err)
		}
		if chunk.Info != nil {
			a = &Artifact{Key: chunk.Info.Key, Version: int(chunk.Info.Version), Metadata: chunk.Info.MetadataJson}
			a.CreatedAt, _ = time.Parse(time.RFC3339Nano, chunk.Info.CreatedAt)
			a.Data = make([]byte, 0, chunk.Info.Size)
		}
		if a == nil {
			return nil, errors.New("get artifact: stream began without info")
		}
		a.Data = append(a.Data, chunk.Data...)
	}
	if a == nil {
		return nil, fmt.Errorf("%w: artifact %s", ErrNotFound, key)
	}
	return a, nil
}

func (c *hostAPIClient) Log(ctx context.Context, level slog.Level, msg string, attrs map[string]any) error {
	req := &pb.LogRequest{Level: level.String(), Message: msg, RequestId: c.requestID}
	if len(attrs) > 0 {
		raw, err := json.Marshal(attrs)
		if err != nil {
			return fmt.Errorf("encode log attrs: %w", err)
		}
		req.AttrsJson = raw
	}
	_, err := c.rpc.Log(ctx, req)
	return fromStatus0(err)
}

func (c *hostAPIClient) EnqueuePush(ctx context.Context, cands []PushCandidate) (int, int, error) {
	req := &pb.EnqueuePushRequest{RequestId: c.requestID, Candidates: make([]*pb.PushCandidate, len(cands))}
	for i, p := range cands {
		req.Candidates[i] = &pb.PushCandidate{StoreId: p.StoreID, ProductId: p.ProductID, Date: p.Date, PayloadJson: p.Payload}
	}
	resp, err := c.rpc.EnqueuePush(ctx, req)
	if err != nil {
		return 0, 0, fromStatus(err)
	}
	return int(resp.Created), int(resp.Existing), nil
}

func (c *hostAPIClient) SearchKnowledge(ctx context.Context, q *KnowledgeQuery) ([]KnowledgeHit, error) {
	raw, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("encode knowledge query: %w", err)
	}
	resp, err := c.rpc.SearchKnowledge(ctx, &pb.SearchKnowledgeRequest{QueryJson: raw, RequestId: c.requestID})
	if err != nil {
		return nil, fromStatus(err)
	}
	var hits []KnowledgeHit
	if err := json.Unmarshal(resp.HitsJson, &hits); err != nil {
		return nil, fmt.Errorf("decode knowledge hits: %w", err)
	}
	return hits, nil
}

func (c *hostAPIClient) WriteKnowledge(ctx context.Context, w *KnowledgeWrite) (int, error) {
	raw, err := json.Marshal(w)
	if err != nil {
		return 0, fmt.Errorf("encode knowledge write: %w", err)
	}
	resp, err := c.rpc.WriteKnowledge(ctx, &pb.WriteKnowledgeRequest{WriteJson: raw, RequestId: c.requestID})
	if err != nil {
		return 0, fromStatus(err)
	}
	return int(resp.Written), nil
}

func (c *hostAPIClient) Generate(ctx context.Context, r *GenerateRequest) (*Generation, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode generate request: %w", err)
	}
	resp, err := c.rpc.Generate(ctx, &pb.GenerateRequest{RequestJson: raw, RequestId: c.requestID})
	if err != nil {
		return nil, fromStatus(err)
	}
	var g Generation
	if err := json.Unmarshal(resp.GenerationJson, &g); err != nil {
		return nil, fmt.Errorf("decode generation: %w", err)
	}
	return &g, nil
}

func fromStatus0(err error) error {
	if err == nil {
		return nil
	}
	return fromStatus(err)
}
