package engine

// Tree is one dialog: a graph of nodes a user walks through to reach an
// outcome. Trees are loaded and validated by internal/dialog; the engine
// trusts that every reference in a loaded tree resolves.
type Tree struct {
	ID      string
	Version int
	Start   string
	// Category is the dispute category the tree serves (often its id).
	Category string
	Nodes    map[string]*Node
	// Order lists node ids in file order, for stable output (graphs, lint).
	Order []string
}

// NodeKind says how a node talks to the user.
type NodeKind string

const (
	// Choice asks a question answered by tapping one option.
	Choice NodeKind = "choice"
	// Input asks for a typed answer, validated by its InputSpec.
	Input NodeKind = "input"
	// Info shows a message and moves on at once.
	Info NodeKind = "info"
	// Outcome ends the tree with advice.
	Outcome NodeKind = "outcome"
)

// Node is one step of a tree.
type Node struct {
	ID   string
	Kind NodeKind
	// Text is the message key of the question or message.
	Text    string
	Options []Option   // Choice
	Input   *InputSpec // Input
	// SaveAs is the fact an Input answer is stored under.
	SaveAs string
	// Prefill names a fact (usually found in the user's free text) that
	// answers this Input when SaveAs is not yet known.
	Prefill string
	Next    Next // Input and Info
	Outcome *OutcomeSpec
	Line    int // line in the source file, for messages to authors
}

// Option is one button of a Choice node.
type Option struct {
	ID   string
	Text string // message key
	// Set records facts when the option is chosen.
	Set map[string]string
	// Next is where the option leads inside the tree; Goto (a tree id)
	// switches to the start of another tree instead.
	Next Next
	Goto string
	// Means is "yes" or "no" when the option answers a yes/no question
	// that way, so a typed "是的" or "nope" selects it; empty otherwise.
	Means string
}

// Branch is one arm of a Next: go To when If holds (nil If always holds).
type Branch struct {
	If *Condition
	To string
}

// Next is an ordered list of branches; the first whose condition holds wins.
type Next []Branch

// InputKind is the type of a typed answer.
type InputKind string

const (
	TextInput   InputKind = "text"
	NumberInput InputKind = "number"
	MoneyInput  InputKind = "money"
	DateInput   InputKind = "date"
	YesNoInput  InputKind = "yesno"
)

// InputSpec constrains a typed answer.
type InputSpec struct {
	Kind InputKind
	// MaxLen bounds text answers (in characters). 0 means DefaultMaxLen.
	MaxLen int
	// Min and Max bound number and money answers; HasMin/HasMax say
	// whether they were given.
	Min, Max       float64
	HasMin, HasMax bool
	// AllowFuture lets a date answer lie after today (China time).
	AllowFuture bool
}

// DefaultMaxLen bounds text answers that set no limit.
const DefaultMaxLen = 200

// OutcomeSpec is the advice an outcome node gives.
type OutcomeSpec struct {
	Category string
	Title    string // message key
	// Summary is a key for the one-paragraph "what the law gives you".
	Summary      string
	Law          []Cited
	Steps        []Cited
	Evidence     []Cited // Key holds the evidence id
	Refusals     []Cited // Key holds the refusal id
	Deadlines    []DeadlineSpec
	Compensation []CompensationSpec
}

// Cited is an item shown only when If holds: a law id, a step key with the
// law ids it relies on, an evidence id or a refusal id.
type Cited struct {
	Key string
	Law []string
	If  *Condition
	// WhileOpen names a deadline rule of the same outcome: the item is shown
	// only while that computed deadline is open (or cannot be computed),
	// so no outcome advises a step whose own period has ended. OnceClosed
	// is the opposite: shown only after it ended.
	WhileOpen, OnceClosed string
	Line                  int // source line, for messages to authors
}

// DeadlineSpec asks for a deadline computed by Rule from the date fact From.
type DeadlineSpec struct {
	Rule string
	From string
	If   *Condition
}

// CompensationSpec asks for a figure computed by Rule from facts.
type CompensationSpec struct {
	Rule string
	// Facts maps the rule's inputs (price, loss, prepaid, consumed, ...) to
	// the fact names that hold them.
	Facts map[string]string
	If    *Condition
	// Established says when the user's answers establish the rule's legal
	// conditions (compensation.<rule>.condition): then the bot says "you
	// can claim"; otherwise "if <conditions>, you may claim". Always marks
	// an outcome reached only when they hold. Neither: never established.
	Established *Condition
	Always      bool
}
