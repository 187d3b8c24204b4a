package main

import (
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeAPI is a lean Bot API server on loopback: enough of the wire format
// for disputebot serve in long-polling mode, with each chat's messages
// handed to its simulated user. It keeps no history: it must not be what
// limits the run.
type fakeAPI struct {
	token string
	srv   *http.Server
	ln    net.Listener

	mu      sync.Mutex
	queue   []queued
	notify  chan struct{} // closed when updates are queued, then replaced
	lastID  int64
	nextMsg atomic.Int64

	users sync.Map // chat id -> *user
	calls atomic.Int64
	polls atomic.Int64
	// unknown counts calls to chats no user holds (errors).
	unknown atomic.Int64
}

type queued struct {
	id   int64
	json []byte
}

func newFakeAPI(token string) (*fakeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeAPI{token: token, ln: ln, notify: make(chan struct{})}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go f.srv.Serve(ln)
	return f, nil
}

func (f *fakeAPI) url() string { return "http://" + f.ln.Addr().String() }

func (f *fakeAPI) close() { f.srv.Close() }

// push queues an update built by build with its id; it returns the id.
func (f *fakeAPI) push(build func(id int64) []byte) int64 {
	f.mu.Lock()
	f.lastID++
	id := f.lastID
	f.queue = append(f.queue, queued{id: id, json: build(id)})
	close(f.notify)
	f.notify = make(chan struct{})
	f.mu.Unlock()
	return id
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	prefix := "/bot" + f.token + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		http.Error(w, `{"ok":false,"error_code":404,"description":"Not Found"}`, http.StatusNotFound)
		return
	}
	method := r.URL.Path[len(prefix):]
	form := readForm(r)
	w.Header().Set("Content-Type", "application/json")
	if method == "getUpdates" {
		f.polls.Add(1)
		f.getUpdates(w, r, form.Get("offset"), form.Get("timeout"))
		return
	}
	f.calls.Add(1)
	switch method {
	case "getMe":
		w.Write([]byte(`{"ok":true,"result":{"id":1000001,"is_bot":true,"first_name":"Load","username":"load_test_bot","supports_inline_queries":true}}`))
	case "sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery":
		chat, _ := strconv.ParseInt(form.Get("chat_id"), 10, 64)
		c := call{method: method, at: time.Now(), text: form.Get("text"), markup: form.Get("reply_markup")}
		if method == "answerCallbackQuery" {
			c.query = form.Get("callback_query_id")
			// Query ids are "q<chat>_<n>" (user.tap).
			id, _, _ := strings.Cut(strings.TrimPrefix(c.query, "q"), "_")
			chat, _ = strconv.ParseInt(id, 10, 64)
		}
		if method != "sendMessage" {
			c.msgID, _ = strconv.Atoi(form.Get("message_id"))
		} else {
			c.msgID = int(f.nextMsg.Add(1))
		}
		if u, ok := f.users.Load(chat); ok {
			u.(*user).deliver(c)
		} else {
			f.unknown.Add(1)
		}
		if method == "answerCallbackQuery" {
			w.Write([]byte(`{"ok":true,"result":true}`))
			return
		}
		w.Write([]byte(`{"ok":true,"result":{"message_id":` + strconv.Itoa(c.msgID) + `,"date":` + strconv.FormatInt(time.Now().Unix(), 10) +
			`,"chat":{"id":` + strconv.FormatInt(chat, 10) + `,"type":"private"}}}`))
	default: // setMyCommands, deleteWebhook, ...
		w.Write([]byte(`{"ok":true,"result":true}`))
	}
}

// readForm reads a request's fields: from a JSON body (the bot's hot
// calls), or multipart/form-data (what go-telegram/bot sends for the
// rest), a urlencoded form or the query. JSON strings are unquoted; other
// values (reply_markup) are kept as JSON, as a form field holds them.
func readForm(r *http.Request) url.Values {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		form := url.Values{}
		var obj map[string]json.RawMessage
		if json.NewDecoder(r.Body).Decode(&obj) != nil {
			return form
		}
		for k, raw := range obj {
			var s string
			if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
				form.Set(k, s)
			} else {
				form.Set(k, string(raw))
			}
		}
		return form
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && r.Form == nil {
		_ = r.ParseForm()
	}
	form := r.Form
	if r.MultipartForm != nil {
		for k, v := range r.MultipartForm.Value {
			form[k] = v
		}
	}
	return form
}

// getUpdates answers a long poll: the updates from offset on, at most 100,
// waiting up to timeout seconds for one.
func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request, offset, timeout string) {
	off, _ := strconv.ParseInt(offset, 10, 64)
	secs, _ := strconv.Atoi(timeout)
	deadline := time.NewTimer(time.Duration(secs) * time.Second)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		i := 0
		for i < len(f.queue) && f.queue[i].id < off {
			i++
		}
		if i > 0 {
			f.queue = append(f.queue[:0:0], f.queue[i:]...)
		}
		n := min(len(f.queue), 100)
		var out []byte
		if n > 0 {
			out = append(out, `{"ok":true,"result":[`...)
			for j := 0; j < n; j++ {
				if j > 0 {
					out = append(out, ',')
				}
				out = append(out, f.queue[j].json...)
			}
			out = append(out, "]}"...)
		}
		ch := f.notify
		f.mu.Unlock()
		if n > 0 {
			w.Write(out)
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			w.Write([]byte(`{"ok":true,"result":[]}`))
			return
		case <-r.Context().Done():
			return
		}
	}
}

// call is one Bot API call to a user's chat.
type call struct {
	method string
	at     time.Time
	msgID  int
	text   string
	markup string
	query  string
}

type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

func (c call) keyboard() [][]button {
	if c.markup == "" {
		return nil
	}
	var m struct {
		InlineKeyboard [][]button `json:"inline_keyboard"`
	}
	_ = json.Unmarshal([]byte(c.markup), &m)
	return m.InlineKeyboard
}
