package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/source"
	"github.com/disputebot/disputebot/locales"
)

// dataDirs picks the dialog and locale folders: the embedded ones by
// default, or a folder on disk (for authors running lint on a work copy).
// With a dialogs dir given, locales default to its sibling "locales".
func dataDirs(dialogsDir, localesDir string) (fs.FS, fs.FS) {
	var d, l fs.FS = dialogs.FS, locales.FS
	if dialogsDir != "" {
		d = os.DirFS(dialogsDir)
		if localesDir == "" {
			localesDir = filepath.Join(dialogsDir, "..", "locales")
		}
	}
	if localesDir != "" {
		l = os.DirFS(localesDir)
	}
	return d, l
}

// codeKeys are the message keys the program uses outside the trees.
func codeKeys() []string { return append(render.Keys(), bot.Keys()...) }

// loadData loads and validates everything; any problem refuses to start.
func loadData(dialogsFS, localesFS fs.FS) (*dialog.Bundle, *render.Renderer, error) {
	b, probs := dialog.Load(dialogsFS, localesFS, codeKeys())
	if len(probs) > 0 {
		return nil, nil, fmt.Errorf("the dialogs have %d problem(s); run `disputebot lint`:\n%w", len(probs), source.Error(probs))
	}
	r, err := render.New(localesFS, b.Laws)
	if err != nil {
		return nil, nil, fmt.Errorf("load messages: %w", err)
	}
	return b, r, nil
}
