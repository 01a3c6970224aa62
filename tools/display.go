package tools

// Display is how a tool's result is shown: a short text in the caller's
// locale and structured blocks every channel (web, Slack, CLI) renders
// without plugin-specific code.
type Display struct {
	Text   string  `json:"text,omitempty"`
	Tables []Table `json:"tables,omitempty"`
	Charts []Chart `json:"charts,omitempty"`
	Cards  []Card  `json:"cards,omitempty"`
}

// Table is a titled grid. Rows hold strings or numbers, one per column.
type Table struct {
	Title   string   `json:"title,omitempty"`
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// Chart is a chart specification the host renders on the server.
type Chart struct {
	Kind      string   `json:"kind"` // bar or line
	Title     string   `json:"title,omitempty"`
	Labels    []string `json:"labels"`
	Series    []Series `json:"series"`
	Unit      string   `json:"unit,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"` // drawn as a horizontal line
}

// Series is one named sequence of values, aligned with Chart.Labels.
type Series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Card is a small self-contained item: a plan, a push preview, a product.
type Card struct {
	Kind     string  `json:"kind,omitempty"`
	Title    string  `json:"title"`
	Subtitle string  `json:"subtitle,omitempty"`
	Body     string  `json:"body,omitempty"`
	Fields   []Field `json:"fields,omitempty"`
}

// Field is a labelled value on a card.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Displayer is implemented by tool outputs that know how to show themselves.
// Locale is "ko" or "en".
type Displayer interface {
	Display(locale string) *Display
}
