package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

const testMarkup = `{"inline_keyboard":[[{"text":"Yes \"really\" <b>","callback_data":"c:1a:yes"},{"text":"No","callback_data":"c:1a:no"}],[{"text":"Back","callback_data":"b:1a"}]]}`

// multipartBody is a form as go-telegram/bot writes one (mime/multipart,
// one CreateFormField per field).
func multipartBody(t *testing.T, fields [][2]string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// nextCall takes the first call delivered to u, waiting up to a second.
func nextCall(u *user) (call, bool) {
	for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if calls := u.takePending(nil); len(calls) > 0 {
			u.putBack(calls[1:])
			return calls[0], true
		}
	}
	return call{}, false
}

// post sends one request to the fake API and returns its status and body.
func post(t *testing.T, f *fakeAPI, method, contentType string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(f.url()+"/bot"+token+"/"+method, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// TestFakeAPIBodies: the fake API reads the same call from a multipart
// form (what go-telegram/bot sends today), a JSON body (what the bot may
// send instead: numbers as numbers, reply_markup as an object or as a
// string) and a urlencoded form, and hands it to the chat's user.
func TestFakeAPIBodies(t *testing.T) {
	f, err := newFakeAPI(token)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	u := newUser(&run{api: f})
	u.chat = 42
	f.users.Store(u.chat, u)
	text := "Line one\nline \"two\" — 中文 <b>bold</b>"

	type sent struct {
		method, contentType string
		body                []byte
	}
	form := func(method string, fields ...[2]string) sent {
		ct, body := multipartBody(t, fields)
		return sent{method, ct, body}
	}
	jsonBody := func(method string, v any) sent {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return sent{method, "application/json", b}
	}
	urlencoded := func(method string, v url.Values) sent {
		return sent{method, "application/x-www-form-urlencoded", []byte(v.Encode())}
	}
	cases := []struct {
		name string
		req  sent
		want call
	}{
		{"sendMessage multipart", form("sendMessage", [2]string{"chat_id", "42"}, [2]string{"text", text}, [2]string{"parse_mode", "HTML"}, [2]string{"reply_markup", testMarkup}),
			call{method: "sendMessage", text: text, markup: []byte(testMarkup)}},
		{"sendMessage JSON", jsonBody("sendMessage", map[string]any{"chat_id": 42, "text": text, "parse_mode": "HTML", "reply_markup": json.RawMessage(testMarkup)}),
			call{method: "sendMessage", text: text, markup: []byte(testMarkup)}},
		{"sendMessage JSON, chat id and markup as strings", jsonBody("sendMessage", map[string]any{"chat_id": "42", "text": text, "reply_markup": testMarkup}),
			call{method: "sendMessage", text: text, markup: []byte(testMarkup)}},
		{"sendMessage urlencoded", urlencoded("sendMessage", url.Values{"chat_id": {"42"}, "text": {text}}),
			call{method: "sendMessage", text: text}},
		{"editMessageText multipart", form("editMessageText", [2]string{"chat_id", "42"}, [2]string{"message_id", "7"}, [2]string{"text", text}),
			call{method: "editMessageText", msgID: 7, text: text}},
		{"editMessageText JSON", jsonBody("editMessageText", map[string]any{"chat_id": 42, "message_id": 7, "text": text}),
			call{method: "editMessageText", msgID: 7, text: text}},
		{"editMessageReplyMarkup multipart", form("editMessageReplyMarkup", [2]string{"chat_id", "42"}, [2]string{"message_id", "8"}, [2]string{"reply_markup", `{"inline_keyboard":[]}`}),
			call{method: "editMessageReplyMarkup", msgID: 8, markup: []byte(`{"inline_keyboard":[]}`)}},
		{"editMessageReplyMarkup JSON", jsonBody("editMessageReplyMarkup", map[string]any{"chat_id": 42, "message_id": 8, "reply_markup": map[string]any{"inline_keyboard": []any{}}}),
			call{method: "editMessageReplyMarkup", msgID: 8, markup: []byte(`{"inline_keyboard":[]}`)}},
		{"answerCallbackQuery multipart", form("answerCallbackQuery", [2]string{"callback_query_id", "q42_3"}),
			call{method: "answerCallbackQuery", query: "q42_3"}},
		{"answerCallbackQuery JSON", jsonBody("answerCallbackQuery", map[string]any{"callback_query_id": "q42_3"}),
			call{method: "answerCallbackQuery", query: "q42_3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, resp := post(t, f, tc.req.method, tc.req.contentType, tc.req.body)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, resp)
			}
			var r struct {
				OK     bool            `json:"ok"`
				Result json.RawMessage `json:"result"`
			}
			if err := json.Unmarshal([]byte(resp), &r); err != nil || !r.OK {
				t.Fatalf("response %s: %v", resp, err)
			}
			got, ok := nextCall(u)
			if !ok {
				t.Fatal("no call delivered")
			}
			got.kb, got.kbErr = nil, nil
			if tc.want.method == "sendMessage" {
				var m models.Message
				if err := json.Unmarshal(r.Result, &m); err != nil || m.ID != got.msgID || m.Chat.ID != 42 {
					t.Errorf("result %s (%v), want message %d in chat 42", r.Result, err, got.msgID)
				}
				tc.want.msgID = got.msgID
			}
			if !got.at.IsZero() {
				got.at = time.Time{}
			}
			if tc.want.markup != nil {
				// As an object, the markup may come back compacted: compare
				// what it means.
				var a, b any
				json.Unmarshal(got.markup, &a)
				json.Unmarshal(tc.want.markup, &b)
				if !reflect.DeepEqual(a, b) {
					t.Errorf("markup %s, want %s", got.markup, tc.want.markup)
				}
				got.markup, tc.want.markup = nil, nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("call %+v, want %+v", got, tc.want)
			}
		})
	}
	if n := f.unknown.Load(); n != 0 {
		t.Errorf("%d calls to unknown chats", n)
	}

	// A body sent chunked (go-telegram/bot streams its forms when nothing
	// reads them whole first; net/http chunks a body of unknown length, as
	// this MultiReader's), on a connection the client closes after.
	ct, body := multipartBody(t, [][2]string{{"chat_id", "42"}, {"text", text}})
	req, err := http.NewRequest("POST", f.url()+"/bot"+token+"/sendMessage", io.MultiReader(bytes.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("chunked: status %d", resp.StatusCode)
	}
	if c, ok := nextCall(u); !ok {
		t.Fatal("chunked: no call delivered")
	} else if c.method != "sendMessage" || c.text != text {
		t.Errorf("chunked: call %+v", c)
	}
	// The next request on that connection (kept alive) is read from
	// where the chunked body ended.
	if status, resp := post(t, f, "getMe", ct, nil); status != http.StatusOK {
		t.Errorf("after a chunked body: status %d: %s", status, resp)
	}
	if n := f.bad.Load(); n != 0 {
		t.Errorf("after a chunked body: %d requests misread (%v)", n, f.badSample.Load())
	}

	// A body it cannot read is an error the run counts, not a silent
	// call without fields.
	if status, _ := post(t, f, "sendMessage", "application/json", []byte(`{"chat_id":`)); status != http.StatusBadRequest {
		t.Errorf("truncated JSON: status %d, want 400", status)
	}
	if status, _ := post(t, f, "sendMessage", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42")); status != http.StatusBadRequest {
		t.Errorf("truncated multipart: status %d, want 400", status)
	}
	if n := f.bad.Load(); n != 2 {
		t.Errorf("bad = %d, want 2", n)
	}
}

// TestGetUpdates: a long poll gets the queued updates from its offset on,
// in both body types, as updates go-telegram/bot decodes; with nothing
// queued it waits for one.
func TestGetUpdates(t *testing.T) {
	f, err := newFakeAPI(token)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	u := newUser(&run{api: f})
	u.chat = 42
	u.from = []byte(`{"id":42,"is_bot":false,"first_name":"Load","language_code":"en-US"}`)
	u.chatJSON = []byte(`{"id":42,"type":"private","first_name":"Load"}`)
	f.push(u.message("/start"))
	f.push(u.tap(screen{msgID: 5, text: "Pick <b>one</b>", markup: []byte(testMarkup)}, "c:1a:yes"))

	poll := func(contentType string, body []byte) []models.Update {
		t.Helper()
		status, resp := post(t, f, "getUpdates", contentType, body)
		var r struct {
			OK     bool            `json:"ok"`
			Result []models.Update `json:"result"`
		}
		if err := json.Unmarshal([]byte(resp), &r); status != http.StatusOK || err != nil || !r.OK {
			t.Fatalf("status %d, %s: %v", status, resp, err)
		}
		return r.Result
	}
	ct, body := multipartBody(t, [][2]string{{"offset", "0"}, {"timeout", "0"}})
	ups := poll(ct, body)
	if len(ups) != 2 || ups[0].ID != 1 || ups[1].ID != 2 {
		t.Fatalf("updates %+v, want ids 1, 2", ups)
	}
	if m := ups[0].Message; m == nil || m.Text != "/start" || m.Chat.ID != 42 || m.From.LanguageCode != "en-US" {
		t.Errorf("message %+v", ups[0].Message)
	}
	q := ups[1].CallbackQuery
	if q == nil || q.ID != "q42_1" || q.Data != "c:1a:yes" || q.Message.Message == nil || q.Message.Message.ID != 5 ||
		q.Message.Message.Text != "Pick one" || len(q.Message.Message.ReplyMarkup.InlineKeyboard) != 2 {
		t.Errorf("callback query %+v", q)
	}

	got := make(chan []models.Update)
	go func() { got <- poll("application/json", []byte(`{"offset":3,"timeout":5}`)) }()
	time.Sleep(50 * time.Millisecond)
	f.push(u.message("hello"))
	select {
	case ups := <-got:
		if len(ups) != 1 || ups[0].ID != 3 || ups[0].Message.Text != "hello" {
			t.Errorf("updates %+v, want id 3", ups)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the long poll did not return the update queued while it waited")
	}
}

// TestKeyboard: the one-pass reading of reply_markup gives the callback
// data encoding/json gives, flat, for what the bot sends and for what it
// might (spaces, escapes, other fields, URL buttons).
func TestKeyboard(t *testing.T) {
	for _, m := range []string{
		testMarkup,
		`{"inline_keyboard":[]}`,
		`{}`,
		` { "inline_keyboard" : [ [ { "text" : "a" , "callback_data" : "t:z:receipt" } ] , [ ] ] , "other": {"x":[1,-2.5e3,true,null,"]"]} } `,
		`{"inline_keyboard":[[{"text":"Site","url":"https://example.org/?a=\"b\""},{"callback_data":"s:2:law","text":"\u6cd5"}]]}`,
		`{"inline_keyboard":[[{"text":"x","callback_data":"c:1:caf\u00e9\\\"q"}]]}`,
	} {
		got, err := keyboard([]byte(m))
		if err != nil {
			t.Errorf("%s: %v", m, err)
			continue
		}
		var want struct {
			InlineKeyboard [][]struct {
				CallbackData string `json:"callback_data"`
			} `json:"inline_keyboard"`
		}
		if err := json.Unmarshal([]byte(m), &want); err != nil {
			t.Fatal(err)
		}
		var flat []string
		for _, row := range want.InlineKeyboard {
			for _, b := range row {
				flat = append(flat, b.CallbackData)
			}
		}
		if !reflect.DeepEqual(got, flat) {
			t.Errorf("%s: %q, want %q", m, got, flat)
		}
	}
	for _, m := range []string{`{"inline_keyboard":[[{"callback_data":"c:1"`, `{"inline_keyboard":[[{"callback_data":c}]]}`, `[]`, `{"inline_keyboard":[]} x`} {
		if _, err := keyboard([]byte(m)); err == nil {
			t.Errorf("%s: no error", m)
		}
	}
}

// TestAppendJSONString: what it writes decodes to the string (tags
// dropped when asked).
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote \" backslash \\ slash /", "new\nline\ttab\r\x01\x1f", "中文 — ünïcode 😀", "<b>bold</b> & <i>it</i>"} {
		for _, strip := range []bool{false, true} {
			b := appendJSONString(nil, s, strip)
			var got string
			if err := json.Unmarshal(b, &got); err != nil {
				t.Errorf("%q: %s: %v", s, b, err)
				continue
			}
			want := s
			if strip {
				want = strings.NewReplacer("<b>", "", "</b>", "", "<i>", "", "</i>", "").Replace(s)
			}
			if got != want {
				t.Errorf("%q (strip %v): %q, want %q", s, strip, got, want)
			}
		}
	}
}
