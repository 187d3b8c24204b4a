package redisstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

// A session is stored compactly (format 2), as a JSON object whose first
// field is still the version, which the compare-and-set script reads:
//
//	{"v":8,"z":2,"l":"zh","t":"food_safety","tv":1,"n":"price",
//	 "f":{...},"h":[{"n":"what"},{"n":"where","a":"shop","d":["place"]}],
//	 "s":42,"r":"925,930","c":1764750000123456789,"u":...}
//
// It differs from engine.Session's own JSON (format 1, what sessions were
// stored as before, still read) in three ways:
//   - a history frame's facts (the facts before that answer) are stored as
//     the difference from the facts after it, that is from the next
//     frame's, or the session's for the last frame: "d" lists the keys
//     the answer added, "f" the values it changed. Answers mostly add a
//     fact or two, so a frame costs a few bytes instead of a copy of every
//     fact so far, which grew with the square of the number of answers;
//   - a frame's tree and version are left out when they are the session's;
//   - times are Unix nanoseconds, and recent event ids one comma-separated
//     string (a list if an id holds a comma).
//
// A 7-answer consultation takes about 500 bytes instead of 1,300.
const compactFormat = 2

// compactSession is the stored form, field by field engine.Session's.
// A new field goes here (with a short tag), in toCompact and fromCompact,
// and in the hand-written codec (appendCompact, readCompact in
// compactcodec.go); TestCodecCoversEveryField fails until it is in all.
type compactSession struct {
	Version     int64             `json:"v"`
	Format      int               `json:"z"`
	Lang        string            `json:"l,omitempty"`
	Tree        string            `json:"t,omitempty"`
	TreeVersion int               `json:"tv,omitempty"`
	Node        string            `json:"n,omitempty"`
	Facts       map[string]string `json:"f,omitempty"`
	Prefilled   map[string]bool   `json:"pf,omitempty"`
	History     []compactFrame    `json:"h,omitempty"`
	Seq         int64             `json:"s"`
	At          string            `json:"at,omitempty"`
	Recent      string            `json:"r,omitempty"`
	RecentList  []string          `json:"rl,omitempty"`
	Evidence    map[string]bool   `json:"e,omitempty"`
	Pending     *engine.Proposal  `json:"p,omitempty"`
	Share       string            `json:"sh,omitempty"`
	Pressed     string            `json:"pr,omitempty"`
	Form        *engine.Form      `json:"fm,omitempty"`
	Created     int64             `json:"c,omitempty"`
	Updated     int64             `json:"u,omitempty"`
	Personal    int64             `json:"ps,omitempty"`
}

type compactFrame struct {
	// Tree is empty when the frame is in the session's tree and version.
	Tree        string `json:"t,omitempty"`
	TreeVersion int    `json:"tv,omitempty"`
	Node        string `json:"n"`
	Answer      string `json:"a,omitempty"`
	// Drop and Set turn the facts after this answer into those before it.
	Drop []string          `json:"d,omitempty"`
	Set  map[string]string `json:"f,omitempty"`
}

// encode writes s in the compact format. The bytes are exactly
// json.Marshal's of the compactSession (encodeReflect, which the tests
// compare against); appendCompact writes them without reflection.
func encode(s engine.Session) ([]byte, error) {
	return appendCompact(make([]byte, 0, 512), toCompact(s))
}

// encodeReflect is encode through encoding/json.
func encodeReflect(s engine.Session) ([]byte, error) {
	return json.Marshal(toCompact(s))
}

// toCompact is s as stored: history facts as differences, times as
// nanoseconds.
func toCompact(s engine.Session) compactSession {
	c := compactSession{
		Version: s.Version, Format: compactFormat, Lang: s.Lang, Tree: s.Tree, TreeVersion: s.TreeVersion,
		Node: s.Node, Facts: s.Facts, Prefilled: s.Prefilled, Seq: s.Seq, At: s.At, Evidence: s.Evidence,
		Pending: s.Pending, Share: s.Share, Pressed: s.Pressed, Form: s.Form, Created: unixNano(s.Created), Updated: unixNano(s.Updated),
		Personal: unixNano(s.PersonalSince),
	}
	if len(s.Recent) > 0 {
		joined := strings.Join(s.Recent, ",")
		if strings.Count(joined, ",") == len(s.Recent)-1 && !strings.Contains(joined, ",,") && !containsEmpty(s.Recent) {
			c.Recent = joined
		} else {
			c.RecentList = s.Recent
		}
	}
	if len(s.History) > 0 {
		c.History = make([]compactFrame, len(s.History))
		after := s.Facts
		for i := len(s.History) - 1; i >= 0; i-- {
			f := s.History[i]
			cf := compactFrame{Node: f.Node, Answer: f.Answer}
			if f.Tree != s.Tree || f.TreeVersion != s.TreeVersion || f.Tree == "" {
				cf.Tree, cf.TreeVersion = f.Tree, f.TreeVersion
				if cf.Tree == "" {
					// An empty tree cannot be told from "the session's":
					// spell it out with a marker no tree id has.
					cf.Tree = noTree
				}
			}
			for k := range after {
				if _, ok := f.Facts[k]; !ok {
					cf.Drop = append(cf.Drop, k)
				}
			}
			for k, v := range f.Facts {
				if av, ok := after[k]; !ok || av != v {
					if cf.Set == nil {
						cf.Set = map[string]string{}
					}
					cf.Set[k] = v
				}
			}
			c.History[i] = cf
			after = f.Facts
		}
	}
	return c
}

// noTree marks a frame without a tree.
const noTree = "-"

func containsEmpty(ss []string) bool {
	for _, s := range ss {
		if s == "" {
			return true
		}
	}
	return false
}

// formatOf reads the format from the start encode writes, {"v":N,"z":F;
// anything else is format 1.
func formatOf(data []byte) int {
	rest, ok := bytes.CutPrefix(data, []byte(`{"v":`))
	if !ok {
		return 1
	}
	i := 0
	for i < len(rest) && '0' <= rest[i] && rest[i] <= '9' {
		i++
	}
	rest, ok = bytes.CutPrefix(rest[i:], []byte(`,"z":`))
	if !ok {
		return 1
	}
	f := 0
	for i = 0; i < len(rest) && '0' <= rest[i] && rest[i] <= '9' && f < 1000; i++ {
		f = f*10 + int(rest[i]-'0')
	}
	return f
}

func decode(data []byte) (engine.Session, error) {
	switch f := formatOf(data); f {
	case 1:
		// engine.Session's own JSON, as stored before format 2.
		var s engine.Session
		err := json.Unmarshal(data, &s)
		return s, err
	case compactFormat:
	default:
		return engine.Session{}, fmt.Errorf("session format %d is unknown to this release", f)
	}
	// The hand-written reader takes what encode writes; anything else
	// (whitespace, escapes it leaves alone, a field it does not know, a
	// malformed blob) is read by encoding/json, which decides.
	c, ok := readCompact(data)
	if !ok {
		c = compactSession{}
		if err := json.Unmarshal(data, &c); err != nil {
			return engine.Session{}, err
		}
	}
	return fromCompact(c), nil
}

// decodeReflect is decode through encoding/json only, for the tests.
func decodeReflect(data []byte) (engine.Session, error) {
	if formatOf(data) != compactFormat {
		return decode(data)
	}
	var c compactSession
	if err := json.Unmarshal(data, &c); err != nil {
		return engine.Session{}, err
	}
	return fromCompact(c), nil
}

// fromCompact undoes toCompact.
func fromCompact(c compactSession) engine.Session {
	s := engine.Session{
		Version: c.Version, Lang: c.Lang, Tree: c.Tree, TreeVersion: c.TreeVersion, Node: c.Node, Facts: c.Facts,
		Prefilled: c.Prefilled, Seq: c.Seq, At: c.At, Evidence: c.Evidence, Pending: c.Pending, Share: c.Share, Pressed: c.Pressed,
		Form: c.Form, Created: fromUnixNano(c.Created), Updated: fromUnixNano(c.Updated), Recent: c.RecentList,
		PersonalSince: fromUnixNano(c.Personal),
	}
	if c.Recent != "" {
		s.Recent = strings.Split(c.Recent, ",")
	}
	if len(c.History) > 0 {
		s.History = make([]engine.Frame, len(c.History))
		after := s.Facts
		for i := len(c.History) - 1; i >= 0; i-- {
			cf := c.History[i]
			f := engine.Frame{Tree: s.Tree, TreeVersion: s.TreeVersion, Node: cf.Node, Answer: cf.Answer}
			if cf.Tree != "" {
				f.Tree, f.TreeVersion = cf.Tree, cf.TreeVersion
				if f.Tree == noTree {
					f.Tree = ""
				}
			}
			facts := make(map[string]string, len(after)+len(cf.Set))
			for k, v := range after {
				facts[k] = v
			}
			for _, k := range cf.Drop {
				delete(facts, k)
			}
			for k, v := range cf.Set {
				facts[k] = v
			}
			if len(facts) > 0 {
				f.Facts = facts
			}
			s.History[i] = f
			after = f.Facts
		}
	}
	return s
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
