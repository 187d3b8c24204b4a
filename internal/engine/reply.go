package engine

// ReplyKind says what a reply shows.
type ReplyKind string

const (
	// NoticeReply is a short message: Key with Data.
	NoticeReply ReplyKind = "notice"
	// InfoReply is an info node's message (Key), facts as data.
	InfoReply ReplyKind = "info"
	// KnownReply reports a question answered from what the user already
	// said: Key is the question, Data["Value"] the answer (a fact value, or
	// an option's message key when Data["Option"] is "1").
	KnownReply ReplyKind = "known"
	// QuestionReply asks Question.
	QuestionReply ReplyKind = "question"
	// OutcomeReply gives Advice.
	OutcomeReply ReplyKind = "outcome"
	// ConfirmReply asks the user to confirm Proposal (a guessed category).
	ConfirmReply ReplyKind = "confirm"
	// ChecklistReply shows the evidence checklist of Advice with ticks.
	ChecklistReply ReplyKind = "checklist"
	// DraftReply is a complaint text for Data["Channel"], from Advice.
	DraftReply ReplyKind = "draft"
)

// Reply is one message for the user, as keys and data, never as text.
type Reply struct {
	Kind     ReplyKind
	Key      string
	Data     map[string]string
	Question *Question
	Advice   *Advice
	Proposal *Proposal
	// Token is the step token a button on this reply must carry.
	Token string
}

// Question is a question to ask now.
type Question struct {
	Tree, Node string
	Key        string
	Options    []Button
	Input      *InputSpec
	Facts      map[string]string
	// CanGoBack tells the front end whether to offer a Back button.
	CanGoBack bool
}

// Choice is one option button: its id (for the callback) and message key.
type Button struct {
	ID, Key string
}

// Advice is a reached outcome with everything computed from the facts.
type Advice struct {
	// Token is the step token of this outcome; its checklist buttons carry
	// it, so a checklist from an earlier visit is recognised as stale.
	Token                string
	Tree, Node, Category string
	Title, Summary       string
	Law                  []string
	Steps                []Cited
	Evidence             []string
	// EvidenceLaw holds the law ids an evidence item's note relies on.
	EvidenceLaw map[string][]string
	// Have marks the evidence ids the user has ticked.
	Have     map[string]bool
	Refusals []string
	// RefusalLaw holds the law ids each refusal's answer relies on.
	RefusalLaw   map[string][]string
	Deadlines    []Deadline
	Compensation []Compensation
	Facts        map[string]string
}
