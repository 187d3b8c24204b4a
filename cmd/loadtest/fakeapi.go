package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeAPI is a lean Bot API server on loopback: enough of the wire format
// for disputebot serve in long-polling mode, with each chat's messages
// handed to its simulated user. It keeps no history and reads only the
// few fields the users check: it shares the machine with the bot, so every
// microsecond it spends per call is one the bot does not get. For the
// same reason it speaks HTTP/1.1 itself (http1.go) rather than through
// net/http's server.
type fakeAPI struct {
	token string
	ln    net.Listener
	// done is closed by close: long polls return, connections end.
	done  chan struct{}
	conns sync.Map // net.Conn -> struct{}, to close them

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
	// bad counts requests that could not be read (errors); badSample
	// says why the first one could not.
	bad       atomic.Int64
	badSample atomic.Value // string
}

func (f *fakeAPI) misread(why string) {
	if f.bad.Add(1) == 1 {
		f.badSample.Store(why)
	}
}

// queued is an update, encoded once: `{"update_id":<id>` + rest.
type queued struct {
	id   int64
	rest []byte
}

func newFakeAPI(token string) (*fakeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeAPI{token: token, ln: ln, done: make(chan struct{}), notify: make(chan struct{})}
	go f.accept()
	return f, nil
}

func (f *fakeAPI) url() string { return "http://" + f.ln.Addr().String() }

func (f *fakeAPI) close() {
	select {
	case <-f.done:
		return
	default:
	}
	close(f.done)
	f.ln.Close()
	f.conns.Range(func(c, _ any) bool {
		c.(net.Conn).Close()
		return true
	})
}

// push queues an update whose encoding after its id is rest (starting with
// a comma); it returns the id. Only the id is assigned under the lock: the
// users encode their updates in parallel.
func (f *fakeAPI) push(rest []byte) int64 {
	f.mu.Lock()
	f.lastID++
	id := f.lastID
	f.queue = append(f.queue, queued{id: id, rest: rest})
	close(f.notify)
	f.notify = make(chan struct{})
	f.mu.Unlock()
	return id
}

// params are the request fields the fake API reads; the rest are ignored.
type params struct {
	chatID  int64
	msgID   int
	text    string
	markup  []byte // reply_markup as JSON, nil if none
	queryID string
	offset  int64
	timeout int
}

// set stores one field given as text (a form value, or a JSON scalar
// without its quotes).
func (p *params) set(name []byte, v []byte) {
	switch string(name) { // no copy: the compiler compares the bytes
	case "chat_id":
		p.chatID, _ = strconv.ParseInt(string(v), 10, 64)
	case "message_id":
		p.msgID, _ = strconv.Atoi(string(v))
	case "text":
		p.text = string(v)
	case "reply_markup":
		p.markup = bytes.Clone(v)
	case "callback_query_id":
		p.queryID = string(v)
	case "offset":
		p.offset, _ = strconv.ParseInt(string(v), 10, 64)
	case "timeout":
		p.timeout, _ = strconv.Atoi(string(v))
	}
}

var errNoBoundary = errors.New("multipart: no boundary")

// answer serves one request to target (its path and query), appending
// the response's JSON to out.
func (f *fakeAPI) answer(target, contentType string, body, out []byte) (status int, _ []byte) {
	path, query, _ := strings.Cut(target, "?")
	method, ok := strings.CutPrefix(path, "/bot"+f.token+"/")
	if !ok {
		return 404, append(out, `{"ok":false,"error_code":404,"description":"Not Found"}`...)
	}
	var p params
	err := p.parse(contentType, body)
	if err == nil && query != "" {
		err = p.parseForm([]byte(query))
	}
	if err != nil {
		f.misread(target + ": " + err.Error())
		d, _ := json.Marshal("Bad Request: " + err.Error())
		return 400, append(append(append(out, `{"ok":false,"error_code":400,"description":`...), d...), '}')
	}
	if method == "getUpdates" {
		f.polls.Add(1)
		return 200, f.getUpdates(out, p.offset, p.timeout)
	}
	f.calls.Add(1)
	switch method {
	case "getMe":
		return 200, append(out, `{"ok":true,"result":{"id":1000001,"is_bot":true,"first_name":"Load","username":"load_test_bot","supports_inline_queries":true}}`...)
	case "sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery":
		chat := p.chatID
		c := call{method: method, at: time.Now(), text: p.text, markup: p.markup}
		if method == "answerCallbackQuery" {
			c.query = p.queryID
			// Query ids are "q<chat>_<n>" (user.tap).
			id, _, _ := strings.Cut(strings.TrimPrefix(c.query, "q"), "_")
			chat, _ = strconv.ParseInt(id, 10, 64)
		}
		if method != "sendMessage" {
			c.msgID = p.msgID
		} else {
			c.msgID = int(f.nextMsg.Add(1))
		}
		if u, ok := f.users.Load(chat); ok {
			u.(*user).deliver(chat, c)
		} else {
			f.unknown.Add(1)
		}
		if method == "answerCallbackQuery" {
			return 200, append(out, `{"ok":true,"result":true}`...)
		}
		out = append(out, `{"ok":true,"result":{"message_id":`...)
		out = strconv.AppendInt(out, int64(c.msgID), 10)
		out = append(out, `,"date":`...)
		out = strconv.AppendInt(out, c.at.Unix(), 10)
		out = append(out, `,"chat":{"id":`...)
		out = strconv.AppendInt(out, chat, 10)
		return 200, append(out, `,"type":"private"}}}`...)
	default: // setMyCommands, deleteWebhook, ...
		return 200, append(out, `{"ok":true,"result":true}`...)
	}
}

// parse reads the fields from a body of the given Content-Type: a
// multipart form (what go-telegram/bot sends), JSON (what the Bot API also
// takes, and the bot may send), or a urlencoded form.
func (p *params) parse(contentType string, body []byte) error {
	ct, rest, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(ct)) {
	case "multipart/form-data":
		return p.parseMultipart(rest, body)
	case "application/json":
		return p.parseJSON(body)
	default:
		return p.parseForm(body)
	}
}

// parseMultipart reads a multipart/form-data body of plain fields by hand:
// mime/multipart builds a header map and a reader per part and took a
// quarter of the tool's CPU. Files (parts with a filename) are not read.
func (p *params) parseMultipart(ctParams string, body []byte) error {
	var boundary string
	for _, kv := range strings.Split(ctParams, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if strings.EqualFold(k, "boundary") {
			boundary = strings.Trim(v, `"`)
		}
	}
	if boundary == "" {
		return errNoBoundary
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil // go-telegram/bot sends no parts at all for getMe
	}
	delim := []byte("--" + boundary)
	i := bytes.Index(body, delim)
	if i < 0 {
		return errors.New("multipart: no first boundary")
	}
	body = body[i+len(delim):]
	next := []byte("\r\n--" + boundary)
	for {
		if bytes.HasPrefix(body, []byte("--")) {
			return nil // the closing boundary
		}
		body, _ = bytes.CutPrefix(body, []byte("\r\n"))
		head, rest, ok := bytes.Cut(body, []byte("\r\n\r\n"))
		if !ok {
			return errors.New("multipart: part without a header end")
		}
		end := bytes.Index(rest, next)
		if end < 0 {
			return errors.New("multipart: part without a boundary after it")
		}
		if name, file := partName(head); !file {
			p.set(name, rest[:end])
		}
		body = rest[end+len(next):]
	}
}

// partName is the name in a part's Content-Disposition, and whether the
// part is a file. It slices head rather than splitting it: this runs for
// every field of every call.
func partName(head []byte) (name []byte, file bool) {
	for len(head) > 0 {
		var line []byte
		line, head, _ = bytes.Cut(head, []byte("\r\n"))
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok || !bytes.EqualFold(bytes.TrimSpace(k), []byte("Content-Disposition")) {
			continue
		}
		_, v, _ = bytes.Cut(v, []byte(";")) // past "form-data"
		for len(v) > 0 {
			var param []byte
			param, v, _ = bytes.Cut(v, []byte(";"))
			pk, pv, _ := bytes.Cut(bytes.TrimSpace(param), []byte("="))
			pv = bytes.Trim(pv, `"`)
			switch {
			case bytes.EqualFold(pk, []byte("name")):
				name = pv
			case bytes.EqualFold(pk, []byte("filename")):
				file = true
			}
		}
	}
	return name, file
}

// jsonParams are the fields of a JSON body; a struct of only these, so
// the decoder skips everything else without building values for it.
type jsonParams struct {
	ChatID          json.RawMessage `json:"chat_id"` // number or string
	MessageID       json.RawMessage `json:"message_id"`
	Text            *string         `json:"text"`
	ReplyMarkup     json.RawMessage `json:"reply_markup"` // object, or the object as a string
	CallbackQueryID *string         `json:"callback_query_id"`
	Offset          json.RawMessage `json:"offset"`
	Timeout         json.RawMessage `json:"timeout"`
}

func (p *params) parseJSON(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var j jsonParams
	if err := json.Unmarshal(body, &j); err != nil {
		return err
	}
	scalar := func(name string, raw json.RawMessage) {
		if len(raw) == 0 || string(raw) == "null" {
			return
		}
		if raw[0] == '"' {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				p.set([]byte(name), []byte(s))
			}
			return
		}
		p.set([]byte(name), raw)
	}
	scalar("chat_id", j.ChatID)
	scalar("message_id", j.MessageID)
	scalar("offset", j.Offset)
	scalar("timeout", j.Timeout)
	// reply_markup may come as the object or, as in a form, as a string
	// holding it: scalar unquotes the latter.
	scalar("reply_markup", j.ReplyMarkup)
	if j.Text != nil {
		p.text = *j.Text
	}
	if j.CallbackQueryID != nil {
		p.queryID = *j.CallbackQueryID
	}
	return nil
}

func (p *params) parseForm(body []byte) error {
	if len(body) == 0 {
		return nil
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return err
	}
	for k, v := range vals {
		p.set([]byte(k), []byte(v[0]))
	}
	return nil
}

// getUpdates answers a long poll, appending to out: the updates from
// offset on, at most 100, waiting up to timeout seconds for one.
func (f *fakeAPI) getUpdates(out []byte, off int64, secs int) []byte {
	var deadline <-chan time.Time
	if secs > 0 {
		t := time.NewTimer(time.Duration(secs) * time.Second)
		defer t.Stop()
		deadline = t.C
	} else {
		closed := make(chan time.Time)
		close(closed)
		deadline = closed
	}
	for {
		f.mu.Lock()
		i := 0
		for i < len(f.queue) && f.queue[i].id < off {
			i++
		}
		if i > 0 {
			// Shift in place: the backing array is reused, not regrown.
			f.queue = f.queue[:copy(f.queue, f.queue[i:])]
		}
		n := min(len(f.queue), 100)
		if n > 0 {
			out = append(out, `{"ok":true,"result":[`...)
			for j, q := range f.queue[:n] {
				if j > 0 {
					out = append(out, ',')
				}
				out = append(out, `{"update_id":`...)
				out = strconv.AppendInt(out, q.id, 10)
				out = append(out, q.rest...)
			}
			out = append(out, "]}"...)
		}
		ch := f.notify
		f.mu.Unlock()
		if n > 0 {
			return out
		}
		select {
		case <-ch:
		case <-deadline:
			return append(out, `{"ok":true,"result":[]}`...)
		case <-f.done:
			return append(out, `{"ok":true,"result":[]}`...)
		}
	}
}

// call is one Bot API call to a user's chat.
type call struct {
	method string
	at     time.Time
	msgID  int
	text   string
	markup []byte
	query  string
	// kb and kbErr are a sendMessage's keyboard (user.deliver).
	kb    []string
	kbErr error
}
