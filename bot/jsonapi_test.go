package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

var testKeyboard = [][]models.InlineKeyboardButton{
	{{Text: "Broken on arrival", CallbackData: "s:tok1:broken"}, {Text: "Stopped working", CallbackData: "s:tok1:stopped"}},
	{{Text: "Summary", CallbackData: "m:summary"}},
}

// hotCall is one of the four methods sent both ways: through
// go-telegram/bot and through jsonAPI.
type hotCall struct {
	method string
	params any
}

func (c hotCall) viaGoTelegram(ctx context.Context, api *tgbot.Bot) error {
	var err error
	switch p := c.params.(type) {
	case *tgbot.SendMessageParams:
		_, err = api.SendMessage(ctx, p)
	case *tgbot.EditMessageTextParams:
		_, err = api.EditMessageText(ctx, p)
	case *tgbot.EditMessageReplyMarkupParams:
		_, err = api.EditMessageReplyMarkup(ctx, p)
	case *tgbot.AnswerCallbackQueryParams:
		_, err = api.AnswerCallbackQuery(ctx, p)
	default:
		panic("not a hot call")
	}
	return err
}

func (c hotCall) viaJSON(ctx context.Context, a *jsonAPI) error {
	body, err := encodeParams(c.method, c.params)
	if err != nil {
		return err
	}
	switch c.method {
	case "sendMessage":
		_, err = a.sendMessage(ctx, body)
	case "editMessageText":
		err = a.editMessageText(ctx, body)
	case "editMessageReplyMarkup":
		err = a.editMessageReplyMarkup(ctx, body)
	case "answerCallbackQuery":
		err = a.answerCallbackQuery(ctx, body)
	default:
		panic("not a hot call")
	}
	return err
}

// bothWays is a go-telegram/bot client and a jsonAPI for server, on one
// HTTP client.
func bothWays(t testing.TB, server string, client *http.Client) (*tgbot.Bot, *jsonAPI) {
	t.Helper()
	api, err := tgbot.New(telegramtest.Token, tgbot.WithServerURL(server), tgbot.WithSkipGetMe(),
		tgbot.WithErrorsHandler(func(error) {}), tgbot.WithHTTPClient(time.Second, wholeBodies{client}))
	if err != nil {
		t.Fatal(err)
	}
	return api, newJSONAPI(server, telegramtest.Token, client)
}

// The body of each hot method: the Bot API's field names, numbers and
// booleans as JSON, empty optional fields left out, HTML not escaped.
func TestEncodeParams(t *testing.T) {
	// copy_text is go-telegram/bot's (a struct is never "empty"); its
	// form field had it too.
	kbJSON := `{"inline_keyboard":[[{"text":"Broken on arrival","callback_data":"s:tok1:broken","copy_text":{"text":""}},` +
		`{"text":"Stopped working","callback_data":"s:tok1:stopped","copy_text":{"text":""}}],` +
		`[{"text":"Summary","callback_data":"m:summary","copy_text":{"text":""}}]]}`
	tests := []struct {
		name   string
		method string
		params any
		want   map[string]string // field -> its JSON
	}{
		{"sendMessage with a keyboard", "sendMessage", &tgbot.SendMessageParams{ChatID: int64(-1001234567890), Text: "<b>Step 1</b> & then 2",
			ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview, ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: testKeyboard}},
			map[string]string{"chat_id": "-1001234567890", "text": `"<b>Step 1</b> & then 2"`, "parse_mode": `"HTML"`,
				"link_preview_options": `{"is_disabled":true}`, "reply_markup": kbJSON}},
		{"sendMessage plain", "sendMessage", &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi"},
			map[string]string{"chat_id": "5", "text": `"hi"`}},
		{"sendMessage to a username", "sendMessage", &tgbot.SendMessageParams{ChatID: "@channel", Text: "hi"},
			map[string]string{"chat_id": `"@channel"`, "text": `"hi"`}},
		{"editMessageText (drops the keyboard)", "editMessageText", &tgbot.EditMessageTextParams{ChatID: int64(5), MessageID: 77,
			Text: "Q?\n\n→ yes", ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview},
			map[string]string{"chat_id": "5", "message_id": "77", "text": `"Q?\n\n→ yes"`, "parse_mode": `"HTML"`,
				"link_preview_options": `{"is_disabled":true}`}},
		{"editMessageReplyMarkup with a keyboard", "editMessageReplyMarkup", &tgbot.EditMessageReplyMarkupParams{ChatID: int64(5), MessageID: 78,
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: testKeyboard}},
			map[string]string{"chat_id": "5", "message_id": "78", "reply_markup": kbJSON}},
		{"editMessageReplyMarkup removing it", "editMessageReplyMarkup", &tgbot.EditMessageReplyMarkupParams{ChatID: int64(5), MessageID: 78},
			map[string]string{"chat_id": "5", "message_id": "78"}},
		{"answerCallbackQuery with a toast", "answerCallbackQuery", &tgbot.AnswerCallbackQueryParams{CallbackQueryID: "4242", Text: "Saved <3", ShowAlert: true},
			map[string]string{"callback_query_id": `"4242"`, "text": `"Saved <3"`, "show_alert": "true"}},
		{"answerCallbackQuery bare", "answerCallbackQuery", &tgbot.AnswerCallbackQueryParams{CallbackQueryID: "4242"},
			map[string]string{"callback_query_id": `"4242"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := encodeParams(tt.method, tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(body), `\u00`) {
				t.Errorf("HTML escaped: %s", body)
			}
			var got map[string]json.RawMessage
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, body)
			}
			for k, want := range tt.want {
				if string(got[k]) != want {
					t.Errorf("%s = %s, want %s", k, got[k], want)
				}
			}
			for k := range got {
				if _, ok := tt.want[k]; !ok {
					t.Errorf("unexpected field %s = %s", k, got[k])
				}
			}
		})
	}
}

// What the fake Bot API reads from each hot call is the same whichever
// way it was sent: the JSON body says what go-telegram/bot's form said.
func TestJSONCallsSayWhatGoTelegramSaid(t *testing.T) {
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "A & <b>", CallbackData: "s:t:a"}}}}
	calls := func(msgID int) []hotCall {
		return []hotCall{
			{"sendMessage", &tgbot.SendMessageParams{ChatID: int64(5), Text: "<b>Hello</b> &amp; welcome", ParseMode: models.ParseModeHTML,
				LinkPreviewOptions: noPreview, ReplyMarkup: kb}},
			{"editMessageReplyMarkup", &tgbot.EditMessageReplyMarkupParams{ChatID: int64(5), MessageID: msgID,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: testKeyboard}}},
			{"editMessageText", &tgbot.EditMessageTextParams{ChatID: int64(5), MessageID: msgID, Text: "<i>Hello</i>\n\n→ A",
				ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview}},
			{"editMessageReplyMarkup", &tgbot.EditMessageReplyMarkupParams{ChatID: int64(5), MessageID: msgID,
				ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: testKeyboard[:1]}}},
			{"editMessageReplyMarkup", &tgbot.EditMessageReplyMarkupParams{ChatID: int64(5), MessageID: msgID}},
		}
	}
	fake := telegramtest.New(t)
	u := fake.NewUser(5, "Wei", "en")
	gt, js := bothWays(t, fake.URL(), &http.Client{})
	ctx := context.Background()
	// Each way sends a message and edits it (message 1, then 2).
	for i, call := range calls(1) {
		if err := call.viaGoTelegram(ctx, gt); err != nil {
			t.Fatalf("go-telegram call %d (%s): %v", i, call.method, err)
		}
	}
	for i, call := range calls(2) {
		if err := call.viaJSON(ctx, js); err != nil {
			t.Fatalf("JSON call %d (%s): %v", i, call.method, err)
		}
	}
	// A tap to answer each way.
	for i, way := range []func(context.Context, hotCall) error{
		func(ctx context.Context, c hotCall) error { return c.viaGoTelegram(ctx, gt) },
		func(ctx context.Context, c hotCall) error { return c.viaJSON(ctx, js) },
	} {
		upd := u.Tap(i+1, "s:t:a")
		ans := hotCall{"answerCallbackQuery", &tgbot.AnswerCallbackQueryParams{CallbackQueryID: upd.CallbackQuery.ID, Text: "Noted & saved", ShowAlert: true}}
		if err := way(ctx, ans); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
	}

	all := fake.Calls("sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery")
	n := len(calls(0)) + 1
	if len(all) != 2*n {
		t.Fatalf("%d calls, want %d", len(all), 2*n)
	}
	var viaGT, viaJSON []telegramtest.Call
	for i, c := range all {
		switch {
		case i < n-1 || i == 2*n-2:
			viaGT = append(viaGT, c)
		default:
			viaJSON = append(viaJSON, c)
		}
	}
	for i := range viaGT {
		a, b := viaGT[i], viaJSON[i]
		if a.Method != b.Method {
			t.Fatalf("call %d: %s and %s", i, a.Method, b.Method)
		}
		if a.Params["message_id"] == "1" {
			a.Params["message_id"] = "2" // the same edit, of each way's own message
		}
		if a.Method == "answerCallbackQuery" {
			a.Params["callback_query_id"] = b.Params["callback_query_id"] // each way's own tap
		}
		if !sameParams(a.Params, b.Params) {
			t.Errorf("%s: go-telegram sent %v, JSON %v", a.Method, a.Params, b.Params)
		}
	}
	if got := fake.Messages(5); len(got) != 2 {
		t.Fatalf("%d messages in the chat, want one each way", len(got))
	}
}

// sameParams compares fields as the API reads them: JSON values by value
// (encoding/json may or may not escape "<" and "&"), strings as they are.
func sameParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok {
			return false
		}
		if va == vb {
			continue
		}
		var ja, jb any
		if json.Unmarshal([]byte(va), &ja) != nil || json.Unmarshal([]byte(vb), &jb) != nil || !reflect.DeepEqual(ja, jb) {
			return false
		}
	}
	return true
}

// verdict is everything the bot concludes from a call's error.
type verdict struct {
	class, code          string
	notApplied, retry    bool
	known, notModified   bool
	forbidden, badReq    bool
	retryAfter, migrate  int
	canceled, isURLError bool
}

func judge(err error, wrote bool) verdict {
	v := verdict{class: errClass(err), code: apiCode(err), notApplied: notApplied(err, wrote), retry: retryable(err),
		known: knownFailure(err), notModified: notModified(err), forbidden: errors.Is(err, tgbot.ErrorForbidden),
		badReq: errors.Is(err, tgbot.ErrorBadRequest), canceled: errors.Is(err, context.Canceled)}
	var tmr *tgbot.TooManyRequestsError
	if errors.As(err, &tmr) {
		v.retryAfter = tmr.RetryAfter
	}
	var me *tgbot.MigrateError
	if errors.As(err, &me) {
		v.migrate = me.MigrateToChatID
	}
	var ue *url.Error
	v.isURLError = errors.As(err, &ue)
	return v
}

// traced makes call as sender.do does, and says whether the request was
// written.
func traced(ctx context.Context, call func(context.Context) error) (error, bool) {
	var wrote atomic.Bool
	err := call(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			wrote.Store(true)
		}
	}}))
	return err, wrote.Load()
}

// Every answer the Bot API (or what stands in front of it) can give comes
// back from the JSON path as the same error go-telegram/bot returns, so
// the sender retries, waits, blocks and gives up exactly as before.
func TestJSONErrorsAreGoTelegrams(t *testing.T) {
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	send := hotCall{"sendMessage", &tgbot.SendMessageParams{ChatID: int64(5), Text: "hi", ParseMode: models.ParseModeHTML,
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: testKeyboard}}}
	edit := hotCall{"editMessageText", &tgbot.EditMessageTextParams{ChatID: int64(5), MessageID: 3, Text: "hi"}}
	markup := hotCall{"editMessageReplyMarkup", &tgbot.EditMessageReplyMarkupParams{ChatID: int64(5), MessageID: 3}}
	ack := hotCall{"answerCallbackQuery", &tgbot.AnswerCallbackQueryParams{CallbackQueryID: "9"}}
	tests := []struct {
		name    string
		call    hotCall
		handler http.HandlerFunc // nil: nothing listens
		timeout time.Duration    // the client's, if not a second
		want    verdict
		// sameText: the error reads the same both ways (not when it
		// names a port or a decoding error's field path).
		sameText bool
	}{
		{"403 blocked", send, answer(403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`), 0,
			verdict{class: "blocked", code: "403", forbidden: true}, true},
		{"400", send, answer(400, `{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Unsupported start tag \"x\""}`), 0,
			verdict{class: "bad_request: can't parse entities", code: "400", known: true, badReq: true}, true},
		{"400 not modified", edit, answer(400, `{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same"}`), 0,
			verdict{class: "bad_request: message is not modified", code: "400", known: true, badReq: true, notModified: true}, true},
		{"400 query too old", ack, answer(400, `{"ok":false,"error_code":400,"description":"Bad Request: query is too old and response timeout expired or query ID is invalid"}`), 0,
			verdict{class: "bad_request: query is too old", code: "400", known: true, badReq: true}, true},
		{"400 with migrate_to_chat_id", send, answer(400, `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}`), 0,
			verdict{class: "other", code: "other", migrate: -1001234567890}, true},
		{"401", send, answer(401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`), 0,
			verdict{class: "unauthorized", code: "401", known: true}, true},
		{"404", markup, answer(404, `{"ok":false,"error_code":404,"description":"Not Found"}`), 0,
			verdict{class: "not_found", code: "404", known: true}, true},
		{"409", send, answer(409, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"}`), 0,
			verdict{class: "conflict", code: "409", known: true}, true},
		{"429 with retry_after", send, answer(429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`), 0,
			verdict{class: "rate_limited", code: "429", retryAfter: 7}, true},
		{"the API's 500", send, answer(500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`), 0,
			verdict{class: "server_error_500", code: "500", notApplied: true, retry: true}, true},
		{"a JSON 502", edit, answer(502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`), 0,
			verdict{class: "server_error_502", code: "502", retry: true}, true},
		{"a gateway's 502 page", send, answer(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"), 0,
			verdict{class: "bad_response", code: "network", retry: true}, true},
		{"an empty 200", ack, answer(200, ""), 0,
			verdict{class: "bad_response", code: "network", retry: true}, true},
		{"a result of another type", send, answer(200, `{"ok":true,"result":true}`), 0,
			verdict{class: "bad_response", code: "other"}, false},
		{"ok", send, answer(200, `{"ok":true,"result":{"message_id":12,"chat":{"id":5,"type":"private"},"date":1,"text":"hi"}}`), 0,
			verdict{}, true},
		{"ok answer", ack, answer(200, `{"ok":true,"result":true}`), 0, verdict{}, true},
		{"connection refused", send, nil, 0,
			verdict{class: "network", code: "network", notApplied: true, retry: true, isURLError: true}, true},
		{"connection dropped after the request", send, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, 0, verdict{class: "network", code: "network", retry: true, isURLError: true}, true},
		{"no answer in time", send, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, 100 * time.Millisecond, verdict{class: "timeout", code: "timeout", isURLError: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var server string
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				t.Cleanup(srv.Close)
				server = srv.URL
			} else {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				server = "http://" + ln.Addr().String()
				ln.Close() // nothing listens there now
			}
			timeout := time.Second
			if tt.timeout > 0 {
				timeout = tt.timeout
			}
			gt, js := bothWays(t, server, &http.Client{Timeout: timeout})
			ctx := context.Background()
			gtErr, gtWrote := traced(ctx, func(ctx context.Context) error { return tt.call.viaGoTelegram(ctx, gt) })
			jsErr, jsWrote := traced(ctx, func(ctx context.Context) error { return tt.call.viaJSON(ctx, js) })
			if (gtErr == nil) != (jsErr == nil) {
				t.Fatalf("go-telegram: %v; JSON: %v", gtErr, jsErr)
			}
			if tt.want == (verdict{}) {
				if jsErr != nil {
					t.Fatalf("err = %v, want none", jsErr)
				}
				return
			}
			if jsErr == nil {
				t.Fatal("no error")
			}
			if got := judge(jsErr, jsWrote); got != tt.want {
				t.Errorf("JSON path: %+v, want %+v\n(%v)", got, tt.want, jsErr)
			}
			if got := judge(gtErr, gtWrote); got != tt.want {
				t.Errorf("go-telegram: %+v, want %+v\n(%v)", got, tt.want, gtErr)
			}
			if tt.sameText && gtErr.Error() != jsErr.Error() {
				t.Errorf("texts differ:\ngo-telegram: %v\nJSON:        %v", gtErr, jsErr)
			}
			if reflect.TypeOf(gtErr) != reflect.TypeOf(jsErr) {
				t.Errorf("types differ: %T and %T", gtErr, jsErr)
			}
			if strings.Contains(jsErr.Error(), telegramtest.Token) {
				t.Errorf("token in the error: %v", jsErr)
			}
		})
	}
}

// sendMessage's result: its id and chat, the rest not read.
func TestJSONSendMessageResult(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		if r.ContentLength <= 0 || len(r.TransferEncoding) > 0 {
			t.Errorf("Content-Length %d, Transfer-Encoding %v: want a length", r.ContentLength, r.TransferEncoding)
		}
		if r.URL.Path != "/bot"+telegramtest.Token+"/sendMessage" {
			t.Errorf("path %s", r.URL.Path)
		}
		io.WriteString(w, `{"ok":true,"result":{"message_id":321,"from":{"id":1,"is_bot":true,"first_name":"B"},`+
			`"chat":{"id":-100777,"type":"supergroup","title":"T"},"date":1700000000,"text":"hi","entities":[{"type":"bold","offset":0,"length":2}],`+
			`"reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}}`)
	}))
	defer srv.Close()
	js := newJSONAPI(srv.URL+"/", telegramtest.Token, &http.Client{})
	body, err := encodeParams("sendMessage", &tgbot.SendMessageParams{ChatID: int64(-100777), Text: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := js.sendMessage(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	if m.ID != 321 || m.Chat.ID != -100777 {
		t.Fatalf("message %d in chat %d, want 321 in -100777", m.ID, m.Chat.ID)
	}
}

// An unreachable server named by default is api.telegram.org.
func TestJSONAPIDefaultServer(t *testing.T) {
	js := newJSONAPI("", "123:abc", &http.Client{})
	if js.prefix != "https://api.telegram.org/bot123:abc/" {
		t.Fatalf("prefix %q", js.prefix)
	}
}

// One sendMessage with a keyboard, each way, against a server that
// answers as Telegram does (the message echoed back). The JSON way
// includes encoding the params, as the sender does once per message.
//
//	go test ./bot -run '^$' -bench SendMessageWays -benchmem -count 3
func BenchmarkSendMessageWays(b *testing.B) {
	answer := []byte(`{"ok":true,"result":{"message_id":321,"from":{"id":987654321,"is_bot":true,"first_name":"Dispute Test","username":"dispute_test_bot"},` +
		`"chat":{"id":5,"first_name":"Wei","type":"private"},"date":1700000000,"text":"Step 1 and then 2: what happened to the parcel?",` +
		`"entities":[{"type":"bold","offset":0,"length":6}],"link_preview_options":{"is_disabled":true},` +
		`"reply_markup":{"inline_keyboard":[[{"text":"Broken on arrival","callback_data":"s:tok1:broken"},{"text":"Stopped working","callback_data":"s:tok1:stopped"}],` +
		`[{"text":"Summary","callback_data":"m:summary"}]]}}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}))
	defer srv.Close()
	gt, js := bothWays(b, srv.URL, newHTTPClient())
	p := &tgbot.SendMessageParams{ChatID: int64(5), Text: "<b>Step 1</b> and then 2: what happened to the parcel?", ParseMode: models.ParseModeHTML,
		LinkPreviewOptions: noPreview, ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: testKeyboard}}
	ctx := context.Background()
	b.Run("go-telegram", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gt.SendMessage(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body, err := encodeParams("sendMessage", p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := js.sendMessage(ctx, body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
