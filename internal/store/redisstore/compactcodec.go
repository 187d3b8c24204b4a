package redisstore

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/disputebot/disputebot/internal/engine"
)

// The compact format written and read by hand: every update loads and
// saves its session, and encoding/json's reflection (and its maps of
// interface values) was about a tenth of the bot's CPU. The writer gives
// json.Marshal's exact bytes; the reader accepts only what the writer
// writes and leaves everything else to encoding/json. The two rarely used
// nested values (a pending proposal, a draft form) still go through
// encoding/json, as do strings that need escaping.

// appendCompact appends json.Marshal(c), field by field in struct order
// with the same omitempty rules.
func appendCompact(b []byte, c compactSession) ([]byte, error) {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, c.Version, 10)
	b = append(b, `,"z":`...)
	b = strconv.AppendInt(b, int64(c.Format), 10)
	b = optString(b, "l", c.Lang)
	b = optString(b, "t", c.Tree)
	b = optInt(b, "tv", int64(c.TreeVersion))
	b = optString(b, "n", c.Node)
	b = optStringMap(b, "f", c.Facts)
	b = optBoolMap(b, "pf", c.Prefilled)
	if len(c.History) > 0 {
		b = append(b, `,"h":[`...)
		for i, f := range c.History {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendFrame(b, f)
		}
		b = append(b, ']')
	}
	b = append(b, `,"s":`...)
	b = strconv.AppendInt(b, c.Seq, 10)
	b = optString(b, "at", c.At)
	b = optString(b, "r", c.Recent)
	if len(c.RecentList) > 0 {
		b = append(b, `,"rl":`...)
		b = appendStrings(b, c.RecentList)
	}
	b = optBoolMap(b, "e", c.Evidence)
	var err error
	if c.Pending != nil {
		b = append(b, `,"p":`...)
		if b, err = appendJSON(b, c.Pending); err != nil {
			return nil, err
		}
	}
	b = optString(b, "sh", c.Share)
	b = optString(b, "pr", c.Pressed)
	if c.Form != nil {
		b = append(b, `,"fm":`...)
		if b, err = appendJSON(b, c.Form); err != nil {
			return nil, err
		}
	}
	b = optInt(b, "c", c.Created)
	b = optInt(b, "u", c.Updated)
	b = optInt(b, "ps", c.Personal)
	return append(b, '}'), nil
}

func appendFrame(b []byte, f compactFrame) []byte {
	b = append(b, '{')
	if f.Tree != "" {
		b = append(b, `"t":`...)
		b = appendString(b, f.Tree)
		b = append(b, ',')
	}
	if f.TreeVersion != 0 {
		b = append(b, `"tv":`...)
		b = strconv.AppendInt(b, int64(f.TreeVersion), 10)
		b = append(b, ',')
	}
	b = append(b, `"n":`...)
	b = appendString(b, f.Node)
	b = optString(b, "a", f.Answer)
	if len(f.Drop) > 0 {
		b = append(b, `,"d":`...)
		b = appendStrings(b, f.Drop)
	}
	b = optStringMap(b, "f", f.Set)
	return append(b, '}')
}

// optString and the other opt* append ,"key":value unless the value is
// empty (omitempty); every key follows another field.
func optString(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = appendKey(b, key)
	return appendString(b, v)
}

func optInt(b []byte, key string, v int64) []byte {
	if v == 0 {
		return b
	}
	b = appendKey(b, key)
	return strconv.AppendInt(b, v, 10)
}

func optStringMap(b []byte, key string, m map[string]string) []byte {
	if len(m) == 0 {
		return b
	}
	b = appendKey(b, key)
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

func optBoolMap(b []byte, key string, m map[string]bool) []byte {
	if len(m) == 0 {
		return b
	}
	b = appendKey(b, key)
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = strconv.AppendBool(append(b, ':'), m[k])
	}
	return append(b, '}')
}

// sortedKeys: encoding/json writes map keys in byte order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendString writes s quoted; a string encoding/json would escape
// (quotes, backslashes, control characters, <, >, &, U+2028, U+2029,
// invalid UTF-8) is left to it.
func appendString(b []byte, s string) []byte {
	if !plainString(s) {
		q, _ := json.Marshal(s) // a string always marshals
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainString reports a string that stands in JSON as it is.
func plainString(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += w
	}
	return true
}

func appendJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}

// reader is a strict cursor over what appendCompact writes. Any surprise
// sets bad, and the caller falls back to encoding/json.
type reader struct {
	data []byte
	i    int
	bad  bool
}

// readCompact reads a compact session as json.Unmarshal would, or
// reports false when the blob is not in the writer's own shape.
func readCompact(data []byte) (compactSession, bool) {
	r := &reader{data: data}
	var c compactSession
	r.fields(func(key string) {
		switch key {
		case "v":
			c.Version = r.int()
		case "z":
			c.Format = int(r.int())
		case "l":
			c.Lang = r.string()
		case "t":
			c.Tree = r.string()
		case "tv":
			c.TreeVersion = int(r.int())
		case "n":
			c.Node = r.string()
		case "f":
			c.Facts = r.stringMap()
		case "pf":
			c.Prefilled = r.boolMap()
		case "h":
			c.History = []compactFrame{}
			r.array(func() { c.History = append(c.History, r.frame()) })
		case "s":
			c.Seq = r.int()
		case "at":
			c.At = r.string()
		case "r":
			c.Recent = r.string()
		case "rl":
			c.RecentList = r.strings()
		case "e":
			c.Evidence = r.boolMap()
		case "p":
			c.Pending = new(engine.Proposal)
			r.value(c.Pending)
		case "sh":
			c.Share = r.string()
		case "pr":
			c.Pressed = r.string()
		case "fm":
			c.Form = new(engine.Form)
			r.value(c.Form)
		case "c":
			c.Created = r.int()
		case "u":
			c.Updated = r.int()
		case "ps":
			c.Personal = r.int()
		default:
			r.bad = true
		}
	})
	if r.i != len(data) {
		r.bad = true
	}
	return c, !r.bad
}

// keyIndex numbers keys for the repeat check.
func keyIndex(key string) int {
	const keys = ",v,z,l,t,tv,n,f,pf,h,s,at,r,rl,e,p,sh,pr,fm,c,u,ps,a,d,"
	for i, n := 1, 0; i < len(keys); n++ {
		j := i
		for keys[j] != ',' {
			j++
		}
		if keys[i:j] == key {
			return n
		}
		i = j + 1
	}
	return 63
}

func (r *reader) frame() compactFrame {
	var f compactFrame
	r.fields(func(key string) {
		switch key {
		case "t":
			f.Tree = r.string()
		case "tv":
			f.TreeVersion = int(r.int())
		case "n":
			f.Node = r.string()
		case "a":
			f.Answer = r.string()
		case "d":
			f.Drop = r.strings()
		case "f":
			f.Set = r.stringMap()
		default:
			r.bad = true
		}
	})
	return f
}

func (r *reader) expect(c byte) bool {
	if r.bad || r.i >= len(r.data) || r.data[r.i] != c {
		r.bad = true
		return false
	}
	r.i++
	return true
}

func (r *reader) peek(c byte) bool {
	return !r.bad && r.i < len(r.data) && r.data[r.i] == c
}

// object calls field for each key, with the cursor on its value.
// fields reads an object of the writer's keys. A key repeated (which
// encoding/json resolves by keeping the last) is a surprise.
func (r *reader) fields(field func(key string)) {
	var seen uint64
	r.object(func(key string) {
		n := keyIndex(key)
		if n >= 64 || seen&(1<<n) != 0 {
			r.bad = true
			return
		}
		seen |= 1 << n
		field(key)
	})
}

func (r *reader) object(field func(key string)) {
	if !r.expect('{') {
		return
	}
	if r.peek('}') {
		r.i++
		return
	}
	for !r.bad {
		key := r.string()
		if !r.expect(':') {
			return
		}
		field(key)
		if r.peek(',') {
			r.i++
			continue
		}
		r.expect('}')
		return
	}
}

func (r *reader) array(elem func()) {
	if !r.expect('[') {
		return
	}
	if r.peek(']') {
		r.i++
		return
	}
	for !r.bad {
		elem()
		if r.peek(',') {
			r.i++
			continue
		}
		r.expect(']')
		return
	}
}

// string reads a string without escapes, valid UTF-8; anything else is
// left to encoding/json.
func (r *reader) string() string {
	if !r.expect('"') {
		return ""
	}
	start := r.i
	for r.i < len(r.data) {
		c := r.data[r.i]
		switch {
		case c == '"':
			s := r.data[start:r.i]
			r.i++
			if !utf8.Valid(s) {
				r.bad = true
				return ""
			}
			return string(s)
		case c == '\\' || c < 0x20:
			r.bad = true
			return ""
		}
		r.i++
	}
	r.bad = true
	return ""
}

// int reads an integer as encoding/json reads one into an int64 (and the
// ints here, which hold what an int64 can on the 64-bit builds).
func (r *reader) int() int64 {
	start := r.i
	if r.peek('-') {
		r.i++
	}
	digits := r.i
	for r.i < len(r.data) && '0' <= r.data[r.i] && r.data[r.i] <= '9' {
		r.i++
	}
	if r.bad {
		return 0
	}
	n, err := strconv.ParseInt(string(r.data[start:r.i]), 10, 64)
	if err != nil || r.i < len(r.data) && (r.data[r.i] == '.' || r.data[r.i] == 'e' || r.data[r.i] == 'E') ||
		r.i-digits > 1 && r.data[digits] == '0' {
		r.bad = true
		return 0
	}
	return n
}

func (r *reader) strings() []string {
	out := []string{}
	r.array(func() { out = append(out, r.string()) })
	return out
}

func (r *reader) stringMap() map[string]string {
	m := map[string]string{}
	r.object(func(key string) { m[key] = r.string() })
	return m
}

func (r *reader) boolMap() map[string]bool {
	m := map[string]bool{}
	r.object(func(key string) {
		switch {
		case r.literal("true"):
			m[key] = true
		case r.literal("false"):
			m[key] = false
		default:
			r.bad = true
		}
	})
	return m
}

func (r *reader) literal(word string) bool {
	if !r.bad && len(r.data)-r.i >= len(word) && string(r.data[r.i:r.i+len(word)]) == word {
		r.i += len(word)
		return true
	}
	return false
}

// value reads one nested object with encoding/json: the object runs to
// its matching brace (strings skipped whole).
func (r *reader) value(v any) {
	if !r.peek('{') {
		r.bad = true
		return
	}
	start, depth := r.i, 0
	for ; r.i < len(r.data); r.i++ {
		switch r.data[r.i] {
		case '"':
			for r.i++; r.i < len(r.data) && r.data[r.i] != '"'; r.i++ {
				if r.data[r.i] == '\\' {
					r.i++
				}
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				r.i++
				if err := json.Unmarshal(r.data[start:r.i], v); err != nil {
					r.bad = true
				}
				return
			}
		}
	}
	r.bad = true
}
