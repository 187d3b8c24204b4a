package engine

import "time"

// EventKind is what the user did.
type EventKind string

const (
	// Start opens Event.Tree, or the category menu when Tree is empty. It
	// abandons any case in progress (it is "/new").
	Start EventKind = "start"
	// Choose taps Event.Option of the question identified by Event.Token.
	Choose EventKind = "choose"
	// Text is a typed answer.
	Text EventKind = "text"
	// Back undoes the last answer.
	Back EventKind = "back"
	// Restart begins the current tree again from its first question.
	Restart EventKind = "restart"
	// SetLang switches the session language to Event.Lang.
	SetLang EventKind = "lang"
	// Show repeats the current question (after a stale button, a sticker,
	// or a return days later).
	Show EventKind = "show"
	// Propose records a category guessed from free text (Event.Proposal) and
	// asks the user to confirm it.
	Propose EventKind = "propose"
	// Accept enters the proposed category's tree with the proposal's facts
	// (Option "yes", or one of the categories offered: the proposal's own
	// or an alternative); Option "no" declines.
	Accept EventKind = "accept"
	// Tick toggles evidence item Event.Option on the checklist.
	Tick EventKind = "tick"
	// Draft asks for a complaint text for channel Event.Option (see
	// DraftFields), asking first for any detail it still lacks.
	Draft EventKind = "draft"
	// Mark records Event.ID as handled and changes nothing else: a front
	// end answering an update without a step (help, a summary) marks it,
	// so a redelivery to another replica is recognised as Duplicate.
	Mark EventKind = "mark"
)

// NewCase as a Propose event's Option gives up the current case first
// ("/new <description>").
const NewCase = "new"

// Event is one user action, already translated from the front end.
type Event struct {
	Kind EventKind
	// ID identifies the delivery (Telegram update id) so a redelivery is
	// applied once. Empty disables deduplication.
	ID       string
	Tree     string
	Token    string
	Option   string
	Text     string
	Lang     string
	Proposal *Proposal
	Now      time.Time
	// Notice is a message key said before the event's own replies: how the
	// advisor read typed text ("that fits two options", "tell me more").
	// It replaces the engine's own re-ask notice for text it cannot use.
	Notice string
}
