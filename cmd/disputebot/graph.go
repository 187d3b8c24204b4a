package main

import (
	"fmt"
	"io"
	"sort"

	"github.com/disputebot/disputebot/internal/dialog"
)

func init() {
	commands["graph"] = command{summary: "print a tree as a Mermaid flowchart (graph <tree>, or graph --all)", run: runGraph}
}

func runGraph(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	d, l := dataDirs("", "")
	b, _ := dialog.Load(d, l, codeKeys())
	if b == nil {
		fmt.Fprintln(stderr, "disputebot: the dialogs have problems; run `disputebot lint`")
		return 1
	}
	if len(args) == 1 && args[0] == "--all" {
		ids := make([]string, 0, len(b.Catalog.Trees))
		for id := range b.Catalog.Trees {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			fmt.Fprintf(stdout, "### %s\n\n```mermaid\n", id)
			dialog.Mermaid(stdout, b.Catalog.Trees[id])
			fmt.Fprint(stdout, "```\n\n")
		}
		return 0
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: disputebot graph <tree> | --all")
		return 2
	}
	t := b.Catalog.Trees[args[0]]
	if t == nil {
		fmt.Fprintf(stderr, "disputebot: no tree %q\n", args[0])
		return 1
	}
	dialog.Mermaid(stdout, t)
	return 0
}
