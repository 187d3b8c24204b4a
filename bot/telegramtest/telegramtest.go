// Package telegramtest is a fake Telegram Bot API server for tests. It speaks
// the real wire format ({"ok":true,"result":…}, error codes and
// descriptions), accepts the multipart/form-data bodies go-telegram/bot sends
// as well as JSON, keeps each chat's messages as Telegram would (HTML parsed
// into text and entities, edits applied, keyboards dropped), queues updates
// for getUpdates, records every call, and fails on demand (429 with
// retry_after, 5xx, 403, a dropped connection). It checks what the real API
// checks and a bot can get wrong: HTML that does not parse, messages over
// 4096 characters, empty texts, callback data over 64 bytes, answering a
// callback query twice, editing a message to the same content, inline
// results that would not post (bad HTML, too long, a malformed button), a
// document without a file.
package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// Token is the bot token the fake accepts. Tests look for it in logs.
const Token = "987654321:AAFakeTokenForTests-do-not-log-me_42"

// Call is one request the bot made.
type Call struct {
	Method string
	// Params are the request's fields: strings as sent, objects (reply
	// markup, commands, scopes) as JSON.
	Params map[string]string
	// Files are uploaded files by field name.
	Files map[string]File
	// Code is the API's answer: 200, or the error code returned.
	Code int
	// Description is the error description, for failed calls.
	Description string
}

// Text is the call's text parameter.
func (c Call) Text() string { return c.Params["text"] }

// ChatID is the call's chat_id parameter, 0 if absent.
func (c Call) ChatID() int64 {
	id, _ := strconv.ParseInt(c.Params["chat_id"], 10, 64)
	return id
}

// Keyboard is the inline keyboard the call sets, nil if none.
func (c Call) Keyboard() [][]models.InlineKeyboardButton {
	return keyboard(c.Params["reply_markup"])
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Code == http.StatusOK }

// File is an uploaded file.
type File struct {
	Name string
	Data []byte
}

// Failure is a scripted error answer.
type Failure struct {
	Code        int // 429, 500, 403, ...
	RetryAfter  int // seconds, for 429
	Description string
	// Drop closes the connection without an answer, as a network failure.
	Drop bool
	// Applied carries the call out before failing: the answer is lost
	// after delivery (a gateway's 502, a dropped or hung connection).
	Applied bool
	// Hang answers nothing until the client gives up (its timeout).
	Hang bool
	// Body, if set, is sent as it is instead of the API's JSON (a proxy's
	// error page).
	Body string
}

// hangLimit bounds a Hang failure; clients in tests give up well before.
const hangLimit = 5 * time.Second

// TooManyRequests is the 429 Telegram answers when a bot sends too fast.
func TooManyRequests(retryAfter int) Failure {
	return Failure{Code: http.StatusTooManyRequests, RetryAfter: retryAfter, Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)}
}

// ServerError is a 5xx from Telegram's side.
func ServerError() Failure {
	return Failure{Code: http.StatusInternalServerError, Description: "Internal Server Error"}
}

// Blocked is the 403 for a user who blocked the bot.
func Blocked() Failure {
	return Failure{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
}

// Commands is one setMyCommands call.
type Commands struct {
	Scope        string // the scope's type: default, all_private_chats, ...
	LanguageCode string
	Commands     []models.BotCommand
}

// Server is the fake. Create it with New.
type Server struct {
	// Bot is what getMe answers.
	Bot models.User

	srv *httptest.Server

	mu       sync.Mutex
	changed  chan struct{} // closed on every change, then replaced
	calls    []Call
	updates  []models.Update
	lastID   int64
	chats    map[int64]models.Chat
	messages map[int64][]*models.Message // by chat, in order
	nextMsg  map[int64]int
	queries  map[string]bool // callback query id -> answered
	queryN   int
	inline   map[string]bool // inline query id -> answered
	failures map[string][]Failure
	blocked  map[int64]bool
	webhook  string
	secret   string
	commands []Commands
	clock    func() time.Time
}

// New starts a fake server that is closed when the test ends.
func New(tb testing.TB) *Server {
	s := &Server{
		Bot: models.User{ID: 987654321, IsBot: true, FirstName: "Dispute Test", Username: "dispute_test_bot",
			SupportInlineQueries: true},
		changed:  make(chan struct{}),
		chats:    map[int64]models.Chat{},
		messages: map[int64][]*models.Message{},
		nextMsg:  map[int64]int{},
		queries:  map[string]bool{},
		inline:   map[string]bool{},
		failures: map[string][]Failure{},
		blocked:  map[int64]bool{},
		clock:    time.Now,
	}
	s.srv = httptest.NewServer(s)
	tb.Cleanup(s.Close)
	return s
}

// URL is the server's base URL, for bot.WithServerURL.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Push queues updates for getUpdates, numbering those without an id, and
// returns their ids.
func (s *Server) Push(us ...models.Update) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, len(us))
	for i, u := range us {
		if u.ID == 0 {
			s.lastID++
			u.ID = s.lastID
		} else if u.ID > s.lastID {
			s.lastID = u.ID
		}
		s.updates = append(s.updates, u)
		ids[i] = u.ID
	}
	s.notify()
	return ids
}

// NextUpdateID reserves an update id, for updates delivered by webhook.
func (s *Server) NextUpdateID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastID++
	return s.lastID
}

// FailNext makes the next calls of method fail, one failure per call.
func (s *Server) FailNext(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], fs...)
}

// Block makes every send to chat fail with 403, as when the user blocked
// the bot; Unblock undoes it.
func (s *Server) Block(chat int64)   { s.setBlocked(chat, true) }
func (s *Server) Unblock(chat int64) { s.setBlocked(chat, false) }

func (s *Server) setBlocked(chat int64, b bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[chat] = b
}

// Calls returns the calls made so far, of the given methods or all.
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filter(methods)
}

func (s *Server) filter(methods []string) []Call {
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || contains(methods, c.Method) {
			out = append(out, c)
		}
	}
	return out
}

// Wait waits until cond holds for the calls made so far, or timeout; it
// reports whether cond held. cond runs with the server locked: it must look
// at calls only, not call the Server's methods.
func (s *Server) Wait(timeout time.Duration, cond func(calls []Call) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok := cond(s.calls)
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

// WaitCalls waits until method has been called n times (successfully or
// not) and returns those calls; it fails the test after 10 seconds.
func (s *Server) WaitCalls(tb testing.TB, method string, n int) []Call {
	tb.Helper()
	if !s.Wait(10*time.Second, func(calls []Call) bool { return count(calls, method) >= n }) {
		tb.Fatalf("timed out waiting for %d %s calls; have %d", n, method, len(s.Calls(method)))
	}
	return s.Calls(method)
}

// Messages returns the chat's messages as they stand now, in order: the
// users' and the bot's, edits applied.
func (s *Server) Messages(chat int64) []models.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]models.Message, len(s.messages[chat]))
	for i, m := range s.messages[chat] {
		out[i] = *m
	}
	return out
}

// Message returns one message of the chat as it stands now.
func (s *Server) Message(chat int64, id int) (models.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.find(chat, id); m != nil {
		return *m, true
	}
	return models.Message{}, false
}

// Webhook returns the registered webhook URL and secret token.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// Commands returns the setMyCommands calls that succeeded.
func (s *Server) Commands() []Commands {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Commands(nil), s.commands...)
}

// notify wakes waiters; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

var pathRE = regexp.MustCompile(`^/bot([^/]+)/([A-Za-z]+)$`)

// ServeHTTP answers Bot API requests at /bot<token>/<method>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := pathRE.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeError(w, http.StatusNotFound, "Not Found", 0)
		return
	}
	if m[1] != Token {
		writeError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	method := canonical(m[2])
	params, files, err := readParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	call := Call{Method: method, Params: params, Files: files, Code: http.StatusOK}

	if method == "getUpdates" {
		s.getUpdates(w, r, call)
		return
	}

	s.mu.Lock()
	if fs := s.failures[method]; len(fs) > 0 {
		f := fs[0]
		s.failures[method] = fs[1:]
		call.Code, call.Description = f.Code, f.Description
		if f.Drop || f.Hang {
			call.Code, call.Description = 0, "connection dropped"
		}
		if f.Applied {
			if _, apiErr := s.apply(method, params, files); apiErr != nil {
				call.Code, call.Description = apiErr.code, apiErr.desc
			}
		}
		s.record(call)
		s.mu.Unlock()
		if f.Hang {
			// Until the client gives up. The bound is a guard: a client
			// whose cancellation the server does not notice (seen once
			// in a full run) must not hold Close, and the test, forever.
			select {
			case <-r.Context().Done():
			case <-time.After(hangLimit):
			}
			return
		}
		if f.Drop {
			drop(w)
			return
		}
		writeFailure(w, f)
		return
	}
	result, apiErr := s.apply(method, params, files)
	if apiErr != nil {
		call.Code, call.Description = apiErr.code, apiErr.desc
	}
	s.record(call)
	s.mu.Unlock()

	if apiErr != nil {
		writeError(w, apiErr.code, apiErr.desc, 0)
		return
	}
	writeResult(w, result)
}

// record appends a call; s.mu must be held.
func (s *Server) record(c Call) {
	s.calls = append(s.calls, c)
	s.notify()
}

// longPoll bounds how long an empty getUpdates waits for an update, short so
// that tests stop quickly, long enough not to spin.
const longPoll = time.Second

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, call Call) {
	offset, _ := strconv.ParseInt(call.Params["offset"], 10, 64)
	limit, _ := strconv.Atoi(call.Params["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	// timeout 0 is a short poll, answered at once, as Telegram does.
	hold := longPoll
	if t, err := strconv.Atoi(call.Params["timeout"]); err == nil && t == 0 {
		hold = 0
	}
	wait := time.NewTimer(hold)
	defer wait.Stop()
	for {
		s.mu.Lock()
		if s.webhook != "" {
			call.Code, call.Description = http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
			s.record(call)
			s.mu.Unlock()
			writeError(w, call.Code, call.Description, 0)
			return
		}
		if fs := s.failures["getUpdates"]; len(fs) > 0 {
			f := fs[0]
			s.failures["getUpdates"] = fs[1:]
			call.Code, call.Description = f.Code, f.Description
			s.record(call)
			s.mu.Unlock()
			writeFailure(w, f)
			return
		}
		// Updates below offset are confirmed: Telegram forgets them.
		kept := s.updates[:0]
		for _, u := range s.updates {
			if u.ID >= offset {
				kept = append(kept, u)
			}
		}
		s.updates = kept
		if n := min(len(s.updates), limit); n > 0 {
			out := append([]models.Update(nil), s.updates[:n]...)
			s.record(call)
			s.mu.Unlock()
			writeResult(w, out)
			return
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-wait.C:
			writeResult(w, []models.Update{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

type apiError struct {
	code int
	desc string
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "Bad Request: " + fmt.Sprintf(format, args...)}
}

// apply performs a method; s.mu must be held.
func (s *Server) apply(method string, p map[string]string, files map[string]File) (any, *apiError) {
	switch method {
	case "getMe":
		return s.Bot, nil
	case "sendMessage":
		return s.sendMessage(p)
	case "editMessageText":
		return s.editMessageText(p)
	case "editMessageReplyMarkup":
		return s.editMessageReplyMarkup(p)
	case "answerCallbackQuery":
		id := p["callback_query_id"]
		answered, known := s.queries[id]
		if !known || answered {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		if utf16Len(p["text"]) > 200 {
			return nil, badRequest("MESSAGE_TOO_LONG")
		}
		s.queries[id] = true
		return true, nil
	case "setMyCommands":
		var cmds []models.BotCommand
		if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
			return nil, badRequest("can't parse commands JSON object")
		}
		for _, c := range cmds {
			if !commandRE.MatchString(c.Command) || c.Description == "" || utf16Len(c.Description) > 256 {
				return nil, badRequest("BOT_COMMAND_INVALID")
			}
		}
		scope := "default"
		if p["scope"] != "" {
			var sc struct{ Type string }
			if err := json.Unmarshal([]byte(p["scope"]), &sc); err != nil {
				return nil, badRequest("can't parse BotCommandScope JSON object")
			}
			scope = sc.Type
		}
		s.commands = append(s.commands, Commands{Scope: scope, LanguageCode: p["language_code"], Commands: cmds})
		return true, nil
	case "setWebhook":
		if !strings.HasPrefix(p["url"], "https://") && !strings.HasPrefix(p["url"], "http://") {
			return nil, badRequest("bad webhook: An HTTPS URL must be provided for webhook")
		}
		s.webhook, s.secret = p["url"], p["secret_token"]
		return true, nil
	case "deleteWebhook":
		s.webhook, s.secret = "", ""
		return true, nil
	case "sendDocument":
		return s.sendDocument(p, files)
	case "answerInlineQuery":
		id := p["inline_query_id"]
		answered, known := s.inline[id]
		if !known || answered {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		if _, err := parseResults(p["results"]); err != nil {
			return nil, err
		}
		if raw := p["button"]; raw != "" {
			if err := checkResultsButton(raw); err != nil {
				return nil, err
			}
		}
		s.inline[id] = true
		return true, nil
	}
	return nil, &apiError{http.StatusNotFound, "Not Found: method not found"}
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// maxUpload is the Bot API's limit on a file a bot uploads.
const maxUpload = 50 << 20

func (s *Server) sendDocument(p map[string]string, files map[string]File) (any, *apiError) {
	chat, err := s.chatParam(p)
	if err != nil {
		return nil, err
	}
	f, ok := files["document"]
	switch {
	case !ok && p["document"] == "":
		return nil, badRequest("there is no document in the request")
	case ok && len(f.Data) == 0:
		return nil, badRequest("file must be non-empty")
	case ok && len(f.Data) > maxUpload:
		return nil, &apiError{http.StatusRequestEntityTooLarge, "Request Entity Too Large"}
	}
	caption, ents := p["caption"], []models.MessageEntity(nil)
	if strings.EqualFold(p["parse_mode"], "HTML") {
		var perr error
		if caption, ents, perr = ParseHTML(caption); perr != nil {
			return nil, badRequest("%v", perr)
		}
	}
	if utf16Len(caption) > 1024 {
		return nil, badRequest("message caption is too long")
	}
	m := s.add(chat, s.Bot, "", nil, nil)
	m.Caption, m.CaptionEntities = caption, ents
	m.Document = &models.Document{FileID: fmt.Sprintf("doc%d", m.ID), FileName: f.Name, FileSize: int64(len(f.Data))}
	return m, nil
}

// InlineResult is one result of an answerInlineQuery call as the API reads
// it: for an article, the message it would post (HTML parsed).
type InlineResult struct {
	Type, ID, Title, Description string
	Text                         string
	Entities                     []models.MessageEntity
	Keyboard                     [][]models.InlineKeyboardButton
}

// Results are the inline results an answerInlineQuery call carried.
func (c Call) Results() []InlineResult {
	rs, _ := parseResults(c.Params["results"])
	return rs
}

// ResultsButton is the button an answerInlineQuery call shows above the
// results: its text and start parameter.
func (c Call) ResultsButton() (text, start string) {
	var b struct {
		Text           string `json:"text"`
		StartParameter string `json:"start_parameter"`
	}
	json.Unmarshal([]byte(c.Params["button"]), &b)
	return b.Text, b.StartParameter
}

var startParamRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// parseResults checks inline results as the API does: at most 50, ids of
// 1-64 bytes and unique, a title, and a message that would post.
func parseResults(raw string) ([]InlineResult, *apiError) {
	var items []struct {
		Type                string          `json:"type"`
		ID                  string          `json:"id"`
		Title               string          `json:"title"`
		Description         string          `json:"description"`
		ReplyMarkup         json.RawMessage `json:"reply_markup"`
		InputMessageContent *struct {
			MessageText string `json:"message_text"`
			ParseMode   string `json:"parse_mode"`
		} `json:"input_message_content"`
	}
	if err := json.Unmarshal([]byte(raw), &items); err != nil {
		return nil, badRequest("can't parse inline query results JSON object")
	}
	if len(items) > 50 {
		return nil, badRequest("RESULTS_TOO_MUCH")
	}
	seen := map[string]bool{}
	var out []InlineResult
	for _, it := range items {
		if it.ID == "" || len(it.ID) > 64 || seen[it.ID] {
			return nil, badRequest("RESULT_ID_INVALID")
		}
		seen[it.ID] = true
		if it.Type != "article" {
			return nil, badRequest("RESULT_TYPE_INVALID")
		}
		if it.Title == "" || it.InputMessageContent == nil {
			return nil, badRequest("can't parse InlineQueryResult: Field \"title\" or \"input_message_content\" must be non-empty")
		}
		p := map[string]string{"text": it.InputMessageContent.MessageText, "parse_mode": it.InputMessageContent.ParseMode}
		if len(it.ReplyMarkup) > 0 && string(it.ReplyMarkup) != "null" {
			p["reply_markup"] = string(it.ReplyMarkup)
		}
		text, ents, kb, err := content(p)
		if err != nil {
			return nil, err
		}
		r := InlineResult{Type: it.Type, ID: it.ID, Title: it.Title, Description: it.Description, Text: text, Entities: ents}
		if kb != nil {
			r.Keyboard = kb.InlineKeyboard
		}
		out = append(out, r)
	}
	return out, nil
}

// checkResultsButton: a text and exactly one of web_app and start_parameter.
func checkResultsButton(raw string) *apiError {
	var b struct {
		Text           string          `json:"text"`
		WebApp         json.RawMessage `json:"web_app"`
		StartParameter *string         `json:"start_parameter"`
	}
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return badRequest("can't parse inline query results button JSON object")
	}
	webApp := len(b.WebApp) > 0 && string(b.WebApp) != "null"
	switch {
	case strings.TrimSpace(b.Text) == "":
		return badRequest("BUTTON_TEXT_INVALID")
	case webApp == (b.StartParameter != nil):
		return badRequest("can't parse inline query results button: InlineQueryResultsButton must have exactly one optional field")
	case b.StartParameter != nil && !startParamRE.MatchString(*b.StartParameter):
		return badRequest("START_PARAM_INVALID")
	}
	return nil
}

func (s *Server) chatParam(p map[string]string) (int64, *apiError) {
	chat, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil || chat == 0 {
		return 0, badRequest("chat not found")
	}
	if s.blocked[chat] {
		return 0, &apiError{http.StatusForbidden, "Forbidden: bot was blocked by the user"}
	}
	return chat, nil
}

// content parses a message's text and keyboard as the API would.
func content(p map[string]string) (string, []models.MessageEntity, *models.InlineKeyboardMarkup, *apiError) {
	text, ents := p["text"], []models.MessageEntity(nil)
	if strings.EqualFold(p["parse_mode"], "HTML") {
		var err error
		if text, ents, err = ParseHTML(text); err != nil {
			return "", nil, nil, badRequest("%v", err)
		}
	}
	if strings.TrimSpace(text) == "" {
		return "", nil, nil, badRequest("message text is empty")
	}
	if utf16Len(text) > 4096 {
		return "", nil, nil, badRequest("message is too long")
	}
	var kb *models.InlineKeyboardMarkup
	if raw := p["reply_markup"]; raw != "" {
		kb = &models.InlineKeyboardMarkup{}
		if err := json.Unmarshal([]byte(raw), kb); err != nil {
			return "", nil, nil, badRequest("can't parse reply keyboard markup JSON object")
		}
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				if strings.TrimSpace(b.Text) == "" {
					return "", nil, nil, badRequest("BUTTON_TEXT_INVALID")
				}
				if len(b.CallbackData) > 64 {
					return "", nil, nil, badRequest("BUTTON_DATA_INVALID")
				}
				// A button does exactly one thing.
				kinds := 0
				for _, set := range []bool{b.URL != "", b.CallbackData != "", b.SwitchInlineQuery != "",
					b.SwitchInlineQueryCurrentChat != "", b.SwitchInlineQueryChosenChat != nil} {
					if set {
						kinds++
					}
				}
				if kinds != 1 {
					return "", nil, nil, badRequest("BUTTON_DATA_INVALID")
				}
			}
		}
		if len(kb.InlineKeyboard) == 0 {
			kb = nil
		}
	}
	return text, ents, kb, nil
}

func (s *Server) sendMessage(p map[string]string) (any, *apiError) {
	chat, err := s.chatParam(p)
	if err != nil {
		return nil, err
	}
	text, ents, kb, err := content(p)
	if err != nil {
		return nil, err
	}
	m := s.add(chat, s.Bot, text, ents, kb)
	return m, nil
}

func (s *Server) target(p map[string]string) (*models.Message, *apiError) {
	chat, err := s.chatParam(p)
	if err != nil {
		return nil, err
	}
	id, _ := strconv.Atoi(p["message_id"])
	m := s.find(chat, id)
	if m == nil {
		return nil, badRequest("message to edit not found")
	}
	if m.From == nil || m.From.ID != s.Bot.ID {
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}

func (s *Server) editMessageText(p map[string]string) (any, *apiError) {
	m, err := s.target(p)
	if err != nil {
		return nil, err
	}
	text, ents, kb, err := content(p)
	if err != nil {
		return nil, err
	}
	if text == m.Text && sameKeyboard(kb, m.ReplyMarkup) && sameEntities(ents, m.Entities) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.Text, m.Entities, m.ReplyMarkup, m.EditDate = text, ents, kb, int(s.clock().Unix())
	return *m, nil
}

func (s *Server) editMessageReplyMarkup(p map[string]string) (any, *apiError) {
	m, err := s.target(p)
	if err != nil {
		return nil, err
	}
	q := map[string]string{"text": "x", "reply_markup": p["reply_markup"]}
	_, _, kb, err := content(q)
	if err != nil {
		return nil, err
	}
	if sameKeyboard(kb, m.ReplyMarkup) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	m.ReplyMarkup, m.EditDate = kb, int(s.clock().Unix())
	return *m, nil
}

// add appends a message to a chat; s.mu must be held.
func (s *Server) add(chat int64, from models.User, text string, ents []models.MessageEntity, kb *models.InlineKeyboardMarkup) *models.Message {
	s.nextMsg[chat]++
	c, ok := s.chats[chat]
	if !ok {
		c = models.Chat{ID: chat, Type: models.ChatTypePrivate}
	}
	m := &models.Message{ID: s.nextMsg[chat], From: &from, Date: int(s.clock().Unix()), Chat: c, Text: text, Entities: ents, ReplyMarkup: kb}
	s.messages[chat] = append(s.messages[chat], m)
	return m
}

// find returns a chat's message by id; s.mu must be held.
func (s *Server) find(chat int64, id int) *models.Message {
	for _, m := range s.messages[chat] {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// readParams reads a request's fields from multipart/form-data (what
// go-telegram/bot sends), a urlencoded form, a query string or JSON.
func readParams(r *http.Request) (map[string]string, map[string]File, error) {
	params := map[string]string{}
	files := map[string]File{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		err := r.ParseMultipartForm(32 << 20)
		if errors.Is(err, io.EOF) {
			// go-telegram/bot sends an empty body for methods without
			// parameters (getMe): no parts at all.
			return params, files, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("can't parse multipart body: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		for k, fhs := range r.MultipartForm.File {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, nil, err
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, err
			}
			files[k] = File{Name: fhs[0].Filename, Data: data}
		}
	case "application/json":
		var obj map[string]json.RawMessage
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, err
		}
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := json.Unmarshal(body, &obj); err != nil {
				return nil, nil, fmt.Errorf("can't parse JSON body: %v", err)
			}
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(raw)
			}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.Form {
			params[k] = v[0]
		}
	}
	return params, files, nil
}

// canonical spells a method as the documentation does; the API ignores case.
func canonical(method string) string {
	for _, m := range []string{"getMe", "getUpdates", "sendMessage", "editMessageText", "editMessageReplyMarkup",
		"answerCallbackQuery", "setMyCommands", "setWebhook", "deleteWebhook", "sendDocument", "answerInlineQuery"} {
		if strings.EqualFold(m, method) {
			return m
		}
	}
	return method
}

func writeResult(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func writeFailure(w http.ResponseWriter, f Failure) {
	if f.Body != "" {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Code)
		io.WriteString(w, f.Body)
		return
	}
	writeError(w, f.Code, f.Description, f.RetryAfter)
}

func writeError(w http.ResponseWriter, code int, desc string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": code, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]int{"retry_after": retryAfter}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

// drop closes the connection without a response.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func keyboard(raw string) [][]models.InlineKeyboardButton {
	if raw == "" {
		return nil
	}
	var kb models.InlineKeyboardMarkup
	if json.Unmarshal([]byte(raw), &kb) != nil {
		return nil
	}
	return kb.InlineKeyboard
}

func sameKeyboard(a, b *models.InlineKeyboardMarkup) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func sameEntities(a, b []models.MessageEntity) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb) || len(a) == 0 && len(b) == 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func count(calls []Call, method string) int {
	n := 0
	for _, c := range calls {
		if c.Method == method {
			n++
		}
	}
	return n
}
