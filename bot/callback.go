package bot

import (
	"slices"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

// Callback data is what a button carries back when tapped. It is at most 64
// bytes (Telegram's limit), the same in every process and release (so a
// button keeps working after a restart or deploy), and names the step it
// belongs to, so a tap on an outdated button is recognised and refused:
//
//	c:<token>:<option>   answer the question with this step token
//	a:<token>:yes|no     accept or decline a proposed category
//	a:<token>:<category> choose one of the categories offered when unsure
//	b:<token>            go back from the question with this token
//	t:<token>:<evidence> tick or untick an evidence item of the outcome
//	                     reached at this step token
//	f:<token>:yes|no     confirm or cancel the /forget asked at this
//	                     step token; Yes is refused once the case moved
//	f:yes|no             the same from before confirmations had a token
//	                     (still in chats): Yes is refused, No keeps
//	l:zh|en              switch language
//	s:<token>:sum|share|dl|draft|filed|law|steps|dates|says
//	                     an action on the outcome shown with this token:
//	                     its summary, sharing it, downloading it, complaint
//	                     drafts, the date it was filed with 12315, or one
//	                     part of the advice the brief leaves out
//	d:<channel>          a complaint draft for merchant, platform or 12315
//	d:zh:<channel>       the Chinese version of a draft already made
//	r:…                  reminders (see remind.go)
//
// The d buttons carry no step token: they follow a tap on s:…:draft and
// act on the case as it stands, and are refused when it has no outcome.
const maxCallbackData = 64

// Actions of the s: buttons.
const (
	actSummary  = "sum"
	actShare    = "share"
	actDownload = "dl"
	actDrafts   = "draft"
	// actFiled records the date a 12315 complaint was filed.
	actFiled = "filed"
)

// sectionActs are the s: actions that send one part of the advice
// (render.Section), keyed by part; sectionOf is the reverse.
var sectionActs = map[string]string{
	render.SectionLaw: "law", render.SectionSteps: "steps", render.SectionDeadlines: "dates", render.SectionRefusals: "says",
}

func sectionOf(act string) (string, bool) {
	for part, a := range sectionActs {
		if a == act {
			return part, true
		}
	}
	return "", false
}

// tap is decoded callback data.
type tap struct {
	kind  byte   // 'c', 'a', 'b', 't', 'f', 'l', 's', 'd' or 'r'
	token string // c, a, b, t, s, f ("" for a legacy f:yes); "zh" for d:zh:<channel>; r's token or rule
	value string // the option, yes/no, evidence id, language, action or channel
}

// parseTap decodes callback data strictly: anything not made by encode —
// forged, truncated, from an older format — is refused.
func parseTap(data string) (tap, bool) {
	if len(data) < 3 || len(data) > maxCallbackData || data[1] != ':' {
		return tap{}, false
	}
	t := tap{kind: data[0]}
	rest := data[2:]
	switch t.kind {
	case 'c', 'a':
		tok, v, ok := cutByte(rest, ':')
		if !ok || !isToken(tok) {
			return tap{}, false
		}
		t.token, t.value = tok, v
		if !isID(v) {
			return tap{}, false
		}
	case 'b':
		if !isToken(rest) {
			return tap{}, false
		}
		t.token = rest
	case 't':
		tok, v, ok := cutByte(rest, ':')
		if !ok || !isToken(tok) || !isID(v) {
			return tap{}, false
		}
		t.token, t.value = tok, v
	case 'f':
		if tok, v, ok := cutByte(rest, ':'); ok {
			if !isToken(tok) {
				return tap{}, false
			}
			t.token, rest = tok, v
		}
		if rest != "yes" && rest != "no" {
			return tap{}, false
		}
		t.value = rest
	case 'l':
		if rest != "zh" && rest != "en" {
			return tap{}, false
		}
		t.value = rest
	case 's':
		tok, act, ok := cutByte(rest, ':')
		_, section := sectionOf(act)
		if !ok || !isToken(tok) || !section && !slices.Contains([]string{actSummary, actShare, actDownload, actDrafts, actFiled}, act) {
			return tap{}, false
		}
		t.token, t.value = tok, act
	case 'd':
		if zh, ch, ok := cutByte(rest, ':'); ok {
			if zh != "zh" {
				return tap{}, false
			}
			t.token, rest = zh, ch
		}
		if !slices.Contains(engine.DraftChannels, rest) {
			return tap{}, false
		}
		t.value = rest
	case 'r':
		return parseRemindTap(rest)
	default:
		return tap{}, false
	}
	return t, true
}

// event is the engine event of a tap on a c, a, b, t or d button.
func (t tap) event() engine.Event {
	switch t.kind {
	case 'c':
		return engine.Event{Kind: engine.Choose, Token: t.token, Option: t.value}
	case 'a':
		return engine.Event{Kind: engine.Accept, Token: t.token, Option: t.value}
	case 'b':
		return engine.Event{Kind: engine.Back, Token: t.token}
	case 't':
		return engine.Event{Kind: engine.Tick, Token: t.token, Option: t.value}
	case 'd':
		return engine.Event{Kind: engine.Draft, Option: t.value}
	}
	return engine.Event{Kind: engine.Show}
}

// encode gives the callback data of a rendered button's event; ok is false
// for an event no button can carry or data over the limit.
func encode(ev engine.Event) (string, bool) {
	var data string
	switch ev.Kind {
	case engine.Choose:
		data = engine.ButtonData(ev.Token, ev.Option)
	case engine.Accept:
		data = "a:" + ev.Token + ":" + ev.Option
	case engine.Back:
		data = "b:" + ev.Token
	case engine.Tick:
		data = "t:" + ev.Token + ":" + ev.Option
	case engine.Draft:
		data = "d:" + ev.Option
	default:
		return "", false
	}
	if _, ok := parseTap(data); !ok {
		return "", false
	}
	return data, true
}

func cutByte(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// isToken: a step token is base 36, lower case (engine.Token).
func isToken(s string) bool {
	if s == "" || len(s) > engine.MaxTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// isID: option and evidence ids are written by dialog authors as
// identifiers (letters, digits, _ and -).
func isID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
