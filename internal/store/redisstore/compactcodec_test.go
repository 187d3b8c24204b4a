package redisstore

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

// everyField is a session with every field of engine.Session set, so a
// field added to it and missing from the hand-written codec shows here.
func everyField() engine.Session {
	s := consultation()
	s.Prefilled = map[string]bool{"price": true, "channel": false}
	s.Pending = &engine.Proposal{Category: "food_safety", Confidence: 0.8125, Facts: map[string]string{"amount": "12.00"},
		Alternatives: []string{"quality_defect"}}
	s.Share = "sh4re"
	s.Pressed = "choose:8w3s50nz:online"
	s.Form = &engine.Form{Channel: "12315", Field: "name"}
	s.PersonalSince = s.Created.Add(time.Second)
	return s
}

func TestCodecCoversEveryField(t *testing.T) {
	s := everyField()
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("everyField leaves engine.Session.%s zero: set it, and make sure encoding.go and compactcodec.go carry it",
				v.Type().Field(i).Name)
		}
	}
	checkCodec(t, s)
}

// checkCodec: the hand-written codec writes encoding/json's bytes and
// reads them back to what encoding/json reads.
func checkCodec(t *testing.T, s engine.Session) {
	t.Helper()
	got := checkEncode(t, s)
	checkDecode(t, got)
	back, err := decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, s)
	}
}

// checkEncode compares the bytes of one compactSession (toCompact lists a
// frame's dropped keys in map order, so two calls may differ).
func checkEncode(t *testing.T, s engine.Session) []byte {
	t.Helper()
	c := toCompact(s)
	got, err := appendCompact(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encode:\n got %s\nwant %s (encoding/json)", got, want)
	}
	return got
}

func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	got, gotErr := decode(data)
	want, wantErr := decodeReflect(data)
	if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("decode(%s):\n got %+v, %v\nwant %+v, %v (encoding/json)", data, got, gotErr, want, wantErr)
	}
}

// Strings that need escaping, odd Unicode, invalid UTF-8, numbers at the
// edges.
var codecStrings = []string{"", "a", "中文", `"quoted"`, `back\slash`, "<b>&amp;</b>", "\u2028\u2029", "\x00\x1f\t\n",
	"\xff\xfe", "e\u0301", "😀", "a,b", ",", "-", "0", "long " + string(bytes.Repeat([]byte("x"), 300))}

func randomSession(r *rand.Rand) engine.Session {
	str := func() string { return codecStrings[r.IntN(len(codecStrings))] }
	facts := func() map[string]string {
		if r.IntN(4) == 0 {
			return nil
		}
		m := map[string]string{}
		for range r.IntN(6) {
			m[str()+strconv.Itoa(r.IntN(5))] = str()
		}
		return m
	}
	num := func() int64 { return []int64{0, 1, -1, 42, 1 << 62, -1 << 63, 1<<63 - 1}[r.IntN(7)] }
	s := engine.Session{Version: num(), Lang: str(), Tree: str(), TreeVersion: int(num()), Node: str(), Facts: facts(),
		Seq: num(), At: str(), Share: str(), Pressed: str()}
	for range r.IntN(8) {
		s.History = append(s.History, engine.Frame{Tree: []string{s.Tree, "", str()}[r.IntN(3)], TreeVersion: int(num()),
			Node: str(), Answer: str(), Facts: facts()})
	}
	for range r.IntN(4) {
		s.Recent = append(s.Recent, str())
	}
	if r.IntN(2) == 0 {
		s.Prefilled = map[string]bool{str(): true, str(): false}
		s.Evidence = map[string]bool{str(): r.IntN(2) == 0}
	}
	if r.IntN(3) == 0 {
		s.Pending = &engine.Proposal{Category: str(), Confidence: r.Float64(), Facts: facts()}
	}
	if r.IntN(3) == 0 {
		s.Form = &engine.Form{Channel: str(), Field: str()}
	}
	if r.IntN(2) == 0 {
		t := time.Unix(0, r.Int64()).UTC()
		s.Created, s.Updated, s.PersonalSince = t, t.Add(time.Hour), t.Add(time.Minute)
	}
	return s
}

func TestCodecMatchesEncodingJSON(t *testing.T) {
	checkCodec(t, consultation())
	checkCodec(t, engine.Session{})
	r := rand.New(rand.NewPCG(10, 2))
	for range 3000 {
		checkDecode(t, checkEncode(t, randomSession(r)))
	}
}

// Blobs not in the writer's shape are read by encoding/json, as before.
func TestDecodeOtherShapes(t *testing.T) {
	for _, blob := range []string{
		`{"v":1,"z":2}`, `{"v":1,"z":2,"n":"a","n":"b"}`, `{"v":1,"z":2,"f":{"a":"1"},"f":{"b":"2"}}`,
		`{"v":1,"z":2, "n":"a"}`, `{"v":1,"z":2,"N":"a"}`, `{"v":1,"z":2,"x":[1,{"y":2}]}`, `{"v":1,"z":2,"n":"\u4e2d"}`,
		`{"v":1,"z":2,"s":1.5}`, `{"v":1,"z":2,"s":01}`, `{"v":1,"z":2,"s":-0}`, `{"v":1,"z":2,"tv":99999999999999999999}`,
		`{"v":1,"z":2,"f":null}`, `{"v":1,"z":2,"h":[]}`, `{"v":1,"z":2,"rl":[]}`, `{"v":1,"z":2,"e":{"a":1}}`,
		`{"v":1,"z":2,"p":{"c":"x}","q":1}}`, `{"v":1,"z":2,"fm":{"c":"a"}}x`, `{"v":1,"z":2,"h":[{"n":"a","d":["k"]}]`,
		`{"v":1,"z":2,"h":[{"n":"a","n":"b"}]}`, `{"v":1,"z":2,"n":"` + "\xff" + `"}`, `{"v":1,"z":2,"pf":{}}`,
	} {
		checkDecode(t, []byte(blob))
	}
}

// A session stored by the release before the hand-written codec (format
// 2 as encoding/json wrote it, kept in testdata) still reads the same.
func TestStoredFormat2StillReads(t *testing.T) {
	data, err := os.ReadFile("testdata/consultation.format2.json")
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.TrimSpace(data)
	got, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := everyField(); !reflect.DeepEqual(got, want) {
		t.Fatalf("stored blob:\n got %+v\nwant %+v", got, want)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []engine.Session{consultation(), everyField(), {}} {
		data, _ := encodeReflect(s)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}
