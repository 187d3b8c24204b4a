package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// scriptedBot plays the bot's side of one consultation against the fake
// API directly: it takes the users' updates and answers them.
type scriptedBot struct {
	t   *testing.T
	f   *fakeAPI
	off int64
}

func (b *scriptedBot) next() models.Update {
	b.t.Helper()
	var r struct {
		Result []models.Update `json:"result"`
	}
	if err := json.Unmarshal(b.f.getUpdates(nil, b.off, 2), &r); err != nil || len(r.Result) == 0 {
		b.t.Fatalf("no update from the user (%v)", err)
	}
	u := r.Result[0]
	b.off = u.ID + 1
	return u
}

// call makes a Bot API call with a multipart body, as go-telegram/bot
// does; it returns the message id of what it sent.
func (b *scriptedBot) call(method string, fields ...[2]string) int {
	b.t.Helper()
	ct, body := multipartBody(b.t, fields)
	status, resp := b.f.answer("/bot"+token+"/"+method, ct, body, nil)
	if status != 200 {
		b.t.Fatalf("%s: %d %s", method, status, resp)
	}
	var r struct {
		Result struct {
			ID int `json:"message_id"`
		} `json:"result"`
	}
	json.Unmarshal(resp, &r)
	return r.Result.ID
}

func (b *scriptedBot) send(chat int64, text, markup string) int {
	fields := [][2]string{{"chat_id", strconv.FormatInt(chat, 10)}, {"text", text}, {"parse_mode", "HTML"}}
	if markup != "" {
		fields = append(fields, [2]string{"reply_markup", markup})
	}
	return b.call("sendMessage", fields...)
}

func markup(data ...string) string {
	var rows []string
	for _, d := range data {
		rows = append(rows, `[{"text":"`+d+`","callback_data":"`+d+`"}]`)
	}
	return `{"inline_keyboard":[` + strings.Join(rows, ",") + `]}`
}

// TestConsultationChecks: a user verifies the bot's answers to its plan
// (a deep link, then a tap) and counts the consultation, or the error,
// of each way the bot might answer.
func TestConsultationChecks(t *testing.T) {
	p := &plan{name: "case", tree: "deposit", lang: "en",
		actions:  []action{{kind: 't', text: "/start deposit"}, {kind: 'c', option: "yes"}},
		evidence: []string{"lease", "receipt"}}
	question := markup("c:1:yes", "c:1:no", "b:1")
	outcome := markup("t:2:receipt", "t:2:lease", "s:2:share")
	// tapped answers the tap on the question (message q) with the usual
	// order: answer the query, edit the tapped message, then the reply.
	tapped := func(b *scriptedBot, chat int64, q int, tap models.Update, reply ...string) {
		b.call("answerCallbackQuery", [2]string{"callback_query_id", tap.CallbackQuery.ID})
		b.call("editMessageReplyMarkup", [2]string{"chat_id", strconv.FormatInt(chat, 10)}, [2]string{"message_id", strconv.Itoa(q)})
		for i := 0; i+1 < len(reply); i += 2 {
			b.send(chat, reply[i], reply[i+1])
		}
	}
	cases := []struct {
		name string
		bot  func(b *scriptedBot)
		want string // error class; "" for a consultation to its outcome
	}{
		{"to the outcome", func(b *scriptedBot) {
			up := b.next()
			chat := up.Message.Chat.ID
			q := b.send(chat, "Paid a <b>deposit</b>?", question)
			tap := b.next()
			if tap.CallbackQuery == nil || tap.CallbackQuery.Data != "c:1:yes" || tap.CallbackQuery.Message.Message.ID != q ||
				tap.CallbackQuery.Message.Message.Text != "Paid a deposit?" {
				t.Errorf("tap %+v", tap.CallbackQuery)
			}
			// A notice without buttons and a brief with only "show more"
			// buttons do not end the reply; the checklist does.
			tapped(b, chat, q, tap, "Noted.", "", "Brief", markup("s:2:law", "s:2:steps"), "Checklist", outcome)
		}, ""},
		{"wrong outcome", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			q := b.send(chat, "Q", question)
			tapped(b, chat, q, b.next(), "Checklist", markup("t:2:receipt", "s:2:share"))
		}, "wrong outcome"},
		{"no outcome", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			q := b.send(chat, "Q", question)
			tapped(b, chat, q, b.next(), "Another question", markup("c:2:a", "c:2:b"))
		}, "no outcome"},
		{"path diverged", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			b.send(chat, "Q", markup("c:1:no", "b:1"))
		}, "path diverged"},
		{"edit of another message", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			q := b.send(chat, "Q", question)
			tapped(b, chat, q+100, b.next(), "Checklist", outcome)
		}, "out of order"},
		{"edit of another message, then nothing", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			q := b.send(chat, "Q", question)
			tapped(b, chat, q+100, b.next())
		}, "out of order"},
		{"next question before the tap is answered", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			b.send(chat, "Q", question)
			b.next()
			b.send(chat, "Checklist", outcome)
		}, "out of order"},
		{"step token goes down", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			q := b.send(chat, "Q", markup("c:5:yes"))
			tapped(b, chat, q, b.next(), "Checklist", markup("t:4:receipt", "t:4:lease", "s:4:share"))
		}, "out of order"},
		{"unreadable markup", func(b *scriptedBot) {
			chat := b.next().Message.Chat.ID
			b.send(chat, "Q", `{"inline_keyboard":[[{"text":"x","callback_data":`)
		}, "bad markup"},
		{"no reply", func(b *scriptedBot) {
			b.next()
		}, "timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := newFakeAPI(token)
			if err != nil {
				t.Fatal(err)
			}
			defer f.close()
			r := newRun(f, 300*time.Millisecond)
			r.nextChat.Store(1000)
			u := newUser(r)
			done := make(chan bool)
			go func() { done <- u.consult(p) }()
			tc.bot(&scriptedBot{t: t, f: f})
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				t.Fatal("the consultation did not end")
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			if tc.want == "" {
				if r.consultations.Load() != 1 || len(r.errs) != 0 {
					t.Errorf("%d consultations, errors %v, want 1 and none", r.consultations.Load(), r.samples)
				}
				return
			}
			if r.consultations.Load() != 0 || r.errs[tc.want] != 1 || len(r.errs) != 1 {
				t.Errorf("%d consultations, errors %v, want one %q", r.consultations.Load(), r.samples, tc.want)
			}
		})
	}
}
