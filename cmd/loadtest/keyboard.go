package main

import (
	"encoding/json"
	"errors"
)

// The users look only at the callback data of a reply's buttons, on every
// sendMessage. Decoding reply_markup with encoding/json (reflection, a
// string for every button's text) was the users' largest cost; this reads
// it in one pass and keeps nothing but the callback data. The keyboard's
// rows do not matter to any check, so the buttons come flat, in order.

var errMarkup = errors.New("reply_markup: not the JSON of an inline keyboard")

// keyboard returns the callback data of an inline keyboard's buttons, ""
// for a button without any (a URL button, say); nil if there is none.
func keyboard(markup []byte) ([]string, error) {
	if len(markup) == 0 {
		return nil, nil
	}
	s := scanner{b: markup}
	var out []string
	err := s.object(func(key []byte) error {
		if string(key) != "inline_keyboard" {
			return s.skip()
		}
		return s.array(func() error {
			return s.array(func() error {
				data := ""
				err := s.object(func(key []byte) error {
					if string(key) != "callback_data" {
						return s.skip()
					}
					v, err := s.str()
					data = string(v)
					return err
				})
				out = append(out, data)
				return err
			})
		})
	})
	if err == nil && s.ws() < len(s.b) {
		err = errMarkup
	}
	return out, err
}

// scanner is a JSON reader over b from i: just what keyboard needs.
type scanner struct {
	b []byte
	i int
}

// ws skips white space and returns the position of the next byte.
func (s *scanner) ws() int {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return s.i
		}
	}
	return s.i
}

func (s *scanner) peek() byte {
	if s.ws() == len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return errMarkup
	}
	s.i++
	return nil
}

// object reads an object, calling member for each key with the scanner
// at its value, which member must read.
func (s *scanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errMarkup
		}
	}
}

// array reads an array, calling elem with the scanner at each element,
// which elem must read.
func (s *scanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errMarkup
		}
	}
}

// str reads a string. Without escapes it is a slice of b; with them,
// encoding/json decodes it (rare: callback data and keys are ASCII).
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	escaped := false
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			if !escaped {
				return s.b[start : s.i-1], nil
			}
			var v string
			if err := json.Unmarshal(s.b[start-1:s.i], &v); err != nil {
				return nil, errMarkup
			}
			return []byte(v), nil
		case c == '\\':
			escaped = true
			s.i += 2
		case c < 0x20:
			return nil, errMarkup
		default:
			s.i++
		}
	}
	return nil, errMarkup
}

// skip reads any value.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, err := s.str()
		return err
	case c == '{':
		return s.object(func([]byte) error { return s.skip() })
	case c == '[':
		return s.array(s.skip)
	case c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f' || c == 'n':
		// A number or literal: up to the next delimiter. The bot wrote
		// it with encoding/json, so it is well formed.
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return nil
			}
			s.i++
		}
		return nil
	default:
		return errMarkup
	}
}
