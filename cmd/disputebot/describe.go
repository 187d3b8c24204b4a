package main

import (
	"fmt"
	"io"
	"time"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/intake"
)

// newDescriber loads the free-text classifier. Should it fail (a broken
// build), the chat still works: free text then opens the category menu.
func newDescriber(stderr io.Writer) advisor.Describer {
	d, err := intake.New(time.Now)
	if err != nil {
		fmt.Fprintln(stderr, "disputebot: free-text understanding is off:", err)
		return nil
	}
	return d
}
