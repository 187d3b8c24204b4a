package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/disputebot/disputebot/internal/classify"
	"github.com/disputebot/disputebot/internal/extract"
)

func init() {
	commands["classify"] = command{
		summary: "classify messages from stdin, one per line, as JSON lines",
		run:     runClassify,
	}
}

// classifyLine is one output line of disputebot classify.
type classifyLine struct {
	Category   string            `json:"category"`
	Confidence float64           `json:"confidence"`
	Facts      map[string]string `json:"facts"`
}

// maxLine is the longest input line accepted.
const maxLine = 64 << 10

func runClassify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: disputebot classify < messages.txt")
		fmt.Fprintln(stderr, "Reads one message per line and writes one JSON object per line:")
		fmt.Fprintln(stderr, `  {"category":"...","confidence":0.93,"facts":{...}}`)
		fmt.Fprintln(stderr, "Facts (only those the text gives): platform, amount, balance, paid_date,")
		fmt.Fprintln(stderr, "received_date, incident_date, date (one date, role not said), subject,")
		fmt.Fprintln(stderr, "channel, merchant_said, foreigner, hurt, closure; see dialogs/README.md.")
		if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			return 0
		}
		return 2
	}
	m, err := classify.Load()
	if err != nil {
		fmt.Fprintf(stderr, "disputebot classify: %v\n", err)
		return 1
	}
	in := bufio.NewReaderSize(stdin, 64<<10)
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for {
		line, err := readLine(in)
		if line = strings.TrimSpace(line); line != "" {
			r := m.Classify(line)
			facts := extract.Facts(line, time.Now())
			if facts == nil {
				facts = map[string]string{}
			}
			if err := enc.Encode(classifyLine{
				Category:   r.Category,
				Confidence: math.Round(r.Confidence*100) / 100,
				Facts:      facts,
			}); err != nil {
				fmt.Fprintf(stderr, "disputebot classify: %v\n", err)
				return 1
			}
			// One answer per line as it comes, so a program can talk to
			// classify through a pipe.
			if err := w.Flush(); err != nil {
				fmt.Fprintf(stderr, "disputebot classify: %v\n", err)
				return 1
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintf(stderr, "disputebot classify: reading input: %v\n", err)
			return 1
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "disputebot classify: %v\n", err)
		return 1
	}
	return 0
}

// readLine reads one line, keeping at most maxLine bytes of it: a longer
// line is cut (the rest is skipped), never fatal.
func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if room := maxLine - len(b); room > 0 {
			b = append(b, chunk[:min(len(chunk), room)]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return strings.ToValidUTF8(string(b), ""), err
	}
}
