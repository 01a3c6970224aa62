package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/crumb-dev/crumb/tools/internal/protocol/toolsv1"
)

// NewPluginSet returns the go-plugin plugin set for the tools protocol. A
// plugin passes its definition and a nil host; the host passes nil and the
// HostAPI it serves back to the plugin; in-process tests pass both.
func NewPluginSet(p *Plugin, host HostAPI) plugin.PluginSet {
	return plugin.PluginSet{pluginKey: &grpcPlugin{impl: p, host: host}}
}

// Dispense returns the Client of a started go-plugin client.
func Dispense(c plugin.ClientProtocol) (*Client, error) {
	raw, err := c.Dispense(pluginKey)
	if err != nil {
		return nil, fmt.Errorf("dispense %s: %w", pluginKey, err)
	}
	cl, ok := raw.(*Client)
	if !ok {
		return nil, fmt.Errorf("dispense %s: got %T, want *tools.Client", pluginKey, raw)
	}
	return cl, nil
}

type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	impl *Plugin
	host HostAPI
}

func (g *grpcPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	if g.impl == nil {
		return errors.New("tools: no plugin definition to serve")
	}
	m, err := g.impl.Manifest()
	if err != nil {
		return err
	}
	srv := &pluginServer{manifest: m, def: g.impl, broker: broker, tools: map[string]Tool{}, hosts: map[uint32]pb.HostAPIClient{}}
	for _, t := range g.impl.Tools {
		srv.tools[t.Info().Name] = t
	}
	pb.RegisterPluginServer(s, srv)
	return nil
}

func (g *grpcPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	c := &Client{rpc: pb.NewPluginClient(conn)}
	if g.host != nil {
		c.hostAPIID = broker.NextId()
		go broker.AcceptAndServe(c.hostAPIID, func(opts []grpc.ServerOption) *grpc.Server {
			s := grpc.NewServer(opts...)
			pb.RegisterHostAPIServer(s, &hostAPIServer{impl: g.host})
			return s
		})
	}
	return c, nil
}

// Client is the host's handle on one running plugin.
type Client struct {
	rpc       pb.PluginClient
	hostAPIID uint32
}

// Invocation is one call of a tool from the host.
type Invocation struct {
	Tool string
	Args json.RawMessage
	CallInfo
}

// Describe returns the plugin's manifest.
func (c *Client) Describe(ctx context.Context) (*Manifest, error) {
	resp, err := c.rpc.Describe(ctx, &pb.DescribeRequest{HostApiId: c.hostAPIID})
	if err != nil {
		return nil, fmt.Errorf("describe: %w", fromStatus(err))
	}
	var m Manifest
	if err := json.Unmarshal(resp.ManifestJson, &m); err != nil {
		return nil, fmt.Errorf("describe: decode manifest: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	return &m, nil
}

// Invoke calls a tool. A tool's own failure is a Result with Failure set; an
// error means the call did not complete.
func (c *Client) Invoke(ctx context.Context, inv *Invocation) (*Result, error) {
	resp, err := c.rpc.Invoke(ctx, &pb.InvokeRequest{
		Tool:     inv.Tool,
		ArgsJson: inv.Args,
		Context:  callContextToProto(&inv.CallInfo, c.hostAPIID),
	})
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", inv.Tool, fromStatus(err))
	}
	res := &Result{Output: resp.ResultJson, Failure: resp.Failure}
	if len(resp.DisplayJson) > 0 {
		res.Display = &Display{}
		if err := json.Unmarshal(resp.DisplayJson, res.Display); err != nil {
			return nil, fmt.Errorf("invoke %s: decode display: %w", inv.Tool, err)
		}
	}
	return res, nil
}

// Validate runs the plugin's validator name on output and returns what is
// wrong with it; nil means valid.
func (c *Client) Validate(ctx context.Context, name string, output json.RawMessage) ([]string, error) {
	resp, err := c.rpc.Validate(ctx, &pb.ValidateRequest{Validator: name, OutputJson: output})
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", name, fromStatus(err))
	}
	return resp.Errors, nil
}

// Health asks the plugin whether it can serve.
func (c *Client) Health(ctx context.Context) error {
	resp, err := c.rpc.Health(ctx, &pb.HealthRequest{})
	if err != nil {
		return fmt.Errorf("health: %w", fromStatus(err))
	}
	if !resp.Ok {
		return fmt.Errorf("unhealthy: %s", resp.Message)
	}
	return nil
}

func callContextToProto(ci *CallInfo, hostAPIID uint32) *pb.CallContext {
	cc := &pb.CallContext{
		RequestId:      ci.RequestID,
		User:           ci.User,
		Role:           ci.Role,
		Locale:         ci.Locale,
		ConversationId: ci.ConversationID,
		HostApiId:      hostAPIID,
	}
	if !ci.Now.IsZero() {
		cc.Now = ci.Now.Format(time.RFC3339Nano)
	}
	return cc
}

func callInfoFromProto(cc *pb.CallContext) (CallInfo, error) {
	ci := CallInfo{
		RequestID:      cc.GetRequestId(),
		User:           cc.GetUser(),
		Role:           cc.GetRole(),
		Locale:         cc.GetLocale(),
		ConversationID: cc.GetConversationId(),
		Now:            time.Now(),
	}
	if cc.GetNow() != "" {
		t, err := time.Parse(time.RFC3339Nano, cc.GetNow())
		if err != nil {
			return ci, fmt.Errorf("call context: now %q: %w", cc.GetNow(), err)
		}
		ci.Now = t
	}
	return ci, nil
}

// pluginServer runs inside the plugin binary.
type pluginServer struct {
	pb.UnimplementedPluginServer
	manifest *Manifest
	def      *Plugin
	tools    map[string]Tool
	broker   *plugin.GRPCBroker

	mu    sync.Mutex
	hosts map[uint32]pb.HostAPIClient
}

func (s *pluginServer) Describe(_ context.Context, req *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	// Connect to the host API now: go-plugin's broker forgets a connection
	// offer that nobody dials within five seconds, and the first tool call
	// may come much later.
	if id := req.GetHostApiId(); id != 0 {
		if _, err := s.hostClient(id); err != nil {
			return nil, status.Errorf(codes.Unavailable, "connect to host API: %v", err)
		}
	}
	raw, err := json.Marshal(s.manifest)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "encode manifest: %v", err)
	}
	return &pb.DescribeResponse{ManifestJson: raw}, nil
}

func (s *pluginServer) Health(ctx context.Context, _ *pb.HealthRequest) (*pb.HealthResponse, error) {
	if s.def.Health != nil {
		if err := s.def.Health(ctx); err != nil {
			return &pb.HealthResponse{Ok: false, Message: err.Error()}, nil
		}
	}
	return &pb.HealthResponse{Ok: true}, nil
}

func (s *pluginServer) Invoke(ctx context.Context, req *pb.InvokeRequest) (resp *pb.InvokeResponse, err error) {
	t, ok := s.tools[req.Tool]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "plugin %s has no tool %q", s.manifest.Name, req.Tool)
	}
	ci, err := callInfoFromProto(req.Context)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	call := &Call{CallInfo: ci}
	if id := req.Context.GetHostApiId(); id != 0 {
		hc, err := s.hostClient(id)
		if err != nil {
			return nil, status.Errorf(codes.Unavailable, "connect to host API: %v", err)
		}
		call.Host = &hostAPIClient{rpc: hc, requestID: ci.RequestID}
	} else {
		call.Host = noHost{}
	}
	defer func() {
		if r := recover(); r != nil {
			// The stack goes to the plugin's stderr, which the host logs;
			// callers (and so users) get one line.
			fmt.Fprintf(os.Stderr, "tool %s panicked: %v\n%s", req.Tool, r, debug.Stack())
			err = status.Errorf(codes.Internal, "tool %s panicked: %v", req.Tool, r)
		}
	}()
	res, err := t.Run(ctx, call, req.ArgsJson)
	if err != nil {
		return nil, toStatus(err)
	}
	resp = &pb.InvokeResponse{ResultJson: res.Output, Failure: res.Failure}
	if res.Display != nil {
		if resp.DisplayJson, err = json.Marshal(res.Display); err != nil {
			return nil, status.Errorf(codes.Internal, "encode display: %v", err)
		}
	}
	return resp, nil
}

// Validate runs one of the plugin's validators for the host.
func (s *pluginServer) Validate(_ context.Context, req *pb.ValidateRequest) (resp *pb.ValidateResponse, err error) {
	v, ok := s.def.Validators[req.Validator]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "plugin %s has no validator %q", s.manifest.Name, req.Validator)
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "validator %s panicked: %v\n%s", req.Validator, r, debug.Stack())
			err = status.Errorf(codes.Internal, "validator %s panicked: %v", req.Validator, r)
		}
	}()
	return &pb.ValidateResponse{Errors: v(req.OutputJson)}, nil
}

// hostClient dials the host's HostAPI server once per broker id.
func (s *pluginServer) hostClient(id uint32) (pb.HostAPIClient, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.hosts[id]; ok {
		return c, nil
	}
	conn, err := s.broker.Dial(id)
	if err != nil {
		return nil, err
	}
	c := pb.NewHostAPIClient(conn)
	s.hosts[id] = c
	return c, nil
}

// toStatus maps the tools error kinds onto gRPC codes; fromStatus maps them
// back, so errors.Is(err, ErrPermission) holds on both sides of the wire.
func toStatus(err error) error {
	if _, ok := status.FromError(err); ok && !errors.Is(err, ErrPermission) && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrInvalid) {
		return err
	}
	switch {
	case errors.Is(err, ErrPermission):
		return status.Error(codes.PermissionDenied, err.Error())
	case errors.Is(err, ErrNotFound):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, ErrInvalid):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}

// RemoteError is an error that crossed the wire without a more specific kind.
type RemoteError struct {
	Code    codes.Code
	Message string
}

func (e *RemoteError) Error() string { return e.Message }

func fromStatus(err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	switch st.Code() {
	case codes.PermissionDenied:
		return wrapKind(ErrPermission, st.Message())
	case codes.NotFound:
		return wrapKind(ErrNotFound, st.Message())
	case codes.InvalidArgument:
		return wrapKind(ErrInvalid, st.Message())
	case codes.DeadlineExceeded:
		return fmt.Errorf("%w: %s", context.DeadlineExceeded, st.Message())
	case codes.Canceled:
		return fmt.Errorf("%w: %s", context.Canceled, st.Message())
	}
	return &RemoteError{Code: st.Code(), Message: st.Message()}
}

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// wrapKind keeps msg as the whole message (it already names the kind) while
// letting errors.Is find kind.
func wrapKind(kind error, msg string) error { return &kindError{kind: kind, msg: msg} }

// noHost is the HostAPI of a call made without one (a plugin invoked by a
// harness that serves no host): every request is refused.
type noHost struct{}

func (noHost) ReadDataset(context.Context, *DatasetQuery, func(json.RawMessage) error) error {
	return fmt.Errorf("%w: no host API in this call", ErrPermission)
}
func (noHost) PutArtifact(context.Context, *Artifact) (*Artifact, error) {
	return nil, fmt.Errorf("%w: no host API in this call", ErrPermission)
}
func (noHost) GetArtifact(context.Context, string, int) (*Artifact, error) {
	return nil, fmt.Errorf("%w: no host API in this call", ErrPermission)
}
func (noHost) Log(context.Context, slog.Level, string, map[string]any) error { return nil }
func (noHost) EnqueuePush(context.Context, []PushCandidate) (int, int, error) {
	return 0, 0, fmt.Errorf("%w: no host API in this call", ErrPermission)
}
func (noHost) SearchKnowledge(context.Context, *KnowledgeQuery) ([]KnowledgeHit, error) {
	return nil, fmt.Errorf("%w: no host API in this call", ErrPermission)
}
func (noHost) WriteKnowledge(context.Context, *KnowledgeWrite) (int, error) {
	return 0, fmt.Errorf("%w: no host API in this call", ErrPermission)
}
func (noHost) Generate(context.Context, *GenerateRequest) (*Generation, error) {
	return nil, fmt.Errorf("%w: no host API in this call", ErrPermission)
}
