package render_test

import (
	"testing"
	"testing/fstest"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

func TestChecklistButtons(t *testing.T) {
	msgs := fstest.MapFS{
		"e.en.yaml": {Data: []byte("evidence.receipt: \"The receipt\"\nevidence.photos: \"Photos <of> the defect\"\n")},
		"e.zh.yaml": {Data: []byte("evidence.receipt: \"小票\"\nevidence.photos: \"问题照片\"\n")},
	}
	r, err := render.New(msgs, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &engine.Advice{Evidence: []string{"receipt", "photos"}, Have: map[string]bool{"photos": true}}
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{"⬜ The receipt", "✅ Photos <of> the defect"}}, // labels are plain text: not escaped
		{"zh", []string{"⬜ 小票", "✅ 问题照片"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			rows, err := r.ChecklistButtons(tt.lang, a)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tt.want) {
				t.Fatalf("%d rows, want %d", len(rows), len(tt.want))
			}
			for i, row := range rows {
				if len(row) != 1 || row[0].Text != tt.want[i] {
					t.Fatalf("row %d = %+v, want %q", i, row, tt.want[i])
				}
				if ev := row[0].Event; ev.Kind != engine.Tick || ev.Option != a.Evidence[i] {
					t.Fatalf("row %d fires %+v", i, ev)
				}
			}
		})
	}
	if _, err := r.ChecklistButtons("en", &engine.Advice{Evidence: []string{"missing"}}); err == nil {
		t.Fatal("a missing evidence name gave no error")
	}
}
