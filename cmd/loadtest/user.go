package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// user is one simulated person: consultation after consultation, each in a
// new private chat (a new person, as after a news story), each following a
// plan to its outcome.
//
// What it relies on in the bot's answers (not wording, which changes):
//   - the reply to an update is complete when a sendMessage carries an
//     inline keyboard (every question, proposal and checklist has one;
//     notices and the outcome's text come before it, joined or not);
//   - button callback data: c:<token>:<option> for an option, a:<token>:yes
//     to accept a proposed category, b:<token> back, t:<token>:<evidence>
//     on the checklist, s:<token>:… actions (only after an outcome);
//   - step tokens are base 36 and never go down in a chat;
//   - a tap is answered (answerCallbackQuery) and the tapped message edited
//     (editMessageText or editMessageReplyMarkup of that message id).
type user struct {
	r *run
	// pending are the calls to this chat not yet checked, in order; wake
	// gets a token when one ends a reply. The user wakes once a reply,
	// not once a call: waking a goroutine is much of what a call costs.
	mu      sync.Mutex
	pending []call
	wake    chan struct{}
	// batch holds the calls being checked (reused).
	batch []call
	// timeout is the user's one reply timer, reset for each update.
	timeout *time.Timer

	chat    int64
	queries int
	lang    string
	// from and chatJSON are this chat's "from" and "chat" objects,
	// encoded once a consultation rather than once an update.
	from, chatJSON []byte
}

func newUser(r *run) *user {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &user{r: r, wake: make(chan struct{}, 1), timeout: t}
}

// maxPending is more calls than any reply makes.
const maxPending = 64

// deliver hands a call to chat to the user (from the fake API's
// connection goroutine). A reply ends with a sendMessage carrying an
// inline keyboard other than an outcome brief's "show more" buttons; its
// keyboard is read here, once.
func (u *user) deliver(chat int64, c call) {
	end := false
	if c.method == "sendMessage" {
		c.kb, c.kbErr = keyboard(c.markup)
		end = c.kbErr != nil || len(c.kb) > 0 && !onlySections(c.kb)
	}
	u.mu.Lock()
	if len(u.pending) >= maxPending {
		u.mu.Unlock()
		u.r.errorf("inbox overflow", "chat %d: more calls than a reply makes", chat)
		return
	}
	u.pending = append(u.pending, c)
	u.mu.Unlock()
	if end {
		select {
		case u.wake <- struct{}{}:
		default: // a token is there already
		}
	}
}

// takePending returns the calls delivered so far, leaving none.
func (u *user) takePending(buf []call) []call {
	u.mu.Lock()
	buf = append(buf[:0], u.pending...)
	clear(u.pending)
	u.pending = u.pending[:0]
	u.mu.Unlock()
	return buf
}

// putBack returns unchecked calls to the front of the pending ones.
func (u *user) putBack(calls []call) {
	if len(calls) == 0 {
		return
	}
	u.mu.Lock()
	u.pending = append(slices.Clone(calls), u.pending...)
	u.mu.Unlock()
}

// screen is what the user's chat shows: the newest message with buttons.
type screen struct {
	msgID int
	text  string
	// kb is the callback data of its buttons, in order (rows do not
	// matter); markup is its reply_markup as the bot sent it, which a tap
	// sends back.
	kb     []string
	markup []byte
	token  int64
}

// consult holds one consultation, returning false once the run is over.
func (u *user) consult(p *plan) bool {
	r := u.r
	u.chat = r.nextChat.Add(1)
	u.queries = 0
	// Calls of the last chat that came after its end (an error cut it
	// short) are not this one's.
	u.takePending(nil)
	r.api.users.Store(u.chat, u)
	defer r.api.users.Delete(u.chat)
	u.lang = p.lang
	code := "en-US"
	if p.lang == "zh" {
		code = "zh-hans"
	}
	u.from = fmt.Appendf(u.from[:0], `{"id":%d,"is_bot":false,"first_name":"Load","language_code":%q}`, u.chat, code)
	u.chatJSON = fmt.Appendf(u.chatJSON[:0], `{"id":%d,"type":"private","first_name":"Load"}`, u.chat)

	// Now and then, /back and the same answer again.
	backAt := -1
	if len(p.backAfter) > 0 && rand.IntN(3) == 0 {
		backAt = p.backAfter[rand.IntN(len(p.backAfter))]
	}
	var sc screen
	sc.token = -1
	for i := 0; i < len(p.actions); i++ {
		steps := []action{p.actions[i]}
		if i == backAt {
			steps = append(steps, action{kind: 't', text: "/back"}, p.actions[i])
		}
		for _, a := range steps {
			if !r.await() {
				return false
			}
			next, ok := u.act(p, a, sc)
			if !ok {
				return !r.over()
			}
			sc = next
		}
	}
	// The outcome: its checklist shows the evidence the path must reach.
	var ev []string
	outcome := false
	for _, data := range sc.kb {
		switch {
		case strings.HasPrefix(data, "t:"):
			ev = append(ev, data[strings.LastIndexByte(data, ':')+1:])
		case strings.HasPrefix(data, "s:"):
			outcome = true
		}
	}
	slices.Sort(ev)
	switch {
	case !outcome:
		r.errorf("no outcome", "%s/%s %q: the last reply is not an outcome's checklist", p.tree, p.lang, p.name)
	case !slices.Equal(ev, p.evidence):
		r.errorf("wrong outcome", "%s/%s %q: checklist %v, want %v", p.tree, p.lang, p.name, ev, p.evidence)
	default:
		r.consultations.Add(1)
		r.finished(u.chat)
	}
	return true
}

// act sends one update and waits for the reply to it; ok is false when the
// consultation cannot go on (an error, already counted, or the end).
func (u *user) act(p *plan, a action, sc screen) (screen, bool) {
	r := u.r
	var update []byte
	tapped := 0
	switch a.kind {
	case 't':
		update = u.message(a.text)
	case 'c', 'a':
		want := "c:"
		suffix := ":" + a.option
		if a.kind == 'a' {
			want, suffix = "a:", ":yes"
		}
		data := ""
		for _, d := range sc.kb {
			if strings.HasPrefix(d, want) && strings.HasSuffix(d, suffix) {
				data = d
			}
		}
		if data == "" {
			r.errorf("path diverged", "%s/%s %q: no button for %c%s on screen", p.tree, p.lang, p.name, a.kind, suffix)
			return sc, false
		}
		tapped = sc.msgID
		update = u.tap(sc, data)
	}
	sent := time.Now()
	r.api.push(update)
	u.timeout.Reset(r.timeout)
	defer u.timeout.Stop()
	calls := 0
	answered, edited := tapped == 0, tapped == 0
	// check goes through the calls in order; done once the reply is
	// complete or wrong.
	check := func(batch []call) (next screen, done, ok bool) {
		for i, c := range batch {
			calls++
			switch c.method {
			case "answerCallbackQuery":
				answered = true
			case "editMessageText", "editMessageReplyMarkup":
				if c.msgID != tapped {
					r.errorf("out of order", "chat %d: edit of message %d, tapped %d", u.chat, c.msgID, tapped)
					return sc, true, false
				}
				edited = true
			case "sendMessage":
				if c.kbErr != nil {
					r.errorf("bad markup", "chat %d: %v: %.200s", u.chat, c.kbErr, c.markup)
					return sc, true, false
				}
				if len(c.kb) == 0 || onlySections(c.kb) {
					// A message without buttons, or an outcome's brief
					// (its "show more" buttons): the reply goes on.
					continue
				}
				if !answered || !edited {
					r.errorf("out of order", "chat %d: next question before the tap was answered and its message edited", u.chat)
					return sc, true, false
				}
				next := screen{msgID: c.msgID, text: c.text, kb: c.kb, markup: c.markup, token: tokenOf(c.kb)}
				if next.token < sc.token {
					r.errorf("out of order", "chat %d: step token went from %d to %d", u.chat, sc.token, next.token)
					return sc, true, false
				}
				r.record(time.Since(sent), calls)
				// Calls after the reply belong to the next update.
				u.putBack(batch[i+1:])
				return next, true, true
			}
		}
		return sc, false, false
	}
	for {
		select {
		case <-u.wake:
			u.batch = u.takePending(u.batch)
			if next, done, ok := check(u.batch); done {
				return next, ok
			}
		case <-u.timeout.C:
			// The calls that came are checked first: a wrong one is
			// that error, not a timeout.
			u.batch = u.takePending(u.batch)
			if next, done, ok := check(u.batch); done {
				return next, ok
			}
			if r.over() {
				return sc, false
			}
			r.errorf("timeout", "chat %d: no reply within %v", u.chat, r.timeout)
			return sc, false
		}
	}
}

// tokenOf is the step token the keyboard's buttons carry (-1 if none).
func tokenOf(kb []string) int64 {
	for _, data := range kb {
		kind, rest, ok := strings.Cut(data, ":")
		if !ok || len(kind) == 0 || !strings.ContainsRune("cabts", rune(kind[0])) {
			continue
		}
		tok, _, _ := strings.Cut(rest, ":")
		if n, err := strconv.ParseInt(tok, 36, 64); err == nil {
			return n
		}
	}
	return -1
}

var msgIDs atomic.Int64

// message is a text message update after its id (fakeAPI.push), encoded
// by appends: fmt and encoding/json here cost more than the rest of a
// user's work.
func (u *user) message(text string) []byte {
	b := make([]byte, 0, 192+len(u.from)+len(u.chatJSON)+len(text))
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, msgIDs.Add(1), 10)
	b = append(b, `,"from":`...)
	b = append(b, u.from...)
	b = append(b, `,"chat":`...)
	b = append(b, u.chatJSON...)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, time.Now().Unix(), 10)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, text, false)
	return append(b, "}}"...)
}

// tap is a callback query update after its id: a tap on data in the
// message sc shows, which it carries as Telegram would (plain text, the
// keyboard as the bot sent it).
func (u *user) tap(sc screen, data string) []byte {
	u.queries++
	b := make([]byte, 0, 256+len(u.from)+len(u.chatJSON)+len(sc.text)+len(sc.markup)+len(data))
	b = append(b, `,"callback_query":{"id":"q`...)
	b = strconv.AppendInt(b, u.chat, 10)
	b = append(b, '_')
	b = strconv.AppendInt(b, int64(u.queries), 10)
	b = append(b, `","from":`...)
	b = append(b, u.from...)
	b = append(b, `,"message":{"message_id":`...)
	b = strconv.AppendInt(b, int64(sc.msgID), 10)
	b = append(b, `,"chat":`...)
	b = append(b, u.chatJSON...)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, time.Now().Unix(), 10)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, sc.text, true)
	if len(sc.markup) > 0 {
		b = append(b, `,"reply_markup":`...)
		b = append(b, sc.markup...)
	}
	b = append(b, `},"chat_instance":"ci`...)
	b = strconv.AppendInt(b, u.chat, 10)
	b = append(b, `","data":`...)
	b = appendJSONString(b, data, false)
	return append(b, "}}"...)
}

// appendJSONString appends s as a JSON string. With stripTags it drops
// the HTML tags the bot sent, leaving the plain text Telegram would show
// (entities are not needed by the load).
func appendJSONString(b []byte, s string, stripTags bool) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if stripTags {
			switch {
			case c == '<':
				in = true
				continue
			case c == '>':
				in = false
				continue
			case in:
				continue
			}
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			// UTF-8 passes as it is: JSON strings may hold any of it.
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// sectionActs are the s: actions of a brief's "show more" buttons
// (bot/callback.go); a keyboard of only these is not the end of a reply.
var sectionActs = []string{"law", "steps", "dates", "says"}

func onlySections(kb []string) bool {
	for _, data := range kb {
		i := strings.LastIndexByte(data, ':')
		if !strings.HasPrefix(data, "s:") || i < 0 || !slices.Contains(sectionActs, data[i+1:]) {
			return false
		}
	}
	return true
}
