package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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
	r     *run
	inbox chan call

	chat    int64
	queries int
	lang    string
	first   string
}

func (u *user) deliver(c call) {
	select {
	case u.inbox <- c:
	default:
		u.r.errorf("inbox overflow", "chat %d: more calls than a reply makes", u.chat)
	}
}

// screen is what the user's chat shows: the newest message with buttons.
type screen struct {
	msgID int
	text  string
	kb    [][]button
	token int64
}

// consult holds one consultation, returning false once the run is over.
func (u *user) consult(p *plan) bool {
	r := u.r
	u.chat = r.nextChat.Add(1)
	u.queries = 0
	r.api.users.Store(u.chat, u)
	defer r.api.users.Delete(u.chat)
	u.lang = p.lang
	code := "en-US"
	if p.lang == "zh" {
		code = "zh-hans"
	}
	u.first = code

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
	for _, row := range sc.kb {
		for _, b := range row {
			switch {
			case strings.HasPrefix(b.CallbackData, "t:"):
				ev = append(ev, b.CallbackData[strings.LastIndexByte(b.CallbackData, ':')+1:])
			case strings.HasPrefix(b.CallbackData, "s:"):
				outcome = true
			}
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
	var build func(id int64) []byte
	tapped := 0
	switch a.kind {
	case 't':
		text := a.text
		build = func(id int64) []byte { return u.message(id, text) }
	case 'c', 'a':
		want := "c:"
		suffix := ":" + a.option
		if a.kind == 'a' {
			want, suffix = "a:", ":yes"
		}
		data := ""
		for _, row := range sc.kb {
			for _, b := range row {
				if strings.HasPrefix(b.CallbackData, want) && strings.HasSuffix(b.CallbackData, suffix) {
					data = b.CallbackData
				}
			}
		}
		if data == "" {
			r.errorf("path diverged", "%s/%s %q: no button for %c%s on screen", p.tree, p.lang, p.name, a.kind, suffix)
			return sc, false
		}
		tapped = sc.msgID
		build = func(id int64) []byte { return u.tap(id, sc, data) }
	}
	sent := time.Now()
	r.api.push(build)
	timeout := time.NewTimer(r.timeout)
	defer timeout.Stop()
	calls := 0
	answered, edited := tapped == 0, tapped == 0
	for {
		select {
		case c := <-u.inbox:
			calls++
			switch c.method {
			case "answerCallbackQuery":
				answered = true
			case "editMessageText", "editMessageReplyMarkup":
				if c.msgID != tapped {
					r.errorf("out of order", "chat %d: edit of message %d, tapped %d", u.chat, c.msgID, tapped)
					return sc, false
				}
				edited = true
			case "sendMessage":
				kb := c.keyboard()
				if len(kb) == 0 {
					continue
				}
				if !answered || !edited {
					r.errorf("out of order", "chat %d: next question before the tap was answered and its message edited", u.chat)
					return sc, false
				}
				next := screen{msgID: c.msgID, text: c.text, kb: kb, token: tokenOf(kb)}
				if next.token < sc.token {
					r.errorf("out of order", "chat %d: step token went from %d to %d", u.chat, sc.token, next.token)
					return sc, false
				}
				r.record(time.Since(sent), calls)
				return next, true
			}
		case <-timeout.C:
			if r.over() {
				return sc, false
			}
			r.errorf("timeout", "chat %d: no reply within %v", u.chat, r.timeout)
			return sc, false
		}
	}
}

// tokenOf is the step token the keyboard's buttons carry (-1 if none).
func tokenOf(kb [][]button) int64 {
	for _, row := range kb {
		for _, b := range row {
			parts := strings.Split(b.CallbackData, ":")
			if len(parts) >= 2 && strings.ContainsRune("cabts", rune(parts[0][0])) {
				if n, err := strconv.ParseInt(parts[1], 36, 64); err == nil {
					return n
				}
			}
		}
	}
	return -1
}

func (u *user) from() string {
	return fmt.Sprintf(`{"id":%d,"is_bot":false,"first_name":"Load","language_code":%q}`, u.chat, u.first)
}

func (u *user) chatJSON() string {
	return fmt.Sprintf(`{"id":%d,"type":"private","first_name":"Load"}`, u.chat)
}

var msgIDs atomic.Int64

func (u *user) message(id int64, text string) []byte {
	t, _ := json.Marshal(text)
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"from":%s,"chat":%s,"date":%d,"text":%s}}`,
		id, msgIDs.Add(1), u.from(), u.chatJSON(), time.Now().Unix(), t)
}

func (u *user) tap(id int64, sc screen, data string) []byte {
	u.queries++
	t, _ := json.Marshal(stripTags(sc.text))
	kb, _ := json.Marshal(map[string]any{"inline_keyboard": sc.kb})
	d, _ := json.Marshal(data)
	return fmt.Appendf(nil, `{"update_id":%d,"callback_query":{"id":"q%d_%d","from":%s,"message":{"message_id":%d,"chat":%s,"date":%d,"text":%s,"reply_markup":%s},"chat_instance":"ci%d","data":%s}}`,
		id, u.chat, u.queries, u.from(), sc.msgID, u.chatJSON(), time.Now().Unix(), t, kb, u.chat, d)
}

// stripTags turns the HTML the bot sent into the plain text Telegram
// would show (entities are not needed by the load).
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
