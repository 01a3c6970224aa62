// Package store owns the host's data: the brand's datasets (stores, products,
// production, sales, stock, weather, customers, orders, holidays), the
// artifacts plugins keep, conversations and the audit log. SQLite (pure Go,
// WAL) is the embedded default; the SQL is kept portable so that PostgreSQL
// can follow behind the same interfaces.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/crumb-dev/crumb/tools"
)

// ErrNotFound is returned (wrapped) when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// Store is everything the host keeps. Each embedded interface is one
// capability so that consumers can ask for just what they use.
type Store interface {
	DatasetReader
	Catalog
	Loader
	Artifacts
	Conversations
	AuditLog
	PushQueue
	Orders
	Generations
	// Close releases the database.
	Close() error
}

// DatasetReader streams the rows of one dataset in a stable order.
type DatasetReader interface {
	// ReadDataset calls fn with each row matching q, as a value of the
	// dataset's type in package tools (tools.Sale for "sales", …). An unknown
	// dataset is an error naming the known ones. Returning an error from fn
	// stops the read and is returned. Which filters apply to which dataset,
	// and the order of each, is documented on SQLite.ReadDataset; every
	// implementation follows it.
	ReadDataset(ctx context.Context, q *tools.DatasetQuery, fn func(row any) error) error
}

// Catalog answers the small lookups the host itself needs (slot extraction,
// dashboards) without streaming whole datasets.
type Catalog interface {
	ListStores(ctx context.Context) ([]tools.Store, error)
	ListProducts(ctx context.Context) ([]tools.Product, error)
}

// Data is a whole brand's datasets, as written by the demo generator and the
// importers.
type Data struct {
	Stores     []tools.Store
	Products   []tools.Product
	Production []tools.Production
	Sales      []tools.Sale
	Stock      []tools.StockSnapshot
	Weather    []tools.Weather
	Customers  []tools.Customer
	Orders     []tools.Order
	OrderItems []tools.OrderItem
	Intraday   []tools.IntradayShare
	Holidays   []tools.Holiday
}

// Rows is the total number of rows in d.
func (d *Data) Rows() int {
	return len(d.Stores) + len(d.Products) + len(d.Production) + len(d.Sales) + len(d.Stock) +
		len(d.Weather) + len(d.Customers) + len(d.Orders) + len(d.OrderItems) + len(d.Intraday) +
		len(d.Holidays)
}

// Progress reports how many of total units of work are done.
type Progress func(done, total int)

// Loader replaces the brand's datasets.
type Loader interface {
	// Replace deletes every dataset row and writes d in one transaction:
	// readers see either the old data or the new, never a mix. progress,
	// when not nil, is called as rows are written.
	Replace(ctx context.Context, d *Data, progress Progress) error
}

// Artifact is a blob a plugin keeps (a trained model, say), versioned per key.
type Artifact struct {
	Plugin    string
	Key       string
	Version   int // assigned by the store, from 1
	Metadata  json.RawMessage
	Data      []byte
	CreatedAt time.Time
}

// Artifacts keeps plugin artifacts.
type Artifacts interface {
	// PutArtifact stores a new version of (a.Plugin, a.Key) and returns it
	// with Version and CreatedAt set.
	PutArtifact(ctx context.Context, a *Artifact) (*Artifact, error)
	// GetArtifact returns one version, or the latest when version is 0.
	// A missing artifact is ErrNotFound.
	GetArtifact(ctx context.Context, plugin, key string, version int) (*Artifact, error)
}

// Message is one turn of a conversation.
type Message struct {
	ID             int64
	ConversationID string
	Role           string // user or assistant
	Text           string
	Intent         string
	Payload        json.RawMessage // the reply's structured part, if any
	CreatedAt      time.Time
}

// Conversation is a thread of messages of one user on one channel.
type Conversation struct {
	ID        string
	User      string
	Channel   string
	Title     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Conversations stores chat history.
type Conversations interface {
	// EnsureConversation creates the conversation if it does not exist and
	// returns it.
	EnsureConversation(ctx context.Context, c *Conversation) (*Conversation, error)
	AppendMessage(ctx context.Context, m *Message) (*Message, error)
	// Messages returns a conversation's messages, oldest first.
	Messages(ctx context.Context, conversationID string) ([]Message, error)
	// ListConversations returns a user's conversations, most recent first.
	ListConversations(ctx context.Context, user string, limit int) ([]Conversation, error)
}

// AuditEntry records who called which tool with which arguments.
type AuditEntry struct {
	ID        int64
	At        time.Time
	RequestID string
	Actor     string
	Role      string
	Action    string // e.g. tool:stock_on_hand
	Args      json.RawMessage
	Outcome   string // ok, or the error
}

// AuditLog is append-only.
type AuditLog interface {
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// Audit returns the latest entries, newest first.
	Audit(ctx context.Context, limit int) ([]AuditEntry, error)
}
